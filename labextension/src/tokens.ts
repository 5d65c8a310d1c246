import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/** Stable DOM id of the Running panel in the left sidebar. */
export const RUNNING_PANEL_ID = 'atelier-running';

/** Plugin ids (the part after the colon names the settings schema file). */
export namespace PluginIDs {
  export const running = '@atelier/labextension:running';
}

/** Command ids contributed by the extension. */
export namespace CommandIDs {
  export const open = 'atelier:running-open';
  export const refresh = 'atelier:running-refresh';
  export const shutdownAll = 'atelier:running-shutdown-all';
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
  /** Why a kernel died, or null. */
  reason: string | null;
}

/** Body of `GET {baseUrl}atelier/api/kernels`. */
export interface IKernelsResponse {
  kernels: IKernelInfo[];
}

/** A text frame of the `{wsUrl}atelier/api/events` WebSocket. */
export interface IKernelsEvent {
  type: 'kernels';
  kernels: IKernelInfo[];
}

/** Error body of the Atelier REST API. */
export interface IServerError {
  reason?: string | null;
  message?: string | null;
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
  lastActivity: string | null;
  /** Relative time such as "12 s ago", or "—". */
  lastActivityLabel: string;
  started: string | null;
  connections: number;
}

/** How the panel currently receives updates. */
export type FeedStatus = 'connecting' | 'live' | 'polling';

/** The Running panel's model, as seen by other plugins. */
export interface IRunningModel {
  readonly kernels: ReadonlyArray<IKernelRow>;
  readonly feedStatus: FeedStatus;
  /** Last error of the background feed, or null when it works. */
  readonly feedError: string | null;
  readonly changed: ISignal<IRunningModel, void>;
}

/** What the running plugin provides to other plugins. */
export interface IAtelierRunning {
  readonly model: IRunningModel;
  /** Fetch the kernel list now. */
  refresh(): Promise<void>;
}

export const IAtelierRunning = new Token<IAtelierRunning>(
  '@atelier/labextension:IAtelierRunning',
  'The Atelier Running panel: live list of kernels.'
);
