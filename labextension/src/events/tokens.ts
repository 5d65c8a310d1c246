import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import type { IDebuggerEvent } from '../jobs/debugger/tokens';
import type { IEndpointSummary } from '../endpoints/tokens';
import type { IExperiment, IRun } from '../experiments/tokens';
import type { IJobSummary } from '../jobs/tokens';
import type { IKernelInfo } from '../running/tokens';

/** Id of the events plugin. */
export const EVENTS_PLUGIN_ID = '@atelier/labextension:events';

/**
 * Frames of the `{wsUrl}atelier/api/events` WebSocket: JSON text frames,
 * each with a `type` that names its shape. The server sends a `kernels`
 * frame on every connection, then whenever a frame's subject changes.
 */

/** The full list of kernels (on connect, then on every change). */
export interface IKernelsEvent {
  type: 'kernels';
  kernels: IKernelInfo[];
}

/** A job changed (created, a new status, finished). */
export interface IJobEvent {
  type: 'job';
  job: IJobSummary;
}

/** A kernel died: it is being restarted automatically, or left dead. */
export interface IKernelDeathEvent {
  type: 'kernel_death';
  action: 'restarting' | 'dead';
  kernel: IKernelInfo;
}

/**
 * A run was created, changed status or logged: the run as MLflow's
 * `runs/get` returns it (latest metric values). Frames of one run are
 * coalesced, a few a second at most.
 */
export interface IRunEvent {
  type: 'run';
  run: IRun;
}

/**
 * An experiment was created, renamed, deleted or restored, or its runs
 * were added or deleted: the experiment as `experiments/get` returns it,
 * and its active run count.
 */
export interface IExperimentEvent {
  type: 'experiment';
  experiment: IExperiment;
  run_count?: number;
}

/** Every frame type the browser understands, by its `type`. */
/** An instance its idle rule stopped, with the notebooks whose kernels went with it. */
export interface IInstanceStoppedEvent {
  type: 'instance_stopped';
  reason: 'idle';
  instance: { id: string; instance_type: string; image: string };
  notebooks: string[];
  /** What to tell the user, in a sentence. */
  message: string;
}

/**
 * An endpoint was created, changed status or weights, had an instance
 * replaced, or was deleted (`deleted: true`): its list summary with its
 * production variants.
 */
export interface IEndpointEvent {
  type: 'endpoint';
  endpoint: IEndpointSummary;
  deleted?: boolean;
}

export interface IEventFrameMap {
  kernels: IKernelsEvent;
  job: IJobEvent;
  kernel_death: IKernelDeathEvent;
  instance_stopped: IInstanceStoppedEvent;
  run: IRunEvent;
  experiment: IExperimentEvent;
  endpoint: IEndpointEvent;
  /** A training job's rule statuses changed (to the job's owner). */
  debugger: IDebuggerEvent;
}

/** The `type` of a known frame. */
export type EventFrameType = keyof IEventFrameMap;

/** Any known frame. */
export type EventFrame = IEventFrameMap[EventFrameType];

/**
 * Where the connection stands: `idle` while no one holds the stream,
 * `connecting` for the first attempt, `open`, and `reconnecting` after a
 * drop (waiting for the next attempt, or making it).
 */
export type EventsStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

/**
 * The one events WebSocket of the page. Panels hold it open while they
 * need it and listen to the frame types they show; the stream parses each
 * frame once and emits it on the signal of its type.
 */
export interface IAtelierEvents {
  readonly status: EventsStatus;
  readonly statusChanged: ISignal<IAtelierEvents, EventsStatus>;
  /**
   * The stream opened again after a drop: frames sent meanwhile were
   * missed, so a listener fetches again what it shows.
   */
  readonly reconnected: ISignal<IAtelierEvents, void>;
  /** Delay before the next reconnection attempt, in ms. */
  readonly reconnectDelay: number;
  /** The signal of one frame type (the same signal on every call). */
  frame<K extends EventFrameType>(
    type: K
  ): ISignal<IAtelierEvents, IEventFrameMap[K]>;
  /**
   * Keep the stream open until the handle is disposed: the first holder
   * opens the WebSocket, the last one to let go closes it.
   */
  acquire(): IDisposable;
}

export const IAtelierEvents = new Token<IAtelierEvents>(
  '@atelier/labextension:IAtelierEvents',
  'The Atelier event stream: one WebSocket a page, a signal per frame type.'
);
