import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';

import { IAtelierEvents, IKernelsEvent, EventsStatus } from '../events/tokens';
import { messageOf } from '../messages';
import { FeedStatus, IKernelInfo } from './tokens';

/**
 * Live kernel updates for the Running panel.
 *
 * Holds the page's event stream open and takes its `kernels` frames (the
 * server sends one on every connection, so a reconnection resyncs by
 * itself). While the stream is down (it reconnects with its own backoff)
 * it polls the REST list with a Lumino `Poll` (which backs off on errors
 * and stands by while the page is hidden). Once the stream is back,
 * polling stops.
 */
export class KernelsFeed implements IDisposable {
  constructor(options: KernelsFeed.IOptions) {
    this._options = options;
    this._events = options.events;
    this._poll = new Poll<void, unknown, 'standby'>({
      auto: false,
      factory: () => this._pollOnce(),
      frequency: {
        interval: options.pollInterval ?? 3000,
        backoff: true,
        max: options.pollMaxInterval ?? 30 * 1000
      },
      name: '@atelier/labextension:kernels',
      standby: options.standby ?? 'when-hidden'
    });
  }

  /** How updates currently arrive. */
  get status(): FeedStatus {
    return this._status;
  }

  /** Delay before the stream's next reconnection attempt, in ms. */
  get reconnectDelay(): number {
    return this._events.reconnectDelay;
  }

  /** True while the fallback poll is running. */
  get isPolling(): boolean {
    const phase = this._poll.state.phase;
    return phase !== 'constructed' && phase !== 'stopped' && !this.isDisposed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Change the fallback poll interval (ms). */
  set pollInterval(interval: number) {
    const frequency = this._poll.frequency;
    this._poll.frequency = {
      ...frequency,
      interval,
      max: Math.max(frequency.max, interval)
    };
  }

  /** Hold the event stream open and listen to it. */
  start(): void {
    if (this._isDisposed || this._hold) {
      return;
    }
    const events = this._events;
    events.frame('kernels').connect(this._onFrame, this);
    events.statusChanged.connect(this._onStatus, this);
    const alreadyOpen = events.status === 'open';
    this._hold = events.acquire();
    if (alreadyOpen) {
      // Its snapshot went to whoever opened it: fetch ours.
      this._onStatus(events, 'open');
      void this.refresh().catch(() => undefined);
    }
  }

  /** Fetch the list over HTTP now; rejects with the server's error. */
  async refresh(): Promise<void> {
    const kernels = await this._options.fetchKernels();
    if (!this._isDisposed) {
      this._options.onKernels(kernels);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    this._events.frame('kernels').disconnect(this._onFrame, this);
    this._events.statusChanged.disconnect(this._onStatus, this);
    this._hold?.dispose();
    this._hold = null;
  }

  private _onFrame(_: IAtelierEvents, frame: IKernelsEvent): void {
    if (!this._isDisposed) {
      this._options.onKernels(frame.kernels);
    }
  }

  private _onStatus(_: IAtelierEvents, status: EventsStatus): void {
    if (this._isDisposed) {
      return;
    }
    if (status === 'open') {
      void this._poll.stop();
      this._failing = false;
      this._setStatus('live', null);
    } else if (status === 'reconnecting') {
      // Poll meanwhile; the stream tries again by itself.
      this._setStatus('polling', this._error);
      void this._poll.start();
    }
  }

  private async _pollOnce(): Promise<void> {
    try {
      const kernels = await this._options.fetchKernels();
      if (this._isDisposed) {
        return;
      }
      this._failing = false;
      this._error = null;
      this._options.onKernels(kernels);
      if (this._status === 'polling') {
        this._setStatus('polling', null);
      }
    } catch (error) {
      if (this._isDisposed) {
        throw error;
      }
      this._error = messageOf(error);
      if (this._status === 'polling') {
        this._setStatus('polling', this._error);
      }
      if (!this._failing) {
        // Report once per streak of failures, not on every retry.
        this._failing = true;
        this._options.onError?.(error);
      }
      throw error;
    }
  }

  private _setStatus(status: FeedStatus, error: string | null): void {
    this._status = status;
    this._options.onStatus?.(status, error);
  }

  private _options: KernelsFeed.IOptions;
  private _events: IAtelierEvents;
  private _hold: IDisposable | null = null;
  private _poll: Poll<void, unknown, 'standby'>;
  private _status: FeedStatus = 'connecting';
  private _error: string | null = null;
  private _failing = false;
  private _isDisposed = false;
}

export namespace KernelsFeed {
  export interface IOptions {
    /** The page's event stream. */
    events: IAtelierEvents;
    /** Fetch the kernel list over HTTP. */
    fetchKernels: () => Promise<IKernelInfo[]>;
    /** Receives every snapshot (from the stream or the poll). */
    onKernels: (kernels: IKernelInfo[]) => void;
    /** Status changes, with the last poll error (or null). */
    onStatus?: (status: FeedStatus, error: string | null) => void;
    /** The first error of each streak of failed polls. */
    onError?: (error: unknown) => void;
    /** Fallback poll interval in ms (default 3000). */
    pollInterval?: number;
    /** Longest poll interval after backing off, in ms (default 30000). */
    pollMaxInterval?: number;
    /** When the poll stands by (default 'when-hidden'). */
    standby?: Poll.Standby | (() => boolean | Poll.Standby);
  }
}
