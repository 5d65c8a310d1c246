import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/**
 * A list of display rows kept from the server's snapshots, as the Running
 * panel's lists are: sorted for display, `changed` emitted only when
 * something visible changed, and rows that display the same thing keep
 * their identity (so React skips them).
 */
export abstract class RowList<
  Row extends { id: string }
> implements IDisposable {
  constructor(now?: () => number) {
    this.now = now ?? (() => Date.now());
  }

  /** True once a first snapshot arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Find a row by id. */
  get(id: string): Row | undefined {
    return this._rows.find(row => row.id === id);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** The rows, sorted for display. */
  protected get rows(): ReadonlyArray<Row> {
    return this._rows;
  }

  /** Display order. */
  protected abstract compare(a: Row, b: Row): number;

  /** True when two rows display the same thing (by default: every field). */
  protected sameRow(a: Row, b: Row): boolean {
    const keys = Object.keys(a) as Array<keyof Row>;
    return keys.every(key => a[key] === b[key]);
  }

  /**
   * Take the rows of a full snapshot. The first snapshot always emits, so
   * a panel stops saying it is loading even when the list is empty.
   *
   * @returns whether anything visible changed
   */
  protected applySnapshot(rows: Row[]): boolean {
    const wasLoaded = this._loaded;
    this._loaded = true;
    const changed = this.reconcile(rows);
    if (!changed && !wasLoaded) {
      this.emit();
      return true;
    }
    return changed;
  }

  /** Sort new rows, keeping the old row where nothing visible changed. */
  protected reconcile(rows: Row[]): boolean {
    const previous = new Map(this._rows.map(row => [row.id, row]));
    const next = rows.map(row => {
      const old = previous.get(row.id);
      return old && this.sameRow(old, row) ? old : row;
    });
    next.sort((a, b) => this.compare(a, b));
    return this.replace(next);
  }

  /** Replace the rows as they are; emits unless every row is the same. */
  protected replace(next: Row[]): boolean {
    const same =
      next.length === this._rows.length &&
      next.every((row, index) => row === this._rows[index]);
    if (same) {
      return false;
    }
    this._rows = next;
    this.emit();
    return true;
  }

  protected emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  /** Clock, in epoch milliseconds (injectable for tests). */
  protected readonly now: () => number;
  private _rows: Row[] = [];
  private _loaded = false;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}
