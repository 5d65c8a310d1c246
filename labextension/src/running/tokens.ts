import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/**
 * The Running panel: its token, the kernel and instance shapes of the
 * kernels and instances API, the rows it displays, and its command ids.
 */

/** Id of the Running plugin (after the colon: its settings schema file). */
export const RUNNING_PLUGIN_ID = '@atelier/labextension:running';

/** Stable DOM id of the Running panel in the left sidebar. */
export const RUNNING_PANEL_ID = 'atelier-running';

/** Command ids of the Running panel. */
export namespace RunningCommandIDs {
  export const open = 'atelier:running-open';
  export const refresh = 'atelier:running-refresh';
  export const shutdownAll = 'atelier:running-shutdown-all';
  export const shutdownAllInstances = 'atelier:running-shutdown-all-instances';
}

/** Execution states the panel knows how to colour. */
export type ExecutionState =
  'idle' | 'busy' | 'starting' | 'restarting' | 'dead' | 'unknown';

/** A kernel as served by `GET {baseUrl}atelier/api/kernels`. */
export interface IKernelInfo {
  id: string;
  name: string;
  display_name: string;
  language: string;
  /** Notebook path relative to the JupyterLab root, or null when unknown. */
  path: string | null;
  execution_state: string;
  /** ISO-8601 UTC timestamp, e.g. `2026-05-25T16:51:55.360609Z`. */
  last_activity: string | null;
  started: string | null;
  connections: number;
  /** Why a kernel is dead, or null. */
  reason: string | null;
  /** Consecutive automatic restarts (what the restart limit counts). */
  restart_count?: number;
  /** Automatic restarts allowed in a row before it is left dead. */
  restart_limit?: number;
  /** Its last unexpected end, or null. */
  last_death?: IKernelDeathInfo | null;
  /** The instance the kernel runs on (absent from older servers). */
  instance_id?: string | null;
  /** Its instance type, e.g. `ml.t3.medium`. */
  instance_type?: string | null;
  /** Its image, e.g. `local` or `atelier/base:latest`. */
  image?: string | null;
  /** When the type's kernel idle rule shuts it down, unless it gets busy. */
  idle_shutdown_at?: string | null;
}

/** A kernel's last unexpected end, as the Atelier API serves it. */
export interface IKernelDeathInfo {
  at?: string | null;
  /** Why, in words: "the kernel process was killed by signal 9 (SIGKILL)". */
  reason?: string | null;
  signal?: number | null;
  exit_code?: number | null;
  oom_killed?: boolean;
  /** It was started again automatically. */
  restarted?: boolean;
}

/** Body of `GET {baseUrl}atelier/api/kernels`. */
export interface IKernelsResponse {
  kernels: IKernelInfo[];
}

/** A kernel with the fields the panel displays. */
export interface IKernelRow {
  id: string;
  name: string;
  displayName: string;
  language: string;
  path: string | null;
  /** The path, or "—" when unknown. */
  pathLabel: string;
  /** Names the kernel in labels: its path, else display name and short id. */
  label: string;
  state: ExecutionState;
  /** Dead reason (only set for dead kernels with a reason). */
  reason: string | null;
  /** Consecutive automatic restarts, and how many are allowed in a row. */
  restartCount: number;
  restartLimit: number;
  /** Why it last died unexpectedly, when, and whether it was restarted. */
  lastDeathReason: string | null;
  lastDeathAt: string | null;
  lastDeathRestarted: boolean;
  lastActivity: string | null;
  /** Relative time such as "12 s ago", or "—". */
  lastActivityLabel: string;
  started: string | null;
  connections: number;
  instanceId: string | null;
  instanceType: string | null;
  image: string | null;
  /** When its type's kernel idle rule shuts it down (epoch ms), or null. */
  idleShutdownAt: number | null;
  /** "in 44 min 59 s", "due now", or null without a deadline. */
  idleShutdownLabel: string | null;
}

/** How the panel currently receives updates. */
export type FeedStatus = 'connecting' | 'live' | 'polling';

