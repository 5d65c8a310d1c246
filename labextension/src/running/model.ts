import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { FeedStatus, IKernelInfo, IKernelRow, IRunningModel } from '../tokens';
import { compareRows, formatRelativeTime, toRow } from './format';

/** True when two rows display the same thing. */
function sameRow(a: IKernelRow, b: IKernelRow): boolean {
  const keys = Object.keys(a) as Array<keyof IKernelRow>;
  return keys.every(key => a[key] === b[key]);
}

/**
 * The list of running kernels shown by the Running panel.
 *
 * Pure logic: it receives kernel snapshots (from the WebSocket or the
 * poll), merges them into display rows, and emits `changed` only when
 * something visible changed. Unchanged rows keep their identity.
 */
export class RunningModel implements IRunningModel, IDisposable {
  constructor(options: RunningModel.IOptions = {}) {
    this._now = options.now ?? (() => Date.now());
  }

  /** The kernels, sorted for display. */
  get kernels(): ReadonlyArray<IKernelRow> {
    return this._rows;
  }

  /** True once a first snapshot arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  get feedStatus(): FeedStatus {
    return this._feedStatus;
  }

  get feedError(): string | null {
    return this._feedError;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Find a kernel row by id. */
  get(id: string): IKernelRow | undefined {
    return this._rows.find(row => row.id === id);
  }

  /**
   * Merge a full snapshot of the running kernels: new kernels are added,
   * known ones updated, missing ones removed.
   *
   * @returns whether anything visible changed
   */
  update(kernels: ReadonlyArray<IKernelInfo>): boolean {
    const now = this._now();
    const previous = new Map(this._rows.map(row => [row.id, row]));
    const seen = new Set<string>();
    const next: IKernelRow[] = [];
    for (const kernel of kernels) {
      if (!kernel || typeof kernel.id !== 'string' || seen.has(kernel.id)) {
        continue;
      }
      seen.add(kernel.id);
      const row = toRow(kernel, now);
      const old = previous.get(row.id);
      next.push(old && sameRow(old, row) ? old : row);
    }
    next.sort(compareRows);
    const wasLoaded = this._loaded;
    this._loaded = true;
    const changed = this._replace(next);
    if (!changed && !wasLoaded) {
      this._emit();
      return true;
    }
    return changed;
  }

  /** Drop a kernel right away (e.g. after shutting it down). */
  remove(id: string): boolean {
    return this._replace(this._rows.filter(row => row.id !== id));
  }

  /** Recompute the relative "last activity" labels. */
  tick(): boolean {
    const now = this._now();
    let dirty = false;
    const next = this._rows.map(row => {
      const label = formatRelativeTime(row.lastActivity, now);
      if (label === row.lastActivityLabel) {
        return row;
      }
      dirty = true;
      return { ...row, lastActivityLabel: label };
    });
    if (dirty) {
      this._rows = next;
      this._emit();
    }
    return dirty;
  }

  /** Record how updates arrive and the last background error. */
  setFeed(status: FeedStatus, error: string | null = null): void {
    if (status === this._feedStatus && error === this._feedError) {
      return;
    }
    this._feedStatus = status;
    this._feedError = error;
    this._emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _replace(next: IKernelRow[]): boolean {
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
  private _rows: IKernelRow[] = [];
  private _loaded = false;
  private _feedStatus: FeedStatus = 'connecting';
  private _feedError: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace RunningModel {
  export interface IOptions {
    /** Clock, in epoch milliseconds (injectable for tests). */
    now?: () => number;
  }
}
