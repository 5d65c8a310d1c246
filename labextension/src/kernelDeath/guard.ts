import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel, KernelMessage, Session } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { IKernelRow, IRunningModel } from '../tokens';
import { IKernelHealth, parseHealth } from './health';
import { INotice, NoticeAction, NoticeState } from './noticeState';
import { reviveKernelConnection } from './revive';

/** How a notebook shows what happened to its kernel (JupyterLab's UI). */
export interface INoticeView {
  show(notice: INotice): void;
  update(notice: INotice): void;
  dismiss(): void;
  /** A cell was run while the kernel is dead: say so, offer a restart. */
  remind(notice: INotice): void;
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
 * A dead kernel's connection is replaced by a new one to the same kernel, so
 * that JupyterLab's Restart Kernel reaches the server and a cell run does
 * not throw "Kernel is dead".
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

  /**
   * Restart the kernel (the notice's button): a dead kernel's connection is
   * made again first, then JupyterLab restarts it as Kernel > Restart Kernel
   * does.
   */
  async restart(): Promise<void> {
    const session = this._context.session;
    if (session) {
      reviveKernelConnection(session);
    }
    await this._context.restartKernel();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._reviveTimer);
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
      clearTimeout(this._reviveTimer);
      this._reviveTimer = setTimeout(() => this._revive(), 0);
    }
  }

  private _revive(): void {
    const session = this._context.session;
    if (!this._isDisposed && session) {
      reviveKernelConnection(session);
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
      return;
    }
    const notice = this._state.notice;
    if (
      direction === 'send' &&
      msg.header.msg_type === 'execute_request' &&
      notice?.kind === 'dead' &&
      notice.kernelId === id
    ) {
      this._view.remind(notice);
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
  private _reviveTimer: ReturnType<typeof setTimeout> | undefined;
}

export namespace KernelDeathGuard {
  export interface IOptions {
    sessionContext: ISessionContext;
    running: IRunningModel;
    view: INoticeView;
  }
}
