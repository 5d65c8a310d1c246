import { deathCause, parseLastDeath } from '../kernelDeath/health';
import { formatDuration } from './duration';
import { ExecutionState, IKernelInfo, IKernelRow } from './tokens';

/** Shown where a value is unknown. */
export const UNKNOWN = '—';

const STATES: ReadonlyArray<ExecutionState> = [
  'idle',
  'busy',
  'starting',
  'restarting',
  'dead'
];

/** Map a server execution state onto the states the panel colours. */
export function normalizeState(
  state: string | null | undefined
): ExecutionState {
  const value = (state ?? '').toLowerCase();
  if ((STATES as string[]).includes(value)) {
    return value as ExecutionState;
  }
  // jupyter_server's own transitional names.
  if (value === 'autorestarting') {
    return 'restarting';
  }
  return 'unknown';
}

/**
 * Parse an ISO-8601 timestamp into epoch milliseconds.
 *
 * Fractions finer than milliseconds (e.g. `.360609Z`) are truncated so that
 * every JavaScript engine accepts them. Returns null when unparsable.
 */
export function parseTimestamp(
  value: string | null | undefined
): number | null {
  if (!value) {
    return null;
  }
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? null : time;
}

/**
 * A short relative time: "just now", "12 s ago", "3 min ago", "2 h ago",
 * "5 d ago". Timestamps slightly in the future (clock skew) read "just now".
 */
export function formatRelativeTime(
  value: string | null | undefined,
  now: number
): string {
  const time = parseTimestamp(value);
  if (time === null) {
    return UNKNOWN;
  }
  const seconds = Math.floor((now - time) / 1000);
  if (seconds < 1) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  return `${Math.floor(hours / 24)} d ago`;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.floor(value)
    : 0;
}

/**
 * What the panel says about a kernel's deaths besides its state: "restarted
 * 2 times in a row: <why it last died>" for a kernel restarted automatically
 * and running again, or null.
 */
export function restartsLabel(row: IKernelRow): string | null {
  if (
    row.state === 'dead' ||
    !row.lastDeathRestarted ||
    row.lastDeathReason === null
  ) {
    return null;
  }
  const times =
    row.restartCount <= 1
      ? 'restarted once'
      : `restarted ${row.restartCount} times in a row`;
  return `${times}: ${row.lastDeathReason}`;
}

/** Build the display row of a kernel. */
export function toRow(kernel: IKernelInfo, now: number): IKernelRow {
  const state = normalizeState(kernel.execution_state);
  const displayName = kernel.display_name || kernel.name || UNKNOWN;
  const path = kernel.path ? kernel.path : null;
  const idleShutdownAt = parseTimestamp(kernel.idle_shutdown_at);
  return {
    id: kernel.id,
    name: kernel.name,
    displayName,
    language: kernel.language,
    path,
    pathLabel: path ?? UNKNOWN,
    label: path ?? `${displayName} ${kernel.id.slice(0, 8)}`,
    state,
    reason: state === 'dead' && kernel.reason ? kernel.reason : null,
    restartCount: count(kernel.restart_count),
    restartLimit: count(kernel.restart_limit),
    lastDeathReason: deathCause(parseLastDeath(kernel.last_death)),
    lastDeathAt: kernel.last_death?.at ?? null,
    lastDeathRestarted: kernel.last_death?.restarted === true,
    lastActivity: kernel.last_activity,
    lastActivityLabel: formatRelativeTime(kernel.last_activity, now),
    started: kernel.started,
    connections: Number.isFinite(kernel.connections) ? kernel.connections : 0,
    instanceId: kernel.instance_id ?? null,
    instanceType: kernel.instance_type ?? null,
    image: kernel.image ?? null,
    idleShutdownAt,
    idleShutdownLabel: kernelIdleLabel(idleShutdownAt, now)
  };
}

/**
 * When a kernel's idle rule shuts it down, from now: "in 44 min 59 s", or
 * "due now" once the time has come (the server stops it on its next check).
 * Null without a deadline (no rule, or the kernel is busy).
 */
export function kernelIdleLabel(at: number | null, now: number): string | null {
  if (at === null) {
    return null;
  }
  const left = (at - now) / 1000;
  return left <= 0 ? 'due now' : `in ${formatDuration(Math.ceil(left))}`;
}

/**
 * Order of the list: kernels with a notebook path first, by path; then the
 * others by display name; the id breaks ties so the order is stable.
 */
export function compareRows(a: IKernelRow, b: IKernelRow): number {
  if (a.path !== null && b.path === null) {
    return -1;
  }
  if (a.path === null && b.path !== null) {
    return 1;
  }
  const byPath = (a.path ?? '').localeCompare(b.path ?? '', undefined, {
    sensitivity: 'base',
    numeric: true
  });
  if (byPath !== 0) {
    return byPath;
  }
  const byName = a.displayName.localeCompare(b.displayName);
  if (byName !== 0) {
    return byName;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * One line naming a kernel in a confirmation: "path — kernel name", or
 * "kernel name (no notebook, id 1a2b3c4d)" when the notebook is unknown.
 */
export function describeKernel(row: IKernelRow): string {
  if (row.path) {
    return `${row.path} — ${row.displayName}`;
  }
  return `${row.displayName} (no notebook, id ${row.id.slice(0, 8)})`;
}

/** The lines listing what "Shut down all" stops, in list order. */
export function shutdownAllLines(rows: ReadonlyArray<IKernelRow>): string[] {
  return rows.map(describeKernel);
}

/** Heading of the "Shut down all" confirmation. */
export function shutdownAllSummary(count: number): string {
  return count === 1
    ? 'This kernel will be shut down:'
    : `These ${count} kernels will be shut down:`;
}

/** Body of the single "Shut down" confirmation, naming the notebook. */
export function shutdownOneText(row: IKernelRow): string {
  if (row.path) {
    return `Shut down the ${row.displayName} kernel of ${row.path}?`;
  }
  return `Shut down the ${row.displayName} kernel ${row.id}? It has no known notebook.`;
}
