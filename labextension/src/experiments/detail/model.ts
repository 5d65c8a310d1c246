import { ISignal, Signal } from '@lumino/signaling';

import { IExperimentsClient } from '../client';
import { IMetric, IRun } from '../tokens';
import { IMetricSummary, movedSince } from './series';

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
 * values), each metric's summary as the server computes it, and each
 * metric's whole history (for its chart). A run frame of the event stream
 * replaces the run and reloads the summaries and the histories whose latest
 * point moved (each at most once a second).
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

  /** A metric's summary, as the server last reported it. */
  summary(key: string): IMetricSummary | null {
    return this._summaries.get(key) ?? null;
  }

  /** Load the run, its metric summaries and every metric's history. */
  async load(): Promise<void> {
    this.loading = true;
    this._changed.emit();
    try {
      this.run = await this.client.run(this.runId);
      this.error = null;
      await Promise.all([
        this._loadSummaries(),
        eachLimited(this.metricKeys, PARALLEL, key => this._history(key))
      ]);
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
    let moved = false;
    for (const m of run.data?.metrics ?? []) {
      if (movedSince(this._summaries.get(m.key), m)) {
        moved = true;
        this._schedule(`history:${m.key}`, () => this._history(m.key));
      }
    }
    if (moved) {
      this._schedule('summaries', () => this._loadSummaries());
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

  /** Run `work` once, at least RELOAD_MS after it last loaded (`_loadedAt` by `id`). */
  private _schedule(id: string, work: () => Promise<void>): void {
    if (this._timers.has(id) || this._disposed) {
      return;
    }
    const wait = Math.max(
      0,
      (this._loadedAt.get(id) ?? 0) + RELOAD_MS - Date.now()
    );
    this._timers.set(
      id,
      setTimeout(() => {
        this._timers.delete(id);
        void work()
          .then(() => this._changed.emit())
          .catch(() => undefined);
      }, wait)
    );
  }

  private async _history(key: string): Promise<void> {
    this._loadedAt.set(`history:${key}`, Date.now());
    const points = await this.client.history(this.runId, key);
    if (!this._disposed) {
      this.histories.set(key, points);
    }
  }

  private async _loadSummaries(): Promise<void> {
    this._loadedAt.set('summaries', Date.now());
    const all = await this.client.summaries([this.runId]);
    if (!this._disposed) {
      this._summaries = all.get(this.runId) ?? new Map();
    }
  }

  private _summaries = new Map<string, IMetricSummary>();
  private _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private _loadedAt = new Map<string, number>();
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
