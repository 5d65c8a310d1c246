import { IDisposable } from '@lumino/disposable';

import { parseFrame } from '../events/frames';
import { IAtelierEvents, IJobEvent } from '../events/tokens';
import { messageOf } from '../messages';
import { JobsListModel } from './listModel';
import { IJobSummary } from './tokens';

/** The job of an events frame, or null for any other frame. */
export function parseJobEvent(data: unknown): IJobSummary | null {
  const frame = parseFrame(data);
  return frame?.type === 'job' ? frame.job : null;
}

/**
 * Keeps the Jobs list current while the panel is visible: polls
 * `GET atelier/api/jobs` (every 3 s while a job runs, 15 s otherwise) and
 * merges the `job` frames of the page's event stream in between, fetching
 * again when the stream comes back after a drop. Nothing runs while the
 * panel is hidden (it lets go of the stream).
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

  /** True while job frames arrive (shown, and the stream is open). */
  get live(): boolean {
    return this._hold !== null && this._options.events?.status === 'open';
  }

  /** The panel became visible: fetch now, then poll; listen to events. */
  show(): void {
    if (this._disposed || this._visible) {
      return;
    }
    this._visible = true;
    void this.refresh();
    this._listen();
  }

  /** The panel is hidden: stop polling and let go of the stream. */
  hide(): void {
    this._visible = false;
    clearTimeout(this._timer);
    this._timer = undefined;
    this._unlisten();
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

  private _listen(): void {
    const events = this._options.events;
    if (!events || this._hold || !this._visible || this._disposed) {
      return;
    }
    events.frame('job').connect(this._onJob, this);
    events.reconnected.connect(this._onReconnected, this);
    this._hold = events.acquire();
  }

  private _unlisten(): void {
    const events = this._options.events;
    if (!events || !this._hold) {
      return;
    }
    events.frame('job').disconnect(this._onJob, this);
    events.reconnected.disconnect(this._onReconnected, this);
    this._hold.dispose();
    this._hold = null;
  }

  private _onJob(_: IAtelierEvents, frame: IJobEvent): void {
    this._model.upsert(frame.job);
  }

  /** Job frames sent while the stream was down were missed. */
  private _onReconnected(): void {
    void this.refresh();
  }

  private _model: JobsListModel;
  private _options: JobsFeed.IOptions;
  private _visible = false;
  private _disposed = false;
  private _failing = false;
  private _request = 0;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _hold: IDisposable | null = null;
}

export namespace JobsFeed {
  export interface IOptions {
    model: JobsListModel;
    fetchJobs: (filters: JobsListModel['filters']) => Promise<IJobSummary[]>;
    /** The first error of each streak of failed fetches. */
    onError?: (error: unknown) => void;
    /** The page's event stream (none: poll only). */
    events?: IAtelierEvents;
  }
}
