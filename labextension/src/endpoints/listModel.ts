import { ISignal, Signal } from '@lumino/signaling';

import { sortEndpoints } from './format';
import { IEndpointSummary } from './tokens';

/**
 * The Endpoints panel's list: the server's answer, kept newest first, with
 * the endpoints of `endpoint` frames merged in (a deleted one removed).
 */
export class EndpointsListModel {
  /** Emitted when the endpoints or the error change. */
  get changed(): ISignal<EndpointsListModel, void> {
    return this._changed;
  }

  get endpoints(): ReadonlyArray<IEndpointSummary> {
    return this._endpoints;
  }

  /** True once a list was received. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Last error of fetching the list, or null. */
  get error(): string | null {
    return this._error;
  }

  /** The endpoint of that name, or undefined. */
  find(name: string): IEndpointSummary | undefined {
    return this._endpoints.find(e => e.EndpointName === name);
  }

  /** Replace the list with the server's answer. */
  update(endpoints: ReadonlyArray<IEndpointSummary>): void {
    this._endpoints = sortEndpoints(
      endpoints.filter(e => e && typeof e.EndpointName === 'string')
    );
    this._loaded = true;
    this._error = null;
    this._changed.emit();
  }

  /**
   * Merge one pushed endpoint: replace it (keeping what the frame does not
   * carry), add it, or drop it when the frame says it was deleted.
   */
  upsert(endpoint: IEndpointSummary, deleted = false): void {
    if (!endpoint || typeof endpoint.EndpointName !== 'string') {
      return;
    }
    const name = endpoint.EndpointName;
    const known = this.find(name);
    const rest = this._endpoints.filter(e => e.EndpointName !== name);
    if (deleted) {
      if (!known) {
        return;
      }
      this._endpoints = rest;
    } else {
      this._endpoints = sortEndpoints([...rest, { ...known, ...endpoint }]);
    }
    this._changed.emit();
  }

  setError(error: string | null): void {
    if (error !== this._error) {
      this._error = error;
      this._changed.emit();
    }
  }

  private _endpoints: IEndpointSummary[] = [];
  private _loaded = false;
  private _error: string | null = null;
  private _changed = new Signal<EndpointsListModel, void>(this);
}