/** The Running panel's model, as seen by other plugins. */
export interface IRunningModel {
  readonly kernels: ReadonlyArray<IKernelRow>;
  /** Find a kernel row by id. */
  get(id: string): IKernelRow | undefined;
  readonly feedStatus: FeedStatus;
  /** Last error of the background feed, or null when it works. */
  readonly feedError: string | null;
  readonly changed: ISignal<IRunningModel, void>;
}

/** The running instances as other plugins see them (the status bar's cost). */
export interface IInstancesView {
  readonly instances: ReadonlyArray<IInstanceRow>;
  /** Find an instance row by id. */
  get(id: string): IInstanceRow | undefined;
  /** Advance uptime, cost and countdowns with the browser's clock. */
  tick(): boolean;
  readonly changed: ISignal<any, void>;
}

/** What the running plugin provides to other plugins. */
export interface IAtelierRunning {
  readonly model: IRunningModel;
  /** The running instances, kept live by the same feed as the panel's. */
  readonly instances: IInstancesView;
  /** Fetch the kernel list now. */
  refresh(): Promise<void>;
  /** Fetch the instance list now. */
  refreshInstances(): Promise<void>;
}

export const IAtelierRunning = new Token<IAtelierRunning>(
  '@atelier/labextension:IAtelierRunning',
  'The Atelier Running panel: live list of kernels.'
);

/** A kernel of an instance, as `GET {baseUrl}atelier/api/instances` lists it. */
export interface IInstanceKernel {
  id: string;
  name?: string | null;
  path: string | null;
  execution_state: string;
}

/** A running instance, as served by `GET {baseUrl}atelier/api/instances`. */
export interface IInstanceInfo {
  id: string;
  instance_type: string;
  image: string;
  runtime: string;
  state: string;
  vcpus: number;
  memory_bytes: number;
  price_per_hour: number;
  /** ISO-8601 UTC timestamp, or null before it started. */
  started: string | null;
  /** Seconds since it started, at the server's clock when answering. */
  uptime_seconds: number;
  /** US dollars billed so far. */
  cost_so_far: number;
  /** When it stops for lack of kernels (grace period), or null. */
  stops_at: string | null;
  /** When its idle rule stops it, unless a kernel gets busy, or null. */
  idle_shutdown_at?: string | null;
  /** Whether its type's CPU and memory limits are enforced, and if not why. */
  limits?: IInstanceLimits;
  kernels: IInstanceKernel[];
}

/** An instance's limits as the server reports them. */
export interface IInstanceLimits {
  /** True when enforced, false when not, null while the instance starts. */
  enforced: boolean | null;
  /** Why they are not enforced. */
  problem: string | null;
}

/** Whether Docker instances can start, as the server reports it. */
export interface IDockerStatus {
  available: boolean;
  /** Why not, when not available. */
  problem: string | null;
}

/** Body of `GET {baseUrl}atelier/api/instances`. */
export interface IInstancesResponse {
  instances: IInstanceInfo[];
  /** Absent from older servers. */
  docker?: IDockerStatus;
}

/** What a deadline of an instance means. */
export type DeadlineKind = 'stop' | 'idle';

/** A running instance with the fields the panel displays. */
export interface IInstanceRow {
  id: string;
  instanceType: string;
  image: string;
  runtime: string;
  state: string;
  /** "2 vCPU · 4 GiB". */
  specLabel: string;
  pricePerHour: number;
  kernels: ReadonlyArray<IInstanceKernel>;
  /** Notebook names (base names) of its kernels, in path order. */
  notebooks: ReadonlyArray<string>;
  /** Uptime in whole seconds, at the last tick. */
  uptimeSeconds: number;
  /** "1 h 02 min". */
  uptimeLabel: string;
  /** "$0.0123". */
  costLabel: string;
  /** The nearer of the grace stop and the idle shutdown, or null. */
  deadlineKind: DeadlineKind | null;
  /** Seconds left before it, at the last tick (0 once passed). */
  secondsLeft: number | null;
  /** "stops in 0:45", "idle shutdown in 59 min", or "—". */
  deadlineLabel: string;
  /** Why the instance runs without its type's limits, or null when it has them. */
  limitsNotice: string | null;
}
