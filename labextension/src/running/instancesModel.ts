import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IDockerStatus, IInstanceInfo, IInstanceRow } from '../tokens';
import { dockerNotice } from './dockerNotice';
import { compareInstances, toInstanceRow } from './instanceFormat';

/** Re-fetch at most this often while an instance is past its stop time. */
const REFRESH_DUE_AFTER = 2000;

/** True when two rows display the same thing. */
function sameRow(a: IInstanceRow, b: IInstanceRow): boolean {
  const keys = Object.keys(a) as Array<keyof IInstanceRow>;
  return keys.every(key => {
    if (key === 'kernels' || key === 'notebooks') {
      return JSON.stringify(a[key]) === JSON.stringify(b[key]);
    }
    return a[key] === b[key];
  });
}

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
export class InstancesModel implements IDisposable {
  constructor(options: InstancesModel.IOptions = {}) {
    this._now = options.now ?? (() => Date.now());
  }

  /** The instances, sorted for display. */
  get instances(): ReadonlyArray<IInstanceRow> {
    return this._rows;
  }

  /** True once a first snapshot arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The last error of fetching the list, or null. */
  get error(): string | null {
    return this._error;
  }

  /** Why Docker instances cannot start, for the panel; null when they can. */
  get dockerNotice(): string | null {
    return this._dockerNotice;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Find an instance row by id. */
  get(id: string): IInstanceRow | undefined {
    return this._rows.find(row => row.id === id);
  }

  /**
   * Replace the list with a full snapshot.
   *
   * @returns whether anything visible changed
   */
  update(instances: ReadonlyArray<IInstanceInfo>): boolean {
    const now = this._now();
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
    const wasLoaded = this._loaded;
    this._loaded = true;
    const changed = this._recompute(now);
    if (!changed && !wasLoaded) {
      this._emit();
      return true;
    }
    return changed;
  }

  /** Drop an instance right away (e.g. after shutting it down). */
  remove(id: string): boolean {
    if (!this._entries.delete(id)) {
      return false;
    }
    return this._recompute(this._now());
  }

  /** Advance uptime, cost and countdowns to the current time. */
  tick(): boolean {
    return this._recompute(this._now());
  }

  /**
   * True when an instance is past its stop or idle time and the last
   * snapshot is older than two seconds: the server has stopped it, or is
   * about to, and a new snapshot would show it.
   */
  get refreshDue(): boolean {
    if (this._now() - this._snapshotAt < REFRESH_DUE_AFTER) {
      return false;
    }
    return this._rows.some(row => row.secondsLeft === 0);
  }

  /** Record the server's word on Docker (null or absent: nothing to say). */
  setDocker(status: IDockerStatus | null | undefined): void {
    const notice = dockerNotice(status);
    if (notice !== this._dockerNotice) {
      this._dockerNotice = notice;
      this._emit();
    }
  }

  /** Record the last error of fetching the list (null when it works). */
  setError(error: string | null): void {
    if (error !== this._error) {
      this._error = error;
      this._emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _recompute(now: number): boolean {
    const previous = new Map(this._rows.map(row => [row.id, row]));
    const next: IInstanceRow[] = [];
    for (const { info, receivedAt } of this._entries.values()) {
      const row = toInstanceRow(info, receivedAt, now);
      const old = previous.get(row.id);
      next.push(old && sameRow(old, row) ? old : row);
    }
    next.sort(compareInstances);
    const same =
      next.length === this._rows.length &&
      next.every((row, index) => row === this._rows[index]);
    if (same) {
      return false;
    }
    this._rows = next;
    this._emit();
    return true;
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _now: () => number;
  private _entries = new Map<string, IEntry>();
  private _rows: IInstanceRow[] = [];
  private _loaded = false;
  private _snapshotAt = 0;
  private _error: string | null = null;
  private _dockerNotice: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace InstancesModel {
  export interface IOptions {
    /** Clock, in epoch milliseconds (injectable for tests). */
    now?: () => number;
  }
}
