import { deathCause, IKernelHealth } from './health';

/** What happened to a notebook's kernel, as told to the user. */
export type NoticeKind = 'restarted' | 'dead';

/** The file name of a notebook path: "a/b/train.ipynb" -> "train.ipynb". */
export function baseName(path: string): string {
  const parts = path.split('/').filter(part => part.length > 0);
  return parts.length > 0 ? parts[parts.length - 1] : path;
}

/** A sentence's end: a trailing period or semicolon removed. */
function clause(text: string): string {
  return text.trim().replace(/[.;]+$/, '');
}

/** Why it died, or a plain fallback when the server did not say. */
export function causeOf(health: IKernelHealth | null): string {
  return clause(
    deathCause(health?.lastDeath ?? null) ??
      health?.reason ??
      'the server did not say why'
  );
}

/** Why it is dead, or a plain fallback. */
export function deadReasonOf(health: IKernelHealth | null): string {
  return clause(
    health?.reason ??
      deathCause(health?.lastDeath ?? null) ??
      'the server did not say why'
  );
}

/** "(2 of 5 in a row)" for an automatic restart, or "" when not known. */
export function attemptOf(health: IKernelHealth | null): string {
  if (!health || health.restartCount <= 0 || health.restartLimit <= 0) {
    return '';
  }
  return ` (automatic restart ${health.restartCount} of ${health.restartLimit} in a row)`;
}

/** JupyterLab's toasts show at most this many characters of a message (then "…"). */
export const TOAST_MAX_LENGTH = 140;

/**
 * A restart's notification within what a toast shows, so that the cause
 * (such as the instance type's memory limit) is never the part cut off: the
 * plain sentence when it fits, else a shorter one, with the notebook's name
 * shortened last.
 */
function restartedMessage(name: string, cause: string): string {
  const full = `The kernel of ${name} died and was restarted: ${cause}.`;
  if (full.length <= TOAST_MAX_LENGTH) {
    return full;
  }
  const rest = `: kernel restarted, ${cause}.`;
  const room = TOAST_MAX_LENGTH - rest.length;
  if (name.length <= room) {
    return name + rest;
  }
  return (room > 1 ? name.slice(0, room - 1) : name.slice(0, 1)) + '…' + rest;
}

/** The one-line notification: what happened and why. */
export function noticeMessage(
  kind: NoticeKind,
  path: string,
  health: IKernelHealth | null
): string {
  const name = baseName(path);
  if (kind === 'restarted') {
    return restartedMessage(name, causeOf(health));
  }
  return `The kernel of ${name} is dead: ${deadReasonOf(health)}.`;
}

/** Title of the details dialog. */
export function noticeTitle(kind: NoticeKind): string {
  return kind === 'restarted' ? 'Kernel Restarted' : 'Kernel Dead';
}

/** The whole story, with what to do next. */
export function noticeDetails(
  kind: NoticeKind,
  path: string,
  health: IKernelHealth | null
): string {
  if (kind === 'restarted') {
    return (
      `The kernel of ${path} died and was restarted automatically` +
      `${attemptOf(health)}: ${causeOf(health)}. ` +
      'Its variables are lost: run the cells you need again.'
    );
  }
  return (
    `The kernel of ${path} is dead: ${deadReasonOf(health)}. ` +
    'Restart the kernel (Kernel > Restart Kernel) to go on: it starts again ' +
    '(on a new instance if its instance was stopped), without its variables.'
  );
}
