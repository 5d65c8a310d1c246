import { ISignal, Signal } from '@lumino/signaling';

import { IJobsApi } from './api';
import { messageOf } from '../messages';
import { describedStatus } from './describe';
import { isTerminal } from './format';
import { LogFollower } from './logFollower';
import { MetricSeries, mergeSeries } from './metrics';
import { IJobDescription, JobKind } from './tokens';

/** How often the log is read while a job runs, in ms. */
export const LOG_INTERVAL = 1000;
/** Describe and metrics are read every this many log reads. */
const SLOW_EVERY = 2;

/**
 * One job's detail: its description, log and metrics, kept current while
 * the job runs and the view is visible; done once the job has finished and
 * everything is read.
 */
export class JobDetailModel {
  constructor(options: JobDetailModel.IOptions) {
    this.kind = options.kind;
    this.name = options.name;
    this._api = options.api;
    this._interval = options.interval ?? LOG_INTERVAL;
    this.logs = new LogFollower({
      fetchPage: token => this._api.logs(this.kind, this.name, token),
      maxLines: options.maxLines
    });
  }

  readonly kind: JobKind;
  readonly name: string;
  readonly logs: LogFollower;

  get changed(): ISignal<JobDetailModel, void> {
    return this._changed;
  }

  /** Emitted when log lines arrive (the log view redraws). */
  get logsChanged(): ISignal<JobDetailModel, void> {
    return this._logsChanged;
  }

  get description(): IJobDescription | null {
    return this._description;
  }

  get status(): string {
    return describedStatus(this._description);
  }

  get metrics(): MetricSeries {
    return this._metrics;
  }

  /** Last error of reading the job, or null. */
  get error(): string | null {
    return this._error;
  }

  /** True when the job can be stopped. */
  get canStop(): boolean {
    return this.status === 'InProgress';
  }

  /** True once the job has finished and its log and metrics are read. */
  get settled(): boolean {
    return isTerminal(this.status) && this.logs.done && this._finalMetrics;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Start or resume reading (the view is visible). */
  resume(): void {
    this._visible = true;
    if (!this._running && !this._timer && !this._disposed) {
      void this._tick();
    }
  }

  /** Pause while the view is hidden. */
  pause(): void {
    this._visible = false;
    clearTimeout(this._timer);
    this._timer = undefined;
  }

  /** Read everything now (after a stop, or on request). */
  async refresh(): Promise<void> {
    this._count = 0;
    clearTimeout(this._timer);
    this._timer = undefined;
    if (!this._running) {
      await this._tick();
    }
  }

  /**
   * `POST .../stop`: the server's answer (the job Stopping) is shown at
   * once, then everything is read again. Rejects with the server's error.
   */
  async stop(): Promise<void> {
    const described = await this._api.stop(this.kind, this.name);
    if (described && describedStatus(described) && !this._disposed) {
      // A describe still in flight from before the stop must not win.
      this._generation++;
      this._description = described;
      this._error = null;
      this._changed.emit();
    }
    await this.refresh();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.pause();
    Signal.clearData(this);
  }

  /** One round of reads; schedules the next while something can change. */
  private async _tick(): Promise<void> {
    if (this._disposed) {
      return;
    }
    this._running = true;
    try {
      const slow = this._count % SLOW_EVERY === 0 || !this._description;
      this._count++;
      if (slow && !isTerminal(this.status)) {
        const generation = this._generation;
        const described = await this._api.describe(this.kind, this.name);
        if (generation === this._generation) {
          this._generation++;
          this._description = described;
          this._error = null;
          this._changed.emit();
        }
      }
      const terminal = isTerminal(this.status);
      if (!this.logs.done) {
        const received = await this.logs.step(terminal);
        if (received > 0 || this.logs.done) {
          this._logsChanged.emit();
        }
      }
      if (
        this.kind === 'training' &&
        !this._finalMetrics &&
        (slow || terminal)
      ) {
        const body = await this._api.metrics(this.name);
        this._metrics = mergeSeries(this._metrics, body?.metrics);
        this._finalMetrics = terminal;
        this._changed.emit();
      } else if (this.kind !== 'training') {
        this._finalMetrics = true;
      }
    } catch (error) {
      const message = messageOf(error);
      if (message !== this._error) {
        this._error = message;
        this._changed.emit();
      }
    } finally {
      this._running = false;
    }
    this._schedule();
  }

  private _schedule(): void {
    if (this._disposed || !this._visible || this._timer) {
      return;
    }
    if (this.settled) {
      this._changed.emit();
      return;
    }
    // A failing server is asked less often.
    const delay = this._error ? this._interval * 5 : this._interval;
    this._timer = setTimeout(() => {
      this._timer = undefined;
      void this._tick();
    }, delay);
  }

  private _api: IJobsApi;
  private _interval: number;
  private _description: IJobDescription | null = null;
  private _metrics: MetricSeries = {};
  private _finalMetrics = false;
  private _error: string | null = null;
  private _count = 0;
  /** Bumped whenever a description is taken; older answers are dropped. */
  private _generation = 0;
  private _visible = false;
  private _running = false;
  private _disposed = false;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _changed = new Signal<JobDetailModel, void>(this);
  private _logsChanged = new Signal<JobDetailModel, void>(this);
}

export namespace JobDetailModel {
  export interface IOptions {
    api: IJobsApi;
    kind: JobKind;
    name: string;
    /** Log read interval in ms (default 1000). */
    interval?: number;
    /** Log lines kept in memory. */
    maxLines?: number;
  }
}
