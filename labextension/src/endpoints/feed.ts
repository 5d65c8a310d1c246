import { IDisposable } from '@lumino/disposable';

import { IAtelierEvents, IEndpointEvent } from '../events/tokens';
import { messageOf } from '../messages';
import { EndpointsListModel } from './listModel';
import { IEndpointSummary } from './tokens';

/** Whether an `endpoint` frame says the endpoint is gone. */
export function isDeletedFrame(frame: IEndpointEvent): boolean {
  const endpoint = frame.endpoint as IEndpointSummary & { deleted?: boolean };
  return frame.deleted === true || endpoint.deleted === true;
}

/**
 * Keeps the Endpoints list current while the panel is visible, from the
 * page's event stream: the list is fetched when the panel shows and again
 * when the stream comes back after a drop (frames sent meanwhile were
 * missed); in between every `endpoint` frame is merged. It never polls.
 */
export class EndpointsFeed implements IDisposable {
  constructor(options: EndpointsFeed.IOptions) {
    this._model = options.model;
    this._options = options;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The panel became visible: hold the stream, fetch the list. */
  show(): void {
    if (this._disposed || this._hold) {
      return;
    }
    const events = this._options.events;
    events.frame('endpoint').connect(this._onEndpoint, this);
    events.reconnected.connect(this._onReconnected, this);
    this._hold = events.acquire();
    void this.refresh();
  }

  /** The panel is hidden: let go of the stream. */
  hide(): void {
    if (!this._hold) {
      return;
    }
    const events = this._options.events;
    events.frame('endpoint').disconnect(this._onEndpoint, this);
    events.reconnected.disconnect(this._onReconnected, this);
    this._hold.dispose();
    this._hold = null;
  }

  /** Fetch the list now (the last request's answer wins). */
  async refresh(): Promise<void> {
    if (this._disposed) {
      return;
    }
    const request = ++this._request;
    try {
      const endpoints = await this._options.fetchEndpoints();
      if (request === this._request && !this._disposed) {
        this._model.update(endpoints);
      }
    } catch (error) {
      if (request === this._request && !this._disposed) {
        this._model.setError(messageOf(error));
        this._options.onError?.(error);
      }
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this.hide();
    this._disposed = true;
  }

  private _onEndpoint(_: IAtelierEvents, frame: IEndpointEvent): void {
    this._model.upsert(frame.endpoint, isDeletedFrame(frame));
  }

  private _onReconnected(): void {
    void this.refresh();
  }

  private _model: EndpointsListModel;
  private _options: EndpointsFeed.IOptions;
  private _disposed = false;
  private _request = 0;
  private _hold: IDisposable | null = null;
}

export namespace EndpointsFeed {
  export interface IOptions {
    model: EndpointsListModel;
    fetchEndpoints: () => Promise<IEndpointSummary[]>;
    onError?: (error: unknown) => void;
    events: IAtelierEvents;
  }
}
