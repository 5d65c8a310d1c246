/**
 * What the server says about a kernel that died: in the metadata of the
 * iopub `status` message (`restarting` or `dead`) it publishes on the
 * kernel's own channels, and in Atelier's kernel model (`reason`,
 * `restart_count`, `restart_limit`, `last_death`).
 */

/** The kernel's last unexpected end, as the server describes it. */
export interface ILastDeath {
  /** ISO-8601 UTC time of the death. */
  at: string | null;
  /** Why, in words: "the kernel process was killed by signal 9 (SIGKILL)". */
  reason: string | null;
  signal: number | null;
  exitCode: number | null;
  /** The instance type's memory limit killed it. */
  oomKilled: boolean;
  /** It was started again automatically. */
  restarted: boolean;
}

/** Why a kernel is restarting or dead. */
export interface IKernelHealth {
  /** Why it is dead (set while dead), or null. */
  reason: string | null;
  /** Consecutive automatic restarts (what the limit counts). */
  restartCount: number;
  /** Automatic restarts allowed in a row before it is left dead (0: none). */
  restartLimit: number;
  lastDeath: ILastDeath | null;
}

/** The fields of a status message's metadata or a kernel model. */
export interface IHealthFields {
  reason?: unknown;
  restart_count?: unknown;
  restart_limit?: unknown;
  last_death?: unknown;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.floor(value)
    : 0;
}

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** Reads the last death; null when absent or without anything to say. */
export function parseLastDeath(value: unknown): ILastDeath | null {
  if (!value || typeof value !== 'object') {
    return null;
  }
  const d = value as Record<string, unknown>;
  const death: ILastDeath = {
    at: text(d.at),
    reason: text(d.reason),
    signal: integer(d.signal),
    exitCode: integer(d.exit_code),
    oomKilled: d.oom_killed === true,
    restarted: d.restarted === true
  };
  return death.reason === null &&
    death.signal === null &&
    death.exitCode === null &&
    !death.oomKilled
    ? null
    : death;
}

/**
 * Reads the health fields, or returns null when there are none (a server
 * that does not send them, or a status message of the kernel itself).
 */
export function parseHealth(
  fields: IHealthFields | null | undefined
): IKernelHealth | null {
  if (!fields || typeof fields !== 'object') {
    return null;
  }
  const known =
    'reason' in fields ||
    'restart_count' in fields ||
    'restart_limit' in fields ||
    'last_death' in fields;
  if (!known) {
    return null;
  }
  return {
    reason: text(fields.reason),
    restartCount: count(fields.restart_count),
    restartLimit: count(fields.restart_limit),
    lastDeath: parseLastDeath(fields.last_death)
  };
}

/**
 * Why the kernel died, in words: the server's sentence, else one made from
 * the signal or exit code, else null.
 */
export function deathCause(death: ILastDeath | null): string | null {
  if (!death) {
    return null;
  }
  if (death.reason) {
    return death.reason;
  }
  if (death.oomKilled) {
    return 'the kernel ran out of memory and was killed';
  }
  if (death.signal !== null) {
    return `the kernel process was killed by signal ${death.signal}`;
  }
  if (death.exitCode !== null) {
    return `the kernel process exited with code ${death.exitCode}`;
  }
  return null;
}
