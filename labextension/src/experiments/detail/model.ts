import { ISignal, Signal } from '@lumino/signaling';

import { IExperimentsClient } from '../client';
import { IMetric, IRun } from '../tokens';
import { IMetricSummary, metricValue, summarize } from './series';

/** How many metric histories load at once. */
const PARALLEL = 4;
/** The least time between two reloads of a history while a run logs, in ms. */
export const RELOAD_MS = 1000;

/** Run `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
  items: ReadonlyArray<T>,
  limit: number,
  work: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  const lanes = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        await work(items[next++]);
      }
    }
  );
  await Promise.all(lanes);
}

/**
 * What a run's detail shows: the run (params, tags, status, latest metric
 * values) and each metric's whole history, with its summary. A run frame of
 * the event stream replaces the run and reloads the histories whose latest
 * point moved (at most once a second each).
 */
export class RunDetailModel {
  constructor(client: IExperimentsClient, runId: string) {
    this.client = client;
    this.runId = runId;
  }

  readonly client: IExperimentsClient;
  readonly runId: string;
  run: IRun | null = null;
  error: string | null = null;
  loading = false;
  readonly histories = new Map<string, IMetric[]>();

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Metric keys in display order. */
  get metricKeys(): string[] {
    return (this.run?.data?.metrics ?? [])
      .map(m => m.key)
      .sort((a, b) => a.localeCompare(b));
  }

  /** A metric's summary over its loaded history. */
  summary(key: string): IMetricSummary | null {
    let s = this._summaries.get(key);
    if (s === undefined) {
      s = summarize(key, this.histories.get(key) ?? []);
      this._summaries.set(key, s);
    }
    return s;
  }

  /** Load the run and every metric's history. */
  async load(): Promise<void> {
    this.loading = true;
    this._changed.emit();
    try {
      this.run = await this.client.run(this.runId);
      this.error = null;
      await eachLimited(this.metricKeys, PARALLEL, key => this._history(key));
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
      this._changed.emit();
    }
  }

  /** A run frame: this run's new state; moved metrics reload. */
  applyRun(run: IRun): void {
    if (run.info.run_id !== this.runId) {
      return;
    }
    this.run = run;
    for (const m of run.data?.metrics ?? []) {
      const known = this.summary(m.key);
      if (
        !known ||
        known.lastStep !== (m.step ?? 0) ||
        !Object.is(known.last, metricValue(m.value)) ||
        known.points === 0
      ) {
        this._schedule(m.key);
      }
    }
    this._changed.emit();
  }

  dispose(): void {
    for (const timer of this._timers.values()) {
      clearTimeout(timer);
    }
    this._timers.clear();
    this._disposed = true;
  }

  private _schedule(key: string): void {
    if (this._timers.has(key) || this._disposed) {
      return;
    }
    const wait = Math.max(
      0,
      (this._loadedAt.get(key) ?? 0) + RELOAD_MS - Date.now()
    );
    this._timers.set(
      key,
      setTimeout(() => {
        this._timers.delete(key);
        void this._history(key)
          .then(() => this._changed.emit())
          .catch(() => undefined);
      }, wait)
    );
  }

  private async _history(key: string): Promise<void> {
    this._loadedAt.set(key, Date.now());
    const points = await this.client.history(this.runId, key);
    if (this._disposed) {
      return;
    }
    this.histories.set(key, points);
    this._summaries.delete(key);
  }

  private _summaries = new Map<string, IMetricSummary | null>();
  private _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private _loadedAt = new Map<string, number>();
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
