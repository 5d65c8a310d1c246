import { FeedStatus, IKernelInfo, IKernelRow, IRunningModel } from './tokens';
import {
  compareRows,
  formatRelativeTime,
  kernelIdleLabel,
  toRow
} from './format';
import { RowList } from './rowList';

/**
 * The list of running kernels shown by the Running panel.
 *
 * Pure logic: it receives kernel snapshots (from the WebSocket or the
 * poll), merges them into display rows, and emits `changed` only when
 * something visible changed. Unchanged rows keep their identity.
 */
export class RunningModel extends RowList<IKernelRow> implements IRunningModel {
  constructor(options: RunningModel.IOptions = {}) {
    super(options.now);
  }

  /** The kernels, sorted for display. */
  get kernels(): ReadonlyArray<IKernelRow> {
    return this.rows;
  }

  get feedStatus(): FeedStatus {
    return this._feedStatus;
  }

  get feedError(): string | null {
    return this._feedError;
  }

  /**
   * Merge a full snapshot of the running kernels: new kernels are added,
   * known ones updated, missing ones removed.
   *
   * @returns whether anything visible changed
   */
  update(kernels: ReadonlyArray<IKernelInfo>): boolean {
    const now = this.now();
    const seen = new Set<string>();
    const rows: IKernelRow[] = [];
    for (const kernel of kernels) {
      if (!kernel || typeof kernel.id !== 'string' || seen.has(kernel.id)) {
        continue;
      }
      seen.add(kernel.id);
      rows.push(toRow(kernel, now));
    }
    return this.applySnapshot(rows);
  }

  /** Drop a kernel right away (e.g. after shutting it down). */
  remove(id: string): boolean {
    return this.replace(this.rows.filter(row => row.id !== id));
  }

  /** Recompute the relative "last activity" labels and the idle shutdown countdowns. */
  tick(): boolean {
    const now = this.now();
    let dirty = false;
    const next = this.rows.map(row => {
      const label = formatRelativeTime(row.lastActivity, now);
      const idle = kernelIdleLabel(row.idleShutdownAt, now);
      if (label === row.lastActivityLabel && idle === row.idleShutdownLabel) {
        return row;
      }
      dirty = true;
      return { ...row, lastActivityLabel: label, idleShutdownLabel: idle };
    });
    return dirty && this.replace(next);
  }

  /** Record how updates arrive and the last background error. */
  setFeed(status: FeedStatus, error: string | null = null): void {
    if (status === this._feedStatus && error === this._feedError) {
      return;
    }
    this._feedStatus = status;
    this._feedError = error;
    this.emit();
  }

  protected compare(a: IKernelRow, b: IKernelRow): number {
    return compareRows(a, b);
  }

  private _feedStatus: FeedStatus = 'connecting';
  private _feedError: string | null = null;
}

export namespace RunningModel {
  export interface IOptions {
    /** Clock, in epoch milliseconds (injectable for tests). */
    now?: () => number;
  }
}
