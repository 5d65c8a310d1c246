import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { frameOf } from './frames';
import {
  EventFrameType,
  EventsStatus,
  IAtelierEvents,
  IEventFrameMap
} from './tokens';

/** The part of the WebSocket API the stream uses. */
export interface IWebSocketLike {
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  close(code?: number, reason?: string): void;
}

/**
 * The events WebSocket, opened once for every listener of the page.
 *
 * It is open while someone holds it (`acquire()`). When it drops it tries
 * again after a delay that starts at `reconnectDelay` and doubles on every
 * failed attempt up to `reconnectMaxDelay`; an open socket resets the
 * delay. Each text frame is parsed once and emitted on the signal of its
 * `type`; frames that are not JSON are logged and skipped, unknown types
 * and frames missing what their type carries are skipped.
 */
export class EventStream implements IAtelierEvents, IDisposable {
  constructor(options: EventStream.IOptions) {
    this._url = options.url;
    this._createSocket =
      options.createSocket ??
      ((url: string) => new WebSocket(url) as unknown as IWebSocketLike);
    this._minDelay = options.reconnectDelay ?? 1000;
    this._maxDelay = Math.max(
      this._minDelay,
      options.reconnectMaxDelay ?? 30 * 1000
    );
    this._delay = this._minDelay;
  }

  get status(): EventsStatus {
    return this._status;
  }

  get statusChanged(): ISignal<this, EventsStatus> {
    return this._statusChanged;
  }

  get reconnected(): ISignal<this, void> {
    return this._reconnected;
  }

  get reconnectDelay(): number {
    return this._delay;
  }

  /** How many hold the stream open. */
  get holders(): number {
    return this._holders;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  frame<K extends EventFrameType>(type: K): ISignal<this, IEventFrameMap[K]> {
    let signal = this._signals.get(type);
    if (!signal) {
      signal = new Signal<this, any>(this);
      this._signals.set(type, signal);
    }
    return signal as Signal<this, IEventFrameMap[K]>;
  }

  acquire(): IDisposable {
    if (this._isDisposed) {
      return new DisposableDelegate(() => undefined);
    }
    this._holders++;
    if (this._holders === 1) {
      this._setStatus('connecting');
      this._connect();
    }
    return new DisposableDelegate(() => this._release());
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._holders = 0;
    this._close();
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _release(): void {
    if (this._isDisposed || this._holders === 0) {
      return;
    }
    this._holders--;
    if (this._holders === 0) {
      this._close();
      this._setStatus('idle');
    }
  }

  private _connect(): void {
    let socket: IWebSocketLike;
    try {
      socket = this._createSocket(this._url);
    } catch {
      this._onDrop(null);
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      if (this._socket !== socket) {
        return;
      }
      const again = this._status === 'reconnecting';
      this._delay = this._minDelay;
      this._setStatus('open');
      if (again) {
        this._reconnected.emit();
      }
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
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      console.warn('Atelier: ignoring a malformed event', data);
      return;
    }
    const frame = frameOf(value);
    if (frame) {
      this._signals.get(frame.type)?.emit(frame);
    }
  }

  /** The socket closed or failed: try again later, backing off. */
  private _onDrop(socket: IWebSocketLike | null): void {
    if (
      this._isDisposed ||
      this._holders === 0 ||
      (socket !== null && this._socket !== socket)
    ) {
      return;
    }
    this._detach();
    this._setStatus('reconnecting');
    const delay = this._delay;
    this._delay = Math.min(this._delay * 2, this._maxDelay);
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = setTimeout(() => {
      if (!this._isDisposed && this._holders > 0 && !this._socket) {
        this._connect();
      }
    }, delay);
  }

  /** Stop reconnecting and close the socket; the next holder starts afresh. */
  private _close(): void {
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = undefined;
    this._detach();
    this._delay = this._minDelay;
  }

  private _detach(): void {
    const socket = this._socket;
    this._socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
  }

  private _setStatus(status: EventsStatus): void {
    if (status !== this._status) {
      this._status = status;
      this._statusChanged.emit(status);
    }
  }

  private _url: string;
  private _createSocket: (url: string) => IWebSocketLike;
  private _socket: IWebSocketLike | null = null;
  private _signals = new Map<EventFrameType, Signal<this, any>>();
  private _status: EventsStatus = 'idle';
  private _statusChanged = new Signal<this, EventsStatus>(this);
  private _reconnected = new Signal<this, void>(this);
  private _holders = 0;
  private _isDisposed = false;
  private _minDelay: number;
  private _maxDelay: number;
  private _delay: number;
  private _reconnectTimer: ReturnType<typeof setTimeout> | undefined;
}

export namespace EventStream {
  export interface IOptions {
    /** Full WebSocket URL, token included. */
    url: string;
    /** Socket factory (tests inject a fake). */
    createSocket?: (url: string) => IWebSocketLike;
    /** First reconnection delay in ms (default 1000), doubled per failure. */
    reconnectDelay?: number;
    /** Longest reconnection delay in ms (default 30000). */
    reconnectMaxDelay?: number;
  }
}
