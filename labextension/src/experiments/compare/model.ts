import { ISignal, Signal } from '@lumino/signaling';

import { IExperimentsClient } from '../client';
import { eachLimited, RELOAD_MS } from '../detail/model';
import { IMetricSummary } from '../detail/series';
import { IRunRow, toRow } from '../table';
import { IMetric, IRun } from '../tokens';
import { FieldId, fieldsOf } from './axes';

/** How many histories load at once. */
const PARALLEL = 6;

/**
 * What the compare view shows: the compared runs, the metric whose
 * histories are overlaid (loaded for every run) with each run's summary of
 * it (computed by the server, one request for all runs), and the fields of
 * the scatter and of parallel coordinates. Run frames update the runs, and
 * reload the overlaid history and summary of a run that logged (at most
 * once a second).
 */
export class CompareModel {
  constructor(client: IExperimentsClient, runs: ReadonlyArray<IRunRow>) {
    this.client = client;
    this.runs = [...runs];
    const { params, metrics } = fieldsOf(this.runs);
    this.metric = metrics[0]?.slice('metric:'.length) ?? '';
    this.scatterX = params[0] ?? metrics[1] ?? metrics[0] ?? '';
    this.scatterY = metrics[0] ?? '';
    this.parallel = [...params.slice(0, 6), ...metrics.slice(0, 1)];
  }

  readonly client: IExperimentsClient;
  runs: IRunRow[];
  /** The overlaid metric's key. */
  metric: string;
  scatterX: FieldId;
  scatterY: FieldId;
  parallel: FieldId[];
  /** Histories of the overlaid metric by run id; a run missing has not loaded yet. */
  histories = new Map<string, IMetric[]>();
  /** Each run's summary of the overlaid metric, by run id (absent: none yet, or no such metric). */
  summaries = new Map<string, IMetricSummary>();
  loading = false;
  error: string | null = null;
  /** How long the last load of the overlaid histories took, in ms. */
  loadMs = 0;
  /** When the overlaid histories changed (a new metric, a run that logged). */
  version = 0;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get fields(): { params: FieldId[]; metrics: FieldId[] } {
    return fieldsOf(this.runs);
  }

  setMetric(key: string): void {
    this.metric = key;
    void this.load();
  }

  set(
    change: Partial<Pick<CompareModel, 'scatterX' | 'scatterY' | 'parallel'>>
  ): void {
    Object.assign(this, change);
    this._changed.emit();
  }

  /** Load the overlaid metric's history and summary of every run. */
  async load(): Promise<void> {
    const key = this.metric;
    const request = ++this._request;
    this.histories = new Map();
    this.summaries = new Map();
    this.loading = true;
    this.version++;
    this._changed.emit();
    const t0 = performance.now();
    const withMetric = this.runs.filter(r => r.metrics[key] !== undefined);
    try {
      const summaries = withMetric.length
        ? this.client.summaries(
            withMetric.map(r => r.id),
            [key]
          )
        : Promise.resolve(new Map<string, Map<string, IMetricSummary>>());
      const [byRun] = await Promise.all([
        summaries,
        eachLimited(this.runs, PARALLEL, async run => {
          const history =
            run.metrics[key] === undefined
              ? []
              : await this.client.history(run.id, key);
          if (request === this._request) {
            this.histories.set(run.id, history);
          }
        })
      ]);
      if (request === this._request) {
        this.summaries = pick(byRun, key);
      }
      this.error = null;
      this.loadMs = performance.now() - t0;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (request === this._request) {
        this.loading = false;
        this.version++;
        this._changed.emit();
      }
    }
  }

  /** A run frame: a compared run's new state. */
  applyRun(run: IRun): void {
    const i = this.runs.findIndex(r => r.id === run.info.run_id);
    if (i < 0) {
      return;
    }
    const before = this.runs[i];
    const row = toRow(run);
    this.runs = [...this.runs.slice(0, i), row, ...this.runs.slice(i + 1)];
    if (
      this.metric &&
      !this.loading &&
      !Object.is(before.metrics[this.metric], row.metrics[this.metric])
    ) {
      this._schedule(row.id);
    }
    this._changed.emit();
  }

  dispose(): void {
    this._timers.forEach(t => clearTimeout(t));
    this._timers.clear();
    this._request++;
  }

  private _schedule(runId: string): void {
    if (this._timers.has(runId)) {
      return;
    }
    const key = this.metric;
    const request = this._request;
    this._timers.set(
      runId,
      setTimeout(() => {
        this._timers.delete(runId);
        Promise.all([
          this.client.history(runId, key),
          this.client.summaries([runId], [key])
        ])
          .then(([history, byRun]) => {
            if (request === this._request) {
              this.histories.set(runId, history);
              const s = byRun.get(runId)?.get(key);
              if (s) {
                this.summaries.set(runId, s);
              }
              this.version++;
              this._changed.emit();
            }
          })
          .catch(() => undefined);
      }, RELOAD_MS)
    );
  }

  private _request = 0;
  private _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private _changed = new Signal<this, void>(this);
}

/** The summary of `key` of each run that has one. */
function pick(
  byRun: Map<string, Map<string, IMetricSummary>>,
  key: string
): Map<string, IMetricSummary> {
  const out = new Map<string, IMetricSummary>();
  byRun.forEach((byKey, runId) => {
    const s = byKey.get(key);
    if (s) {
      out.set(runId, s);
    }
  });
  return out;
}
