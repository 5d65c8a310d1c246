import { IStatusBadge, badgeFrom } from '../components/ToneBadge';
import { IJobProgress, IStatusTransition, JobStatus } from './tokens';

/** Statuses after which a job never changes again. */
const TERMINAL: ReadonlySet<string> = new Set([
  'Completed',
  'Failed',
  'Stopped'
]);

/** True for Completed, Failed and Stopped. */
export function isTerminal(status: string | null | undefined): boolean {
  return !!status && TERMINAL.has(status);
}

/** True while a job runs or is being stopped (its numbers still move). */
export function isActive(status: string | null | undefined): boolean {
  return status === 'InProgress' || status === 'Stopping';
}

export type { BadgeTone, IStatusBadge } from '../components/ToneBadge';

const BADGES: Record<JobStatus, IStatusBadge> = {
  InProgress: { tone: 'running', label: 'In progress' },
  Completed: { tone: 'success', label: 'Completed' },
  Failed: { tone: 'error', label: 'Failed' },
  Stopping: { tone: 'warning', label: 'Stopping' },
  Stopped: { tone: 'neutral', label: 'Stopped' }
};

/** The badge of a status; an unknown status reads as itself, neutral. */
export function statusBadge(status: string | null | undefined): IStatusBadge {
  return badgeFrom(BADGES, status);
}

/** Epoch milliseconds of an ISO-8601 time, or null. */
export function parseTime(value: string | null | undefined): number | null {
  if (!value) {
    return null;
  }
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

/**
 * A duration in the panel's words: "42 s", "3 min 05 s", "2 h 07 min",
 * "3 d 04 h"; "—" for none.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '—';
  }
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) {
    return `${s} s`;
  }
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    return `${minutes} min ${pad(s % 60)} s`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ${pad(minutes % 60)} min`;
  }
  return `${Math.floor(hours / 24)} d ${pad(hours % 24)} h`;
}

/**
 * Seconds a job has run: from its start (or creation) to its end, or to
 * `now` while it is not finished.
 */
export function jobDurationSeconds(
  job: {
    CreationTime?: string | null;
    StartTime?: string | null;
    EndTime?: string | null;
    Status?: string;
    DurationSeconds?: number | null;
  },
  now: number
): number | null {
  const start = parseTime(job.StartTime) ?? parseTime(job.CreationTime);
  const end = parseTime(job.EndTime);
  if (start !== null && end !== null) {
    return Math.max(0, (end - start) / 1000);
  }
  if (start !== null && !isTerminal(job.Status)) {
    return Math.max(0, (now - start) / 1000);
  }
  return job.DurationSeconds ?? null;
}

/** "1.5 KiB", "12 MiB", "3.2 GiB" (binary units, as the catalog shows memory). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) {
    return '—';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) {
    return `${Math.round(value)} B`;
  }
  const text = value < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${text.replace(/\.0$/, '')} ${units[unit]}`;
}

/** What a progress bar shows. */
export interface IProgressView {
  /** "Downloading inputs", "Uploading outputs". */
  label: string;
  /** 0..100, or null when the total is unknown. */
  percent: number | null;
  /** "12 MiB of 40 MiB (30%)". */
  text: string;
}

const PHASES: Record<string, string> = {
  Downloading: 'Downloading inputs',
  Uploading: 'Uploading outputs'
};

/** The bar of a job's staging or upload progress, or null for none. */
export function progressView(
  progress: IJobProgress | null | undefined
): IProgressView | null {
  if (!progress || !progress.Phase) {
    return null;
  }
  const label = PHASES[progress.Phase] ?? progress.Phase;
  const done = Math.max(0, progress.BytesDone || 0);
  const total = progress.BytesTotal || 0;
  if (total <= 0) {
    return { label, percent: null, text: `${formatBytes(done)}` };
  }
  const percent = Math.min(100, Math.floor((done / total) * 100));
  return {
    label,
    percent,
    text: `${formatBytes(done)} of ${formatBytes(total)} (${percent}%)`
  };
}

/** One row of the status timeline. */
export interface ITimelineRow {
  status: string;
  start: number | null;
  end: number | null;
  /** Seconds, up to `now` for the current (open) step. */
  durationSeconds: number | null;
  message: string;
  /** True for the last step while it has no end. */
  current: boolean;
}

/** The status timeline of a job's SecondaryStatusTransitions. */
export function timelineRows(
  transitions: ReadonlyArray<IStatusTransition> | null | undefined,
  now: number
): ITimelineRow[] {
  const list = transitions ?? [];
  return list.map((t, index) => {
    const start = parseTime(t.StartTime);
    const end = parseTime(t.EndTime);
    const current = end === null && index === list.length - 1;
    let durationSeconds: number | null = null;
    if (start !== null) {
      if (end !== null) {
        durationSeconds = Math.max(0, (end - start) / 1000);
      } else if (current) {
        durationSeconds = Math.max(0, (now - start) / 1000);
      }
    }
    return {
      status: t.Status,
      start,
      end,
      durationSeconds,
      message: t.StatusMessage ?? '',
      current
    };
  });
}

/** A time of day for a list row: "14:03:12" today, "May 3, 14:03" before. */
export function formatTime(
  value: string | number | null | undefined,
  now = Date.now()
): string {
  const time = typeof value === 'number' ? value : parseTime(value);
  if (time === null || time === undefined) {
    return '—';
  }
  const date = new Date(time);
  const today = new Date(now);
  if (date.toDateString() === today.toDateString()) {
    return date.toLocaleTimeString();
  }
  return date.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}
