import { ISignal, Signal } from '@lumino/signaling';

import { IImagesResponse, IInstanceTypesResponse } from './tokens';
import { ICatalogs } from './spec';

/**
 * The instance type and image catalogs, fetched once and shared by every
 * notebook's toolbar item; `load(true)` fetches them again (the picker does,
 * as Docker images come and go).
 */
export class CatalogStore {
  constructor(options: CatalogStore.IOptions) {
    this._options = options;
  }

  /** The last catalogs fetched, or null before the first answer. */
  get catalogs(): ICatalogs | null {
    return this._catalogs;
  }

  /** Emitted when new catalogs arrive. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The catalogs; rejects with the server's error (and forgets it). */
  load(refresh = false): Promise<ICatalogs> {
    if (!this._pending || refresh) {
      const pending = Promise.all([
        this._options.fetchTypes(),
        this._options.fetchImages()
      ]).then(([types, images]) => {
        const catalogs = { types, images };
        this._catalogs = catalogs;
        this._changed.emit();
        return catalogs;
      });
      pending.catch(() => {
        if (this._pending === pending) {
          this._pending = null;
        }
      });
      this._pending = pending;
    }
    return this._pending;
  }

  private _options: CatalogStore.IOptions;
  private _catalogs: ICatalogs | null = null;
  private _pending: Promise<ICatalogs> | null = null;
  private _changed = new Signal<this, void>(this);
}

export namespace CatalogStore {
  export interface IOptions {
    fetchTypes: () => Promise<IInstanceTypesResponse>;
    fetchImages: () => Promise<IImagesResponse>;
  }
}
