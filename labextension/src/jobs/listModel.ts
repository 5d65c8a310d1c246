import { ISignal, Signal } from '@lumino/signaling';

import {
  EMPTY_FILTERS,
  IJobFilters,
  jobKey,
  matchesFilters,
  sortJobs
} from './filters';
import { isActive } from './format';
import { IJobSummary } from './tokens';

/** Poll intervals of the list, in ms. */
export const ACTIVE_POLL_INTERVAL = 3000;
export const IDLE_POLL_INTERVAL = 15000;

/**
 * The Jobs panel's list: the server's answer for the current filters, kept
 * newest first, with jobs pushed by events merged in.
 */
export class JobsListModel {
  /** Emitted when jobs, filters, errors or the clock change. */
  get changed(): ISignal<JobsListModel, void> {
    return this._changed;
  }

  /** Emitted when the filters change (the list must be fetched again). */
  get filtersChanged(): ISignal<JobsListModel, IJobFilters> {
    return this._filtersChanged;
  }

  get jobs(): ReadonlyArray<IJobSummary> {
    return this._jobs;
  }

  get filters(): IJobFilters {
    return this._filters;
  }

  /** True once a list was received. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Last error of fetching the list, or null. */
  get error(): string | null {
    return this._error;
  }

  /** Clock of the last tick (ms), for live durations. */
  get now(): number {
    return this._now;
  }

  /** True when a job is running or stopping. */
  get hasActive(): boolean {
    return this._jobs.some(job => isActive(job.Status));
  }

  /** The poll interval this list calls for. */
  get pollInterval(): number {
    return this.hasActive ? ACTIVE_POLL_INTERVAL : IDLE_POLL_INTERVAL;
  }

  /** Replace the list with the server's answer. */
  update(jobs: ReadonlyArray<IJobSummary>): void {
    this._jobs = sortJobs(jobs.filter(job => job && job.Name && job.Kind));
    this._loaded = true;
    this._error = null;
    this._changed.emit();
  }

  /**
   * Merge one pushed job: replace it, add it when it passes the filters, or
   * drop it when it no longer does.
   */
  upsert(job: IJobSummary): void {
    if (!job || !job.Name || !job.Kind) {
      return;
    }
    const key = jobKey(job);
    const rest = this._jobs.filter(other => jobKey(other) !== key);
    const keep = matchesFilters(job, this._filters);
    if (!keep && rest.length === this._jobs.length) {
      return;
    }
    this._jobs = keep ? sortJobs([...rest, job]) : rest;
    this._changed.emit();
  }

  /** Set the filters; the list is kept until the next answer. */
  setFilters(filters: Partial<IJobFilters>): void {
    const next = { ...this._filters, ...filters };
    if (
      next.kind === this._filters.kind &&
      next.status === this._filters.status &&
      next.nameContains === this._filters.nameContains &&
      next.instanceType === this._filters.instanceType
    ) {
      return;
    }
    this._filters = next;
    this._changed.emit();
    this._filtersChanged.emit(next);
  }

  setError(error: string | null): void {
    if (error !== this._error) {
      this._error = error;
      this._changed.emit();
    }
  }

  /** Advance the clock; only emits when a duration is ticking. */
  tick(now = Date.now()): void {
    this._now = now;
    if (this.hasActive) {
      this._changed.emit();
    }
  }

  private _jobs: IJobSummary[] = [];
  private _filters: IJobFilters = { ...EMPTY_FILTERS };
  private _loaded = false;
  private _error: string | null = null;
  private _now = Date.now();
  private _changed = new Signal<JobsListModel, void>(this);
  private _filtersChanged = new Signal<JobsListModel, IJobFilters>(this);
}
