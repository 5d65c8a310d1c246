import type { Widget } from '@lumino/widgets';

import { IInstanceRow, IKernelRow } from '../running/tokens';
import { INotebookPanelLike } from './change';
import { findType, ICatalogs, IShownChoice } from './spec';

/** What the status bar says of the current notebook. */
export interface IStatusText {
  /** "ml.t3.medium · local · $0.0123" */
  text: string;
  /** The tooltip: size, price, cost so far, and what a click does. */
  title: string;
}

/**
 * The status bar text of a notebook: its instance type and image (from its
 * kernel, else what the notebook asks for), and while its kernel runs on an
 * instance, that instance's cost so far.
 */
export function statusText(
  shown: IShownChoice | null,
  kernel: IKernelRow | undefined,
  instance: IInstanceRow | undefined,
  catalogs: ICatalogs | null
): IStatusText | null {
  if (!shown) {
    return null;
  }
  const parts = [shown.instanceType, shown.image];
  const details: string[] = [];
  const type = findType(catalogs, shown.instanceType);
  if (type) {
    details.push(
      `${shown.instanceType}: ${type.vcpus} vCPU, ${type.memory_gib} GiB, $${type.price_per_hour}/h`
    );
  }
  if (instance && kernel?.instanceId === instance.id) {
    parts.push(instance.costLabel);
    details.push(
      `Instance ${instance.id} has cost ${instance.costLabel} so far (up ${instance.uptimeLabel})`
    );
  } else if (shown.source !== 'kernel') {
    details.push('No kernel is running on it yet');
  }
  details.push('Click to change the instance type or image');
  return { text: parts.join(' · '), title: details.join('\n') };
}

/** The widget as a notebook panel (it has a kernel session and a document), or null. */
export function asNotebookPanel(
  widget: Widget | null
): INotebookPanelLike | null {
  const w = widget as any;
  return w &&
    w.sessionContext &&
    w.context &&
    typeof w.context.model?.getMetadata === 'function'
    ? (w as INotebookPanelLike)
    : null;
}
