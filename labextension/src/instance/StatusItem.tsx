import { ReactWidget } from '@jupyterlab/apputils';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { IInstancesView, IRunningModel } from '../running/tokens';
import { CatalogStore } from './catalog';
import { INotebookPanelLike } from './change';
import { pickInstance } from './pick';
import {
  ATELIER_KEY,
  IInstanceChoice,
  INSTANCE_TYPE_KEY,
  readMetadata,
  shownChoice
} from './spec';
import { statusText } from './status';

/** How often the running cost moves on while nothing else changes. */
const TICK_MS = 5000;

/**
 * The status bar item of the current notebook: its instance type, image and
 * running cost; a click opens the same picker as the toolbar item.
 */
export class InstanceStatusItem extends ReactWidget {
  constructor(options: InstanceStatusItem.IOptions) {
    super();
    this._options = options;
    this.addClass('jp-AtelierInstanceStatus');
    const refresh = (): void => this.update();
    options.running.changed.connect(refresh, this);
    options.instances.changed.connect(refresh, this);
    options.store.changed.connect(refresh, this);
    options.currentChanged.connect(this._follow, this);
    this._follow();
    this._timer = setInterval(() => {
      if (this.isVisible) {
        options.instances.tick();
      }
    }, TICK_MS);
  }

  dispose(): void {
    clearInterval(this._timer);
    super.dispose();
  }

  /** The notebook the item speaks of, or null. */
  get panel(): INotebookPanelLike | null {
    return this._panel;
  }

  render(): JSX.Element | null {
    const panel = this._panel;
    if (!panel) {
      return null;
    }
    const { running, instances, store } = this._options;
    const kernelId = panel.sessionContext.session?.kernel?.id;
    const kernel = kernelId ? running.get(kernelId) : undefined;
    const shown = this._shown(panel);
    const instance = kernel?.instanceId
      ? instances.get(kernel.instanceId)
      : undefined;
    const status = this._pending
      ? {
          text: `${this._pending.instanceType} · ${this._pending.image} (starting…)`,
          title: 'The kernel is moving'
        }
      : statusText(shown, kernel, instance, store.catalogs);
    if (!status) {
      return null;
    }
    return (
      <button
        type="button"
        className="jp-AtelierInstanceStatus-button"
        title={status.title}
        aria-label={`Instance: ${status.text}`}
        aria-haspopup="dialog"
        disabled={this._pending !== null}
        onClick={() => void this.pick()}
      >
        {status.text}
      </button>
    );
  }

  /** Open the picker for the current notebook. */
  async pick(): Promise<void> {
    this._follow();
    const panel = this._panel;
    if (!panel) {
      return;
    }
    await pickInstance(
      panel,
      this._options.store,
      this._shown(panel),
      choice => {
        this._pending = choice;
        this.update();
      }
    );
  }

  private _shown(panel: INotebookPanelLike) {
    const kernelId = panel.sessionContext.session?.kernel?.id;
    const kernel = kernelId ? this._options.running.get(kernelId) : undefined;
    const model = panel.context.model;
    const metadata = readMetadata(
      model.getMetadata(INSTANCE_TYPE_KEY),
      model.getMetadata(ATELIER_KEY)
    );
    return shownChoice(kernel, metadata, this._options.store.catalogs);
  }

  private _follow(): void {
    const next = this._options.current();
    if (next === this._panel) {
      return;
    }
    if (this._panel) {
      this._panel.sessionContext.kernelChanged.disconnect(
        this._onPanelChange,
        this
      );
      this._panel.context.model.metadataChanged?.disconnect(
        this._onPanelChange,
        this
      );
    }
    this._panel = next;
    if (next) {
      next.sessionContext.kernelChanged.connect(this._onPanelChange, this);
      next.context.model.metadataChanged?.connect(this._onPanelChange, this);
    }
    this._options.activeChanged();
    this.update();
  }

  private _onPanelChange(): void {
    this.update();
  }

  private _options: InstanceStatusItem.IOptions;
  private _panel: INotebookPanelLike | null = null;
  private _pending: IInstanceChoice | null = null;
  private _timer: ReturnType<typeof setInterval>;
}

export namespace InstanceStatusItem {
  export interface IOptions {
    /** The current notebook, or null when the current widget is not one. */
    current: () => INotebookPanelLike | null;
    currentChanged: ISignal<any, any>;
    /** Called when the item starts or stops speaking of a notebook. */
    activeChanged: () => void;
    running: IRunningModel;
    instances: IInstancesView;
    store: CatalogStore;
  }
}
