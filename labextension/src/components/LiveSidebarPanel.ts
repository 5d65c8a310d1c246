import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';

/** What keeps a sidebar list live while it shows (the event stream held, the list fetched). */
export interface ISidebarFeed {
  show(): void;
  hide(): void;
  refresh(): Promise<void>;
}

/**
 * A sidebar panel whose list is live only while it is visible: its feed is
 * shown and a tick runs every `tickInterval` ms (relative times, durations)
 * from when it shows until it is hidden, detached or disposed.
 */
export abstract class LiveSidebarPanel extends ReactWidget {
  constructor(
    protected readonly feed: ISidebarFeed,
    private readonly _tickInterval: number
  ) {
    super();
  }

  dispose(): void {
    this._stop();
    super.dispose();
  }

  /** Every tick while visible. */
  protected abstract onTick(): void;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this._start();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._start();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._stop();
  }

  protected onBeforeDetach(msg: Message): void {
    this._stop();
    super.onBeforeDetach(msg);
  }

  private _start(): void {
    this.feed.show();
    if (this._timer === undefined) {
      this._timer = setInterval(() => this.onTick(), this._tickInterval);
    }
  }

  private _stop(): void {
    this.feed.hide();
    if (this._timer !== undefined) {
      clearInterval(this._timer);
      this._timer = undefined;
    }
  }

  private _timer: ReturnType<typeof setInterval> | undefined;
}
