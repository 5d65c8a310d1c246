import { ReactWidget } from '@jupyterlab/apputils';
import { caretDownIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRunningModel } from '../running/tokens';
import { CatalogStore } from './catalog';
import { INotebookPanelLike } from './change';
import { pickInstance } from './pick';
import {
  ATELIER_KEY,
  choiceLabel,
  IInstanceChoice,
  INSTANCE_TYPE_KEY,
  IShownChoice,
  readMetadata,
  shownChoice
} from './spec';

/**
 * The notebook toolbar item saying where the kernel runs ("ml.t3.medium ·
 * 2 vCPU · 4 GiB · local"); a click opens the picker of instance types and
 * images.
 */
export class InstanceSpecItem extends ReactWidget {
  constructor(options: InstanceSpecItem.IOptions) {
    super();
    this._panel = options.panel;
    this._running = options.running;
    this._store = options.store;
    this.addClass('jp-AtelierInstanceSpec');
    const refresh = (): void => this.update();
    this._running.changed.connect(refresh, this);
    this._store.changed.connect(refresh, this);
    this._panel.sessionContext.kernelChanged.connect(refresh, this);
    this._panel.context.model.metadataChanged?.connect(refresh, this);
    // Sizes appear once the catalogs are known (fetched once per page).
    void this._store.load().catch(error => {
      console.warn('Atelier: cannot load the instance catalogs.', error);
    });
  }

  /** What the toolbar shows now, or null while nothing is known. */
  get shown(): IShownChoice | null {
    const kernelId = this._panel.sessionContext.session?.kernel?.id;
    const kernel = kernelId ? this._running.get(kernelId) : undefined;
    const model = this._panel.context.model;
    const metadata = readMetadata(
      model.getMetadata(INSTANCE_TYPE_KEY),
      model.getMetadata(ATELIER_KEY)
    );
    return shownChoice(kernel, metadata, this._store.catalogs);
  }

  render(): JSX.Element {
    const shown = this.shown;
    const moving = this._pendingChoice;
    const text = moving
      ? `${choiceLabel(moving, this._store.catalogs)} (starting…)`
      : shown
        ? choiceLabel(shown, this._store.catalogs)
        : 'Instance…';
    return (
      <button
        type="button"
        className="jp-ToolbarButtonComponent jp-Button jp-mod-minimal jp-AtelierInstanceSpec-button"
        aria-label={`Instance: ${text}`}
        aria-haspopup="dialog"
        title="Instance type and image of this notebook's kernel: click to change"
        data-source={moving ? 'changing' : (shown?.source ?? 'unknown')}
        disabled={moving !== null}
        onClick={() => void this.pick()}
      >
        <span className="jp-ToolbarButtonComponent-label">{text}</span>
        <caretDownIcon.react
          className="jp-AtelierInstanceSpec-caret"
          tag="span"
          elementPosition="center"
        />
      </button>
    );
  }

  /** Open the picker; on a new choice confirm, then move the kernel. */
  async pick(): Promise<void> {
    await pickInstance(this._panel, this._store, this.shown, choice => {
      this._pendingChoice = choice;
      this.update();
    });
  }

  private _panel: INotebookPanelLike;
  private _running: IRunningModel;
  private _store: CatalogStore;
  private _pendingChoice: IInstanceChoice | null = null;
}

export namespace InstanceSpecItem {
  export interface IOptions {
    panel: INotebookPanelLike;
    /** The Running panel's live kernel list (instance of each kernel). */
    running: IRunningModel;
    store: CatalogStore;
  }
}
