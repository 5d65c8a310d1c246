import { NoticeKind } from './format';
import { IKernelHealth } from './health';

/** The notice a notebook shows about its kernel. */
export interface INotice {
  kind: NoticeKind;
  kernelId: string;
  health: IKernelHealth | null;
}

/** What the notebook's notification has to do. */
export type NoticeAction =
  | { type: 'none' }
  | { type: 'show'; notice: INotice }
  | { type: 'update'; notice: INotice }
  | { type: 'dismiss' };

const NONE: NoticeAction = { type: 'none' };

/** JupyterLab statuses of a kernel that answers. */
const ALIVE = new Set(['idle', 'busy']);

function sameHealth(a: IKernelHealth | null, b: IKernelHealth | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Decides what a notebook tells its user about its kernel, from what
 * JupyterLab's client sees (statuses) and what the server says (the
 * metadata of its status messages, Atelier's kernel model). Pure logic: it
 * returns actions and keeps no timers.
 *
 * - an automatic restart (JupyterLab's `autorestarting`, not a restart the
 *   user asked for) shows "restarted" with the cause of death;
 * - `dead` shows "dead" with the reason, until the kernel answers again or
 *   the notebook gets another kernel;
 * - Atelier's model saying `dead` shows "dead" too (a notebook opened on a
 *   dead kernel, or one that missed the status message), unless JupyterLab
 *   sees the kernel answering (the model lags behind a restart).
 */
export class NoticeState {
  /** The notice shown, or null. */
  get notice(): INotice | null {
    return this._notice;
  }

  /** What the server last said about a kernel, or null. */
  healthOf(kernelId: string): IKernelHealth | null {
    return this._health.get(kernelId) ?? null;
  }

  /** JupyterLab's status of the notebook's kernel changed. */
  status(kernelId: string, status: string, userRestart: boolean): NoticeAction {
    this._kernelId = kernelId;
    this._alive = ALIVE.has(status);
    if (status === 'autorestarting' && !userRestart) {
      return this._show('restarted', kernelId);
    }
    if (status === 'dead') {
      return this._show('dead', kernelId);
    }
    if (this._alive && this._notice?.kind === 'dead') {
      return this._dismiss();
    }
    return NONE;
  }

  /** The server said why (a status message's metadata). */
  health(kernelId: string, health: IKernelHealth | null): NoticeAction {
    if (health === null) {
      return NONE;
    }
    this._health.set(kernelId, health);
    const notice = this._notice;
    if (
      notice &&
      notice.kernelId === kernelId &&
      !sameHealth(notice.health, health)
    ) {
      this._notice = { ...notice, health };
      return { type: 'update', notice: this._notice };
    }
    return NONE;
  }

  /** Atelier's model of the kernel (from the Running panel's feed). */
  model(
    kernelId: string,
    state: string,
    health: IKernelHealth | null
  ): NoticeAction {
    if (kernelId !== this._kernelId) {
      return NONE;
    }
    if (state === 'dead' && !this._alive) {
      const known = this._health.get(kernelId) ?? null;
      // The status message's metadata is the fresher one when both came.
      const merged = health && (!known || health.reason) ? health : known;
      if (this._notice?.kind === 'dead' && this._notice.kernelId === kernelId) {
        return this.health(kernelId, merged);
      }
      if (merged) {
        this._health.set(kernelId, merged);
      }
      return this._show('dead', kernelId);
    }
    return NONE;
  }

  /** The notebook's session now has another kernel (or none). */
  kernelChanged(kernelId: string | null): NoticeAction {
    if (kernelId === null || kernelId === this._kernelId) {
      return NONE;
    }
    this._kernelId = kernelId;
    this._alive = false;
    return this._notice ? this._dismiss() : NONE;
  }

  /** The user closed the notice. */
  dismissed(): void {
    this._notice = null;
  }

  private _show(kind: NoticeKind, kernelId: string): NoticeAction {
    const health = this._health.get(kernelId) ?? null;
    const notice = this._notice;
    if (notice && notice.kind === kind && notice.kernelId === kernelId) {
      if (sameHealth(notice.health, health)) {
        return NONE;
      }
      this._notice = { kind, kernelId, health };
      return { type: 'update', notice: this._notice };
    }
    this._notice = { kind, kernelId, health };
    return { type: 'show', notice: this._notice };
  }

  private _dismiss(): NoticeAction {
    this._notice = null;
    return { type: 'dismiss' };
  }

  private _notice: INotice | null = null;
  private _kernelId: string | null = null;
  private _alive = false;
  private _health = new Map<string, IKernelHealth>();
}
