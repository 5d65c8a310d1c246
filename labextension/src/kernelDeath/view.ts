import { Dialog, Notification } from '@jupyterlab/apputils';

import { showNamedDialog } from '../notify';
import { messageOf } from '../messages';
import { baseName, noticeDetails, noticeMessage, noticeTitle } from './format';
import { INoticeView } from './guard';
import { INotice } from './noticeState';

/** How long a "restarted" notice stays on screen (it stays in the list). */
const RESTARTED_AUTO_CLOSE = 20_000;

/**
 * A notebook's kernel notices as JupyterLab notifications: "restarted" as a
 * warning that closes by itself, "dead" as an error that stays, with
 * Restart Kernel; Details opens the whole story in a dialog.
 */
export class NotificationNoticeView implements INoticeView {
  constructor(options: NotificationNoticeView.IOptions) {
    this._path = options.path;
    this._restart = options.restart;
    this._closed = options.closed;
  }

  show(notice: INotice): void {
    this.dismiss();
    this._id = Notification.emit(this._message(notice), this._type(notice), {
      autoClose: this._autoClose(notice),
      actions: this._actions(notice)
    });
  }

  update(notice: INotice): void {
    if (this._id === null) {
      this.show(notice);
      return;
    }
    Notification.update({
      id: this._id,
      message: this._message(notice),
      type: this._type(notice),
      autoClose: this._autoClose(notice),
      actions: this._actions(notice)
    });
  }

  dismiss(): void {
    if (this._id !== null) {
      Notification.dismiss(this._id);
      this._id = null;
    }
  }

  remind(notice: INotice): void {
    void this._details(notice);
  }

  restarting(done: Promise<void>): void {
    const name = baseName(this._path());
    Notification.promise(
      done.then(() => null),
      {
        pending: { message: `Restarting the kernel of ${name}…`, options: {} },
        success: {
          message: () => `The kernel of ${name} restarted.`,
          options: { autoClose: 5000 }
        },
        error: {
          message: (error: unknown) =>
            `Could not restart the kernel of ${name}: ${messageOf(error)}`,
          options: { autoClose: false }
        }
      }
    );
  }

  private _message(notice: INotice): string {
    return noticeMessage(notice.kind, this._path(), notice.health);
  }

  private _type(notice: INotice): Notification.TypeOptions {
    return notice.kind === 'dead' ? 'error' : 'warning';
  }

  private _autoClose(notice: INotice): number | false {
    return notice.kind === 'dead' ? false : RESTARTED_AUTO_CLOSE;
  }

  private _actions(notice: INotice): Notification.IAction[] {
    const details: Notification.IAction = {
      label: 'Details',
      caption: 'Why the kernel died and what to do',
      callback: event => {
        // Keep the notice: the dialog is about it.
        event.preventDefault();
        void this._details(notice);
      }
    };
    if (notice.kind === 'restarted') {
      return [details];
    }
    return [
      {
        label: 'Restart Kernel',
        caption: 'Start the kernel again, without its variables',
        displayType: 'accent',
        callback: () => {
          this._id = null;
          this._closed();
          void this._restart();
        }
      },
      details
    ];
  }

  /** One dialog at a time, however many cells were run. */
  private async _details(notice: INotice): Promise<void> {
    if (this._dialogOpen) {
      return;
    }
    this._dialogOpen = true;
    try {
      const dead = notice.kind === 'dead';
      const result = await showNamedDialog({
        title: noticeTitle(notice.kind),
        body: noticeDetails(notice.kind, this._path(), notice.health),
        buttons: dead
          ? [
              Dialog.cancelButton({ label: 'Close' }),
              Dialog.okButton({ label: 'Restart Kernel' })
            ]
          : [Dialog.okButton({ label: 'OK' })]
      });
      if (dead && result.button.accept) {
        this.dismiss();
        this._closed();
        await this._restart();
      }
    } finally {
      this._dialogOpen = false;
    }
  }

  private _path: () => string;
  private _restart: () => Promise<void>;
  private _closed: () => void;
  private _id: string | null = null;
  private _dialogOpen = false;
}

export namespace NotificationNoticeView {
  export interface IOptions {
    /** The notebook's path, read when a notice is shown. */
    path: () => string;
    /** Restart the notebook's kernel. */
    restart: () => Promise<void>;
    /** The notice went away by the user's choice. */
    closed: () => void;
  }
}
