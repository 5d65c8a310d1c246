import { IDockerStatus, IInstanceInfo, IInstanceRow } from './tokens';
import { dockerNotice } from './dockerNotice';
import { compareInstances, toInstanceRow } from './instanceFormat';
import { RowList } from './rowList';

/** Re-fetch at most this often while an instance is past its stop time. */
const REFRESH_DUE_AFTER = 2000;

interface IEntry {
  info: IInstanceInfo;
  receivedAt: number;
}

/**
 * The running instances shown by the Running panel.
 *
 * Pure logic: it receives snapshots of `GET atelier/api/instances` and
 * derives display rows; `tick()` advances uptime, cost and countdowns with
 * the browser's clock between snapshots. Emits `changed` only when something
 * visible changed; unchanged rows keep their identity.
 */
export class InstancesModel extends RowList<IInstanceRow> {
  constructor(options: InstancesModel.IOptions = {}) {
    super(options.now);
  }

  /** The instances, sorted for display. */
  get instances(): ReadonlyArray<IInstanceRow> {
    return this.rows;
  }

  /** The last error of fetching the list, or null. */
  get error(): string | null {
    return this._error;
  }

  /** Why Docker instances cannot start, for the panel; null when they can. */
  get dockerNotice(): string | null {
    return this._dockerNotice;
  }

  /**
   * Replace the list with a full snapshot.
   *
   * @returns whether anything visible changed
   */
  update(instances: ReadonlyArray<IInstanceInfo>): boolean {
    const now = this.now();
    this._snapshotAt = now;
    const seen = new Set<string>();
    this._entries = new Map();
    for (const info of instances) {
      if (!info || typeof info.id !== 'string' || seen.has(info.id)) {
        continue;
      }
      seen.add(info.id);
      this._entries.set(info.id, { info, receivedAt: now });
    }
    return this.applySnapshot(this._rowsAt(now));
  }

  /** Drop an instance right away (e.g. after shutting it down). */
  remove(id: string): boolean {
    if (!this._entries.delete(id)) {
      return false;
    }
    return this.reconcile(this._rowsAt(this.now()));
  }

  /** Advance uptime, cost and countdowns to the current time. */
  tick(): boolean {
    return this.reconcile(this._rowsAt(this.now()));
  }

  /**
   * True when an instance is past its stop or idle time and the last
   * snapshot is older than two seconds: the server has stopped it, or is
   * about to, and a new snapshot would show it.
   */
  get refreshDue(): boolean {
    if (this.now() - this._snapshotAt < REFRESH_DUE_AFTER) {
      return false;
    }
    return this.rows.some(row => row.secondsLeft === 0);
  }

  /** Record the server's word on Docker (null or absent: nothing to say). */
  setDocker(status: IDockerStatus | null | undefined): void {
    const notice = dockerNotice(status);
    if (notice !== this._dockerNotice) {
      this._dockerNotice = notice;
      this.emit();
    }
  }

  /** Record the last error of fetching the list (null when it works). */
  setError(error: string | null): void {
    if (error !== this._error) {
      this._error = error;
      this.emit();
    }
  }

  protected compare(a: IInstanceRow, b: IInstanceRow): number {
    return compareInstances(a, b);
  }

  protected sameRow(a: IInstanceRow, b: IInstanceRow): boolean {
    const keys = Object.keys(a) as Array<keyof IInstanceRow>;
    return keys.every(key => {
      if (key === 'kernels' || key === 'notebooks') {
        return JSON.stringify(a[key]) === JSON.stringify(b[key]);
      }
      return a[key] === b[key];
    });
  }

  /** The display rows of the last snapshot at a time. */
  private _rowsAt(now: number): IInstanceRow[] {
    return [...this._entries.values()].map(({ info, receivedAt }) =>
      toInstanceRow(info, receivedAt, now)
    );
  }

  private _entries = new Map<string, IEntry>();
  private _snapshotAt = 0;
  private _error: string | null = null;
  private _dockerNotice: string | null = null;
}

export namespace InstancesModel {
  export interface IOptions {
    /** Clock, in epoch milliseconds (injectable for tests). */
    now?: () => number;
  }
}
