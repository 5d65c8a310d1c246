import { ISignal, Signal } from '@lumino/signaling';

import { IExperimentsClient, IRunPages } from './client';
import {
  BASE_COLUMNS,
  IColumn,
  IRunRow,
  ISort,
  combinedFilter,
  errorPosition,
  keyColumns,
  serverOrder,
  sortRows,
  toRow
} from './table';
import { IExperiment, IRun } from './tokens';

/** The filter's error as the server gave it, and where it points in the typed text. */
export interface IFilterError {
  message: string;
  position: number | null;
}

/** Runs in the first page (drawn at once), then in each later page. */
export const FIRST_PAGE = 200;
export const NEXT_PAGE = 5000;

/**
 * What the Experiments panel shows: the experiments with their run counts,
 * the runs of one of them (filtered by the server, loaded a page at a
 * time), their order, the shown columns and the selection. The first page
 * is drawn at once and the rest arrive behind it; until every page is in,
 * a new sort asks the server for the pages in that order. Live frames
 * update single rows and counts; nothing re-fetches the table except a new
 * filter, a new experiment, a sort before the end, or a reconnection.
 */
export class ExperimentsModel {
  constructor(client: IExperimentsClient & IRunPages) {
    this._client = client;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  experiments: IExperiment[] = [];
  /** Active runs per experiment, from the server and its experiment frames. */
  readonly counts = new Map<string, number>();
  experimentId: string | null = null;
  typedFilter = '';
  statuses: string[] = [];
  sourceTypes: string[] = [];
  sort: ISort | null = { column: 'start', descending: true };
  /** True until the first page of a load is in. */
  loading = false;
  /** Whether every page of the current load is in. */
  complete = true;
  error: IFilterError | null = null;
  /** Ms to the first page, to every page, and of the last sort (shown, and read by the benchmark). */
  firstPageMs = 0;
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
    const [experiments, counts] = await Promise.all([
      this._client.experiments(),
      this._client.runCounts()
    ]);
    this.experiments = experiments;
    this.counts.clear();
    for (const e of experiments) {
      this.counts.set(e.experiment_id, counts[e.experiment_id] ?? 0);
    }
    if (
      this.experimentId === null ||
      !this.experiments.some(e => e.experiment_id === this.experimentId)
    ) {
      this.experimentId = this.experiments[0]?.experiment_id ?? null;
    }
    this._changed.emit();
  }

  /**
   * Fetch the runs of the current experiment with the current filters, in
   * the current order: resolves when the first page is in; later pages
   * follow (`complete` tells when the last is).
   */
  async loadRuns(): Promise<void> {
    const id = this.experimentId;
    const request = ++this._request;
    if (id === null) {
      this._setRows([]);
      this.complete = true;
      this._changed.emit();
      return;
    }
    const filter = combinedFilter(
      this.typedFilter,
      this.statuses,
      this.sourceTypes
    );
    // A column the server cannot order by: its default order, sorted here.
    const orderBy = serverOrder(this.sort) ?? [];
    this.loading = true;
    this.complete = false;
    this._changed.emit();
    const t0 = performance.now();
    let page;
    try {
      page = await this._client.runsPage({
        experimentId: id,
        filter,
        orderBy,
        maxResults: FIRST_PAGE
      });
    } catch (error) {
      if (request === this._request) {
        const message = error instanceof Error ? error.message : String(error);
        this.error = {
          message,
          position: errorPosition(message, this.typedFilter)
        };
        this.loading = false;
        this.complete = true;
        this._changed.emit();
      }
      return;
    }
    if (request !== this._request) {
      return;
    }
    this.error = null;
    this._setRows((page.runs ?? []).map(toRow));
    this.firstPageMs = performance.now() - t0;
    this.loading = false;
    this._changed.emit();
    this._rest = this._loadRest(
      request,
      id,
      filter,
      orderBy,
      page.next_page_token,
      t0
    );
  }

  /** The pages after the first, appended as they come; done when `complete`. */
  get settled(): Promise<void> {
    return this._rest;
  }

  private async _loadRest(
    request: number,
    id: string,
    filter: string,
    orderBy: string[],
    token: string | undefined,
    t0: number
  ): Promise<void> {
    try {
      while (token) {
        const page = await this._client.runsPage({
          experimentId: id,
          filter,
          orderBy,
          maxResults: NEXT_PAGE,
          pageToken: token
        });
        if (request !== this._request) {
          return;
        }
        this._append((page.runs ?? []).map(toRow));
        token = page.next_page_token;
        this._changed.emit();
      }
    } catch (error) {
      // What is loaded stays; the next load (refresh, reconnection) tries again.
      console.warn('Atelier: runs after the first page could not load', error);
    }
    if (request === this._request) {
      this.complete = true;
      this.loadMs = performance.now() - t0;
      this._changed.emit();
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
    if (!this.complete && serverOrder(this.sort) !== null) {
      // Not every run is here: the server sends the first page in this order.
      void this.loadRuns();
      return;
    }
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
    }
    this._sorted = null;
    this._keyColumns = null;
    this._changed.emit();
  }

  /** An experiment frame: the list and its run count updated in place. */
  applyExperiment(experiment: IExperiment, runCount?: number): void {
    if (typeof runCount === 'number') {
      this.counts.set(experiment.experiment_id, runCount);
    }
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

  /** A later page: runs already here (from a frame) are replaced, not doubled. */
  private _append(rows: IRunRow[]): void {
    for (const row of rows) {
      const index = this._index.get(row.id);
      if (index !== undefined) {
        this._rows[index] = row;
      } else {
        this._index.set(row.id, this._rows.length);
        this._rows.push(row);
      }
    }
    this._sorted = null;
    this._keyColumns = null;
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

  private _client: IExperimentsClient & IRunPages;
  private _rest: Promise<void> = Promise.resolve();
  private _rows: IRunRow[] = [];
  private _index = new Map<string, number>();
  private _sorted: IRunRow[] | null = null;
  private _keyColumns: IColumn[] | null = null;
  private _request = 0;
  private _anchor: string | null = null;
  private _changed = new Signal<this, void>(this);
}
