import { ISignal, Signal } from '@lumino/signaling';

import { IExperimentsClient } from './client';
import {
  BASE_COLUMNS,
  IColumn,
  IRunRow,
  ISort,
  combinedFilter,
  errorPosition,
  keyColumns,
  sortRows,
  toRow
} from './table';
import { IExperiment, IRun } from './tokens';

/** The filter's error as the server gave it, and where it points in the typed text. */
export interface IFilterError {
  message: string;
  position: number | null;
}

/**
 * What the Experiments panel shows: the experiments, the runs of one of
 * them (filtered by the server), their order, the shown columns and the
 * selection. Live frames update single rows; nothing re-fetches the table
 * except a new filter, a new experiment or a reconnection.
 */
export class ExperimentsModel {
  constructor(client: IExperimentsClient) {
    this._client = client;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  experiments: IExperiment[] = [];
  /** Run counts of the experiments, as the last full load of each found them. */
  readonly counts = new Map<string, number>();
  experimentId: string | null = null;
  typedFilter = '';
  statuses: string[] = [];
  sourceTypes: string[] = [];
  sort: ISort | null = { column: 'start', descending: true };
  loading = false;
  error: IFilterError | null = null;
  /** How long the last load and the last sort took, in ms (shown, and read by the benchmark). */
  loadMs = 0;
  sortMs = 0;
  readonly selection = new Set<string>();
  /** Ids of the param, metric and tag columns shown besides the base ones. */
  shownKeys: string[] = [];

  /** The rows in display order. */
  get rows(): ReadonlyArray<IRunRow> {
    if (!this._sorted) {
      const t0 = performance.now();
      this._sorted = sortRows(this._rows, this.sort, Date.now());
      this.sortMs = performance.now() - t0;
    }
    return this._sorted;
  }

  get total(): number {
    return this._rows.length;
  }

  /** Every param, metric and tag column the loaded runs have. */
  get keyColumns(): ReadonlyArray<IColumn> {
    if (!this._keyColumns) {
      this._keyColumns = keyColumns(this._rows);
    }
    return this._keyColumns;
  }

  get columns(): IColumn[] {
    const byId = new Map(this.keyColumns.map(c => [c.id, c]));
    return [
      ...BASE_COLUMNS,
      ...this.shownKeys.map(id => byId.get(id)).filter((c): c is IColumn => !!c)
    ];
  }

  async loadExperiments(): Promise<void> {
    this.experiments = await this._client.experiments();
    if (
      this.experimentId === null ||
      !this.experiments.some(e => e.experiment_id === this.experimentId)
    ) {
      this.experimentId = this.experiments[0]?.experiment_id ?? null;
    }
    this._changed.emit();
  }

  /** Fetch the runs of the current experiment with the current filters. */
  async loadRuns(): Promise<void> {
    const id = this.experimentId;
    if (id === null) {
      this._setRows([]);
      return;
    }
    const filter = combinedFilter(
      this.typedFilter,
      this.statuses,
      this.sourceTypes
    );
    const request = ++this._request;
    this.loading = true;
    this._changed.emit();
    const t0 = performance.now();
    try {
      const runs = await this._client.runs(id, filter);
      if (request !== this._request) {
        return;
      }
      this.error = null;
      this._setRows(runs.map(toRow));
      this.loadMs = performance.now() - t0;
      if (!filter) {
        this.counts.set(id, runs.length);
      }
    } catch (error) {
      if (request !== this._request) {
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.error = {
        message,
        position: errorPosition(message, this.typedFilter)
      };
    } finally {
      if (request === this._request) {
        this.loading = false;
        this._changed.emit();
      }
    }
  }

  selectExperiment(id: string): Promise<void> {
    this.experimentId = id;
    this.selection.clear();
    return this.loadRuns();
  }

  setSort(column: string): void {
    if (this.sort?.column === column) {
      this.sort = { column, descending: !this.sort.descending };
    } else {
      this.sort = { column, descending: column === 'start' };
    }
    this._sorted = null;
    this._changed.emit();
  }

  toggleKey(id: string): void {
    this.shownKeys = this.shownKeys.includes(id)
      ? this.shownKeys.filter(k => k !== id)
      : [...this.shownKeys, id];
    this._changed.emit();
  }

  /** Select a row: alone, toggled (ctrl/cmd), or a range from the last one clicked (shift). */
  select(id: string, mode: 'only' | 'toggle' | 'range'): void {
    if (mode === 'range' && this._anchor !== null) {
      const rows = this.rows;
      const a = rows.findIndex(r => r.id === this._anchor);
      const b = rows.findIndex(r => r.id === id);
      if (a >= 0 && b >= 0) {
        for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
          this.selection.add(rows[i].id);
        }
        this._changed.emit();
        return;
      }
    }
    if (mode === 'toggle') {
      if (!this.selection.delete(id)) {
        this.selection.add(id);
      }
    } else {
      this.selection.clear();
      this.selection.add(id);
    }
    this._anchor = id;
    this._changed.emit();
  }

  clearSelection(): void {
    this.selection.clear();
    this._changed.emit();
  }

  get selectedRows(): IRunRow[] {
    return this._rows.filter(r => this.selection.has(r.id));
  }

  /**
   * A run frame: the row replaced or added in place. A run that is new and
   * the table is filtered is added only if it passes the quick filters; the
   * typed filter is the server's to apply, so it shows at the next load.
   */
  applyRun(run: IRun): void {
    if (run.info.experiment_id !== this.experimentId) {
      return;
    }
    const row = toRow(run);
    const index = this._index.get(row.id);
    if (run.info.lifecycle_stage === 'deleted') {
      if (index !== undefined) {
        this._setRows(this._rows.filter(r => r.id !== row.id));
        this._changed.emit();
      }
      return;
    }
    if (index !== undefined) {
      this._rows[index] = row;
    } else {
      if (this.typedFilter.trim()) {
        return;
      }
      if (this.statuses.length && !this.statuses.includes(row.status)) {
        return;
      }
      if (
        this.sourceTypes.length &&
        !this.sourceTypes.includes(row.sourceType)
      ) {
        return;
      }
      this._index.set(row.id, this._rows.length);
      this._rows.push(row);
      const id = this.experimentId;
      if (id !== null && this.counts.has(id)) {
        this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      }
    }
    this._sorted = null;
    this._keyColumns = null;
    this._changed.emit();
  }

  /** An experiment frame: the list updated in place. */
  applyExperiment(experiment: IExperiment): void {
    const i = this.experiments.findIndex(
      e => e.experiment_id === experiment.experiment_id
    );
    if (experiment.lifecycle_stage === 'deleted') {
      if (i >= 0) {
        this.experiments.splice(i, 1);
      }
    } else if (i >= 0) {
      this.experiments[i] = experiment;
    } else {
      this.experiments.push(experiment);
    }
    this._changed.emit();
  }

  private _setRows(rows: IRunRow[]): void {
    this._rows = rows;
    this._index = new Map(rows.map((r, i) => [r.id, i]));
    this._sorted = null;
    this._keyColumns = null;
    for (const id of [...this.selection]) {
      if (!this._index.has(id)) {
        this.selection.delete(id);
      }
    }
  }

  private _client: IExperimentsClient;
  private _rows: IRunRow[] = [];
  private _index = new Map<string, number>();
  private _sorted: IRunRow[] | null = null;
  private _keyColumns: IColumn[] | null = null;
  private _request = 0;
  private _anchor: string | null = null;
  private _changed = new Signal<this, void>(this);
}
