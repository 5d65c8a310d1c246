import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IAtelierEvents } from '../../events/tokens';
import { messageOf } from '../../messages';
import { IDebuggerClient } from './client';
import { decodeScalar, mergeSamples, scalarKey, scalarsToRead } from './shape';
import {
  IDebuggerEvent,
  IProfilerSample,
  IRuleStatus,
  ITensorStep
} from './tokens';

/** How often a running job's steps and samples are read, in ms. */
export const DEBUGGER_INTERVAL = 2000;
/** The latest steps kept (older ones are not read). */
export const MAX_STEPS = 500;
/** Event files larger than this are not read for their scalars. */
export const MAX_EVENT_FILE_BYTES = 1 << 20;

/**
 * One training job's debugger data: rule statuses (from the route, then
 * live from `debugger` frames), the tensor index of each saved step and the
 * profiler's samples, read from the server (which reads S3) while the job
 * runs, and once more after it ends.
 */
export class DebuggerModel implements IDisposable {
  constructor(options: DebuggerModel.IOptions) {
    this.name = options.name;
    this._client = options.client;
    this._events = options.events;
    this._interval = options.interval ?? DEBUGGER_INTERVAL;
  }

  readonly name: string;

  get changed(): ISignal<DebuggerModel, void> {
    return this._changed;
  }

  get debugStatuses(): ReadonlyArray<IRuleStatus> {
    return this._debug;
  }

  get profilerStatuses(): ReadonlyArray<IRuleStatus> {
    return this._profiler;
  }

  get profilingEnabled(): boolean {
    return this._profiling;
  }

  /** Steps read so far, by step number. */
  get steps(): ReadonlyMap<number, ITensorStep> {
    return this._steps;
  }

  /** Scalars decoded from event files, by {@link scalarKey}. */
  get scalars(): ReadonlyMap<string, number> {
    return this._scalars;
  }

  get samples(): ReadonlyArray<IProfilerSample> {
    return this._samples;
  }

  /** Bumped on every change (the charts' data memo key). */
  get version(): number {
    return this._version;
  }

  /** True once the end marker is in S3: no more steps come. */
  get ended(): boolean {
    return this._ended;
  }

  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Start reading and listening; `terminal` says whether the job has ended. */
  start(terminal: () => boolean): void {
    this._terminal = terminal;
    this._active = true;
    if (this._events && !this._hold) {
      this._events.frame('debugger').connect(this._onFrame, this);
      this._events.reconnected.connect(this._onReconnected, this);
      this._hold = this._events.acquire();
    }
    if (!this._timer && !this._running) {
      void this._tick();
    }
  }

  /** Stop reading and listening (the view is hidden). */
  stop(): void {
    this._active = false;
    clearTimeout(this._timer);
    this._timer = undefined;
    if (this._events && this._hold) {
      this._events.frame('debugger').disconnect(this._onFrame, this);
      this._events.reconnected.disconnect(this._onReconnected, this);
      this._hold.dispose();
      this._hold = null;
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.stop();
    Signal.clearData(this);
  }

  /** One round of reads: statuses, new steps, new samples. */
  async refresh(): Promise<void> {
    const overview = await this._client.overview(this.name);
    this._setStatuses(
      overview.DebugRuleEvaluationStatuses,
      overview.ProfilerRuleEvaluationStatuses
    );
    this._profiling = overview.ProfilingStatus === 'Enabled';
    if (overview.TensorsS3Uri) {
      await this._readSteps();
    }
    if (this._profiling) {
      await this._readSamples();
    }
  }

  private async _readSteps(): Promise<void> {
    const listed = await this._client.steps(this.name);
    this._ended = listed.ended;
    const wanted = listed.steps
      .map(s => s.step)
      .slice(-MAX_STEPS)
      .filter(s => !this._steps.has(s));
    // A few at a time: a long job has many steps.
    for (let i = 0; i < wanted.length; i += 4) {
      const batch = await Promise.all(
        wanted.slice(i, i + 4).map(s => this._client.step(this.name, s))
      );
      for (const step of batch) {
        await this._readScalars(step);
        this._steps.set(step.step, step);
      }
      this._bump();
    }
  }

  private async _readScalars(step: ITensorStep): Promise<void> {
    for (const { eventFile, tensors } of scalarsToRead(
      step,
      MAX_EVENT_FILE_BYTES
    )) {
      const bytes = await this._client.objectBytes(eventFile);
      for (const t of tensors) {
        const v = decodeScalar(bytes, t.offset!, t.length ?? 0, t.dtype!);
        if (v !== null) {
          this._scalars.set(scalarKey(eventFile, t.offset!), v);
        }
      }
    }
  }

  private async _readSamples(): Promise<void> {
    for (;;) {
      const last = this._samples.length
        ? this._samples[this._samples.length - 1].ts
        : undefined;
      const body = await this._client.profiler(this.name, last);
      if (body.samples.length) {
        this._samples = mergeSamples(this._samples, body.samples);
        this._bump();
      }
      if (!body.more || !body.samples.length) {
        return;
      }
    }
  }

  private async _tick(): Promise<void> {
    if (this._disposed) {
      return;
    }
    this._running = true;
    const terminal = this._terminal();
    try {
      await this.refresh();
      this._error = null;
      if (terminal) {
        this._final = true;
      }
    } catch (error) {
      this._error = messageOf(error);
    } finally {
      this._running = false;
    }
    this._bump();
    if (this._disposed || !this._active || this._final) {
      return;
    }
    this._timer = setTimeout(
      () => {
        this._timer = undefined;
        void this._tick();
      },
      this._error ? this._interval * 5 : this._interval
    );
  }

  private _onFrame(_: IAtelierEvents, frame: IDebuggerEvent): void {
    if (frame.TrainingJobName !== this.name) {
      return;
    }
    this._setStatuses(
      frame.DebugRuleEvaluationStatuses,
      frame.ProfilerRuleEvaluationStatuses
    );
    this._bump();
  }

  /** Frames sent while the stream was down were missed. */
  private _onReconnected(): void {
    this._final = false;
    if (!this._timer && !this._running) {
      void this._tick();
    }
  }

  private _setStatuses(
    debug: IRuleStatus[] | undefined,
    profiler: IRuleStatus[] | undefined
  ): void {
    this._debug = Array.isArray(debug) ? debug : [];
    this._profiler = Array.isArray(profiler) ? profiler : [];
  }

  private _bump(): void {
    if (!this._disposed) {
      this._version++;
      this._changed.emit();
    }
  }

  private _client: IDebuggerClient;
  private _events: IAtelierEvents | undefined;
  private _interval: number;
  private _hold: IDisposable | null = null;
  private _terminal: () => boolean = () => false;
  private _debug: IRuleStatus[] = [];
  private _profiler: IRuleStatus[] = [];
  private _profiling = false;
  private _ended = false;
  private _steps = new Map<number, ITensorStep>();
  private _scalars = new Map<string, number>();
  private _samples: IProfilerSample[] = [];
  private _version = 0;
  private _error: string | null = null;
  private _final = false;
  private _active = false;
  private _running = false;
  private _disposed = false;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _changed = new Signal<DebuggerModel, void>(this);
}

export namespace DebuggerModel {
  export interface IOptions {
    name: string;
    client: IDebuggerClient;
    /** The page's event stream (none: statuses are polled only). */
    events?: IAtelierEvents;
    interval?: number;
  }
}
