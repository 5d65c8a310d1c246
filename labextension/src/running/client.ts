import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';

import { messageOf } from '../messages';
import { FeedStatus, IKernelInfo, IKernelsEvent } from '../tokens';

/** The part of the WebSocket API the client uses. */
export interface IWebSocketLike {
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  close(code?: number, reason?: string): void;
}

/**
 * Live kernel updates for the Running panel.
 *
 * Listens to the `atelier/api/events` WebSocket. While the socket is down it
 * reconnects with exponential backoff and, meanwhile, polls the REST list
 * with a Lumino `Poll` (which backs off on errors and stands by while the
 * page is hidden). Once the socket is back, polling stops.
 */
export class KernelEventsClient implements IDisposable {
  constructor(options: KernelEventsClient.IOptions) {
    this._options = options;
    this._createSocket =
      options.createSocket ??
      ((url: string) => new WebSocket(url) as unknown as IWebSocketLike);
    this._minDelay = options.reconnectDelay ?? 1000;
    this._maxDelay = Math.max(
      this._minDelay,
      options.reconnectMaxDelay ?? 30 * 1000
    );
    this._delay = this._minDelay;
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

  /** Delay before the next reconnection attempt, in ms. */
  get reconnectDelay(): number {
    return this._delay;
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

  /** Open the WebSocket. */
  start(): void {
    if (this._isDisposed || this._socket || this._started) {
      return;
    }
    this._started = true;
    this._connect();
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
    clearTimeout(this._reconnectTimer);
    this._poll.dispose();
    const socket = this._socket;
    this._socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close();
    }
  }

  private _connect(): void {
    let socket: IWebSocketLike;
    try {
      socket = this._createSocket(this._options.url);
    } catch {
      this._onDrop(null);
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      if (this._socket !== socket) {
        return;
      }
      this._delay = this._minDelay;
      void this._poll.stop();
      this._failing = false;
      this._setStatus('live', null);
    };
    socket.onmessage = event => {
      if (this._socket === socket) {
        this._onMessage(event.data);
      }
    };
    socket.onclose = () => this._onDrop(socket);
    socket.onerror = () => this._onDrop(socket);
  }

  private _onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      return;
    }
    let event: IKernelsEvent;
    try {
      event = JSON.parse(data);
    } catch {
      console.warn('Atelier: ignoring a malformed event', data);
      return;
    }
    if (event && event.type === 'kernels' && Array.isArray(event.kernels)) {
      this._options.onKernels(event.kernels);
    }
  }

  /** The socket closed or failed: poll meanwhile, reconnect later. */
  private _onDrop(socket: IWebSocketLike | null): void {
    if (this._isDisposed || (socket !== null && this._socket !== socket)) {
      return;
    }
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
    this._socket = null;
    this._setStatus('polling', this._error);
    void this._poll.start();
    const delay = this._delay;
    this._delay = Math.min(this._delay * 2, this._maxDelay);
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = setTimeout(() => {
      if (!this._isDisposed && !this._socket) {
        this._connect();
      }
    }, delay);
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

  private _options: KernelEventsClient.IOptions;
  private _createSocket: (url: string) => IWebSocketLike;
  private _socket: IWebSocketLike | null = null;
  private _poll: Poll<void, unknown, 'standby'>;
  private _status: FeedStatus = 'connecting';
  private _error: string | null = null;
  private _failing = false;
  private _started = false;
  private _isDisposed = false;
  private _minDelay: number;
  private _maxDelay: number;
  private _delay: number;
  private _reconnectTimer: ReturnType<typeof setTimeout> | undefined;
}

export namespace KernelEventsClient {
  export interface IOptions {
    /** Full WebSocket URL, token included. */
    url: string;
    /** Fetch the kernel list over HTTP. */
    fetchKernels: () => Promise<IKernelInfo[]>;
    /** Receives every snapshot (from the socket or the poll). */
    onKernels: (kernels: IKernelInfo[]) => void;
    /** Status changes, with the last poll error (or null). */
    onStatus?: (status: FeedStatus, error: string | null) => void;
    /** The first error of each streak of failed polls. */
    onError?: (error: unknown) => void;
    /** Socket factory (tests inject a fake). */
    createSocket?: (url: string) => IWebSocketLike;
    /** Fallback poll interval in ms (default 3000). */
    pollInterval?: number;
    /** Longest poll interval after backing off, in ms (default 30000). */
    pollMaxInterval?: number;
    /** First reconnection delay in ms (default 1000), doubled per failure. */
    reconnectDelay?: number;
    /** Longest reconnection delay in ms (default 30000). */
    reconnectMaxDelay?: number;
    /** When the poll stands by (default 'when-hidden'). */
    standby?: Poll.Standby | (() => boolean | Poll.Standby);
  }
}
