import { IDisposable } from '@lumino/disposable';

import { messageOf } from '../messages';
import { JobsListModel } from './listModel';
import { IJobEvent, IJobSummary } from './types';

/** The part of the WebSocket API the feed uses. */
export interface IWebSocketLike {
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  close(code?: number, reason?: string): void;
}

/** The job of an events frame, or null for any other frame. */
export function parseJobEvent(data: unknown): IJobSummary | null {
  if (typeof data !== 'string' || !data.includes('"job"')) {
    return null;
  }
  try {
    const event = JSON.parse(data) as IJobEvent;
    if (
      event &&
      event.type === 'job' &&
      event.job &&
      typeof event.job.Name === 'string'
    ) {
      return event.job;
    }
  } catch {
    // Not JSON: not ours.
  }
  return null;
}

/**
 * Keeps the Jobs list current while the panel is visible: polls
 * `GET atelier/api/jobs` (every 3 s while a job runs, 15 s otherwise) and
 * merges the `job` frames of the events WebSocket in between. Nothing runs
 * while the panel is hidden.
 */
export class JobsFeed implements IDisposable {
  constructor(options: JobsFeed.IOptions) {
    this._model = options.model;
    this._options = options;
    this._model.filtersChanged.connect(this._onFilters, this);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** True while the events socket is open. */
  get live(): boolean {
    return this._socketOpen;
  }

  /** The panel became visible: fetch now, then poll; listen to events. */
  show(): void {
    if (this._disposed || this._visible) {
      return;
    }
    this._visible = true;
    void this.refresh();
    this._connect();
  }

  /** The panel is hidden: stop polling and close the socket. */
  hide(): void {
    this._visible = false;
    clearTimeout(this._timer);
    clearTimeout(this._reconnectTimer);
    this._timer = this._reconnectTimer = undefined;
    this._closeSocket();
  }

  /** Fetch the list now (the answer for the current filters wins). */
  async refresh(): Promise<void> {
    if (this._disposed) {
      return;
    }
    clearTimeout(this._timer);
    this._timer = undefined;
    const request = ++this._request;
    try {
      const jobs = await this._options.fetchJobs(this._model.filters);
      if (request === this._request && !this._disposed) {
        this._model.update(jobs);
        this._failing = false;
      }
    } catch (error) {
      if (request === this._request && !this._disposed) {
        this._model.setError(messageOf(error));
        if (!this._failing) {
          this._failing = true;
          this._options.onError?.(error);
        }
      }
    } finally {
      if (request === this._request) {
        this._schedule();
      }
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this.hide();
    this._disposed = true;
    this._model.filtersChanged.disconnect(this._onFilters, this);
  }

  private _onFilters(): void {
    void this.refresh();
  }

  private _schedule(): void {
    if (!this._visible || this._disposed) {
      return;
    }
    clearTimeout(this._timer);
    const interval = this._failing
      ? Math.max(this._model.pollInterval, 15000)
      : this._model.pollInterval;
    this._timer = setTimeout(() => void this.refresh(), interval);
  }

  private _connect(): void {
    const create = this._options.createSocket;
    if (!create || this._socket || !this._visible || this._disposed) {
      return;
    }
    let socket: IWebSocketLike;
    try {
      socket = create();
    } catch {
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      this._socketOpen = true;
      this._reconnectDelay = 1000;
    };
    socket.onmessage = event => {
      const job = parseJobEvent(event.data);
      if (job) {
        this._model.upsert(job);
      }
    };
    const drop = (): void => {
      if (this._socket !== socket) {
        return;
      }
      this._closeSocket();
      if (this._visible && !this._disposed) {
        // The poll goes on meanwhile; try the socket again later.
        this._reconnectTimer = setTimeout(
          () => this._connect(),
          this._reconnectDelay
        );
        this._reconnectDelay = Math.min(this._reconnectDelay * 2, 60000);
      }
    };
    socket.onclose = drop;
    socket.onerror = drop;
  }

  private _closeSocket(): void {
    const socket = this._socket;
    this._socket = null;
    this._socketOpen = false;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
  }

  private _model: JobsListModel;
  private _options: JobsFeed.IOptions;
  private _visible = false;
  private _disposed = false;
  private _failing = false;
  private _request = 0;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private _reconnectDelay = 1000;
  private _socket: IWebSocketLike | null = null;
  private _socketOpen = false;
}

export namespace JobsFeed {
  export interface IOptions {
    model: JobsListModel;
    fetchJobs: (filters: JobsListModel['filters']) => Promise<IJobSummary[]>;
    /** The first error of each streak of failed fetches. */
    onError?: (error: unknown) => void;
    /** Opens the events WebSocket (none: poll only). */
    createSocket?: () => IWebSocketLike;
  }
}
