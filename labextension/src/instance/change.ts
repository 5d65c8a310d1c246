import { ISessionContext } from '@jupyterlab/apputils';
import { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

import {
  ATELIER_KEY,
  IInstanceChoice,
  INSTANCE_TYPE_KEY,
  withImage
} from './spec';

/** The part of a notebook's model the toolbar item uses. */
export interface INotebookModelLike {
  getMetadata(key: string): any;
  setMetadata(key: string, value: any): void;
  readonly metadataChanged?: ISignal<any, any>;
}

/** The part of a NotebookPanel the toolbar item uses. */
export interface INotebookPanelLike extends Widget {
  readonly context: {
    readonly path: string;
    readonly model: INotebookModelLike;
    save(): Promise<void>;
  };
  readonly sessionContext: ISessionContext;
}

/** The kernelspec to restart with: the running one, else the notebook's. */
export function kernelName(panel: INotebookPanelLike): string | undefined {
  const session = panel.sessionContext;
  const running = session.session?.kernel?.name;
  if (running) {
    return running;
  }
  const spec = panel.context.model.getMetadata('kernelspec');
  if (spec && typeof spec.name === 'string' && spec.name) {
    return spec.name;
  }
  return session.kernelPreference.name ?? session.specsManager.specs?.default;
}

/**
 * Move a notebook's kernel to another instance type or image: write
 * `instance_type` and `atelier.image` into its metadata, save it (the
 * server reads the saved file when the kernel starts), then start a new
 * kernel of the same kernelspec for its session.
 */
export async function changeInstance(
  panel: INotebookPanelLike,
  choice: IInstanceChoice
): Promise<void> {
  const model = panel.context.model;
  const name = kernelName(panel);
  model.setMetadata(INSTANCE_TYPE_KEY, choice.instanceType);
  model.setMetadata(
    ATELIER_KEY,
    withImage(model.getMetadata(ATELIER_KEY), choice.image)
  );
  await panel.context.save();
  await panel.sessionContext.changeKernel(name ? { name } : {});
}
