import { ISessionContext } from '@jupyterlab/apputils';
import {
  Kernel,
  KernelAPI,
  KernelMessage,
  Session
} from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { IKernelRow, IRunningModel } from '../running/tokens';
import { IKernelHealth, parseHealth } from './health';
import { INotice, NoticeAction, NoticeState } from './noticeState';
import { refuseCellRuns, reviveKernelConnection } from './revive';

/** How a notebook shows what happened to its kernel (JupyterLab's UI). */
export interface INoticeView {
  show(notice: INotice): void;
  update(notice: INotice): void;
  dismiss(): void;
  /** A cell was run while the kernel is dead: say so, offer a restart. */
  remind(notice: INotice): void;
  /** A restart the user asked for is under way. */
  restarting(done: Promise<void>): void;
}

/** The health of a kernel as the Running panel's model has it. */
export function rowHealth(row: IKernelRow): IKernelHealth {
  return {
    reason: row.reason,
    restartCount: row.restartCount,
    restartLimit: row.restartLimit,
    lastDeath:
      row.lastDeathReason === null
        ? null
        : {
            at: row.lastDeathAt,
            reason: row.lastDeathReason,
            signal: null,
            exitCode: null,
            oomKilled: false,
            restarted: row.lastDeathRestarted
          }
  };
}

/**
 * Watches one notebook's kernel and tells its user when it died: restarted
 * automatically (with the cause), or dead (with the reason and a restart).
 *
 * JupyterLab's kernel connection treats `dead` as final: it disposes itself,
 * refuses `restart()` ("Kernel is dead"), throws on every cell run, and the
 * session keeps it, so Kernel > Restart Kernel does nothing. Atelier can
 * restart a dead kernel (on a new instance when its own was stopped), so the
 * guard makes a cell run on the dead connection end quietly with the reason,
 * and {@link restart} sends JupyterLab's restart request itself, then gives
 * the session a new connection to the restarted kernel.
 */
export class KernelDeathGuard implements IDisposable {
  constructor(options: KernelDeathGuard.IOptions) {
    this._context = options.sessionContext;
    this._running = options.running;
    this._view = options.view;
    this._context.statusChanged.connect(this._onStatus, this);
    this._context.kernelChanged.connect(this._onKernelChanged, this);
    this._context.sessionChanged.connect(this._onSessionChanged, this);
    this._running.changed.connect(this._onModel, this);
    this._watch(this._context.session);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The notice shown, or null. */
  get notice(): INotice | null {
    return this._state.notice;
  }

  /** The user closed the notice. */
  dismissed(): void {
    this._state.dismissed();
  }

  /** True when the notebook's kernel connection ended because it died. */
  get isDead(): boolean {
    const kernel = this._context.session?.kernel;
    return !!kernel && kernel.isDisposed && kernel.status === 'dead';
  }

  /**
   * Restart the kernel, as Kernel > Restart Kernel does. A dead kernel's
   * connection cannot, so the same request (`POST api/kernels/{id}/restart`)
   * is sent from here, and the session then gets a new connection to the
   * restarted kernel.
   */
  async restart(): Promise<void> {
    const session = this._context.session;
    const kernel = session?.kernel;
    if (!session || !kernel || !kernel.isDisposed) {
      await this._context.restartKernel();
      return;
    }
    const done = (async () => {
      await KernelAPI.restartKernel(kernel.id, kernel.serverSettings);
      reviveKernelConnection(session);
    })();
    this._view.dismiss();
    this._state.dismissed();
    this._view.restarting(done);
    await done;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._deadTimer);
    Signal.clearData(this);
    this._view.dismiss();
  }

  private _kernelId(): string | null {
    return this._context.session?.kernel?.id ?? null;
  }

  private _onStatus(_: ISessionContext, status: Kernel.Status): void {
    const id = this._kernelId();
    if (id === null) {
      return;
    }
    this._apply(this._state.status(id, status, this._context.isRestarting));
    if (status === 'dead') {
      // The connection disposes itself right after telling its status.
      clearTimeout(this._deadTimer);
      this._deadTimer = setTimeout(() => this._onDeadConnection(), 0);
    }
  }

  private _onDeadConnection(): void {
    const kernel = this._context.session?.kernel;
    if (!this._isDisposed && kernel && kernel.isDisposed) {
      const id = kernel.id;
      refuseCellRuns(kernel, () => {
        // Even when the user closed the notification.
        const notice = this._state.notice;
        this._view.remind(
          notice?.kind === 'dead' && notice.kernelId === id
            ? notice
            : { kind: 'dead', kernelId: id, health: this._state.healthOf(id) }
        );
      });
    }
  }

  private _onKernelChanged(
    _: ISessionContext,
    args: Session.ISessionConnection.IKernelChangedArgs
  ): void {
    this._apply(this._state.kernelChanged(args.newValue?.id ?? null));
    this._onModel();
  }

  private _onSessionChanged(
    _: ISessionContext,
    args: {
      oldValue: Session.ISessionConnection | null;
      newValue: Session.ISessionConnection | null;
    }
  ): void {
    args.oldValue?.anyMessage.disconnect(this._onMessage, this);
    this._watch(args.newValue);
  }

  private _watch(session: Session.ISessionConnection | null): void {
    session?.anyMessage.connect(this._onMessage, this);
  }

  private _onMessage(
    sender: Session.ISessionConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const { msg, direction } = args;
    const id = sender.kernel?.id;
    if (!id) {
      return;
    }
    if (
      direction === 'recv' &&
      msg.channel === 'iopub' &&
      msg.header.msg_type === 'status'
    ) {
      const state = (msg as KernelMessage.IStatusMsg).content.execution_state;
      if (state === 'restarting' || state === 'dead') {
        this._apply(
          this._state.health(
            id,
            parseHealth(msg.metadata as Record<string, unknown>)
          )
        );
      }
    }
  }

  private _onModel(): void {
    const id = this._kernelId();
    const row = id === null ? undefined : this._running.get(id);
    if (id !== null && row) {
      this._apply(this._state.model(id, row.state, rowHealth(row)));
    }
  }

  private _apply(action: NoticeAction): void {
    if (this._isDisposed) {
      return;
    }
    switch (action.type) {
      case 'show':
        this._view.show(action.notice);
        break;
      case 'update':
        this._view.update(action.notice);
        break;
      case 'dismiss':
        this._view.dismiss();
        break;
      default:
        break;
    }
  }

  private _context: ISessionContext;
  private _running: IRunningModel;
  private _view: INoticeView;
  private _state = new NoticeState();
  private _isDisposed = false;
  private _deadTimer: ReturnType<typeof setTimeout> | undefined;
}

export namespace KernelDeathGuard {
  export interface IOptions {
    sessionContext: ISessionContext;
    running: IRunningModel;
    view: INoticeView;
  }
}
