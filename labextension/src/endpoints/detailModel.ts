import { ISignal, Signal } from '@lumino/signaling';

import { messageOf, statusOf } from '../messages';
import { IEndpointsClient } from './client';
import { CAPTURE_RECORDS } from './capture';
import { isTransitional } from './format';
import { isRollingOut } from './progress';
import { ScalingModel } from './scalingModel';
import {
  ICaptureRecord,
  ICaptureStatus,
  IDesiredWeightAndCapacity,
  IEndpointDescription,
  IEndpointMetrics,
  IEndpointSummary,
  IUpdateEndpointRequest
} from './tokens';

/** How often metrics are read while the detail is visible, in ms (at most every 10 s). */
export const METRICS_INTERVAL = 10000;
/** How many minutes of metrics the charts show. */
export const METRICS_MINUTES = 60;
/** How often an update under way is described again while visible, in ms (frames come between). */
export const ROLLOUT_INTERVAL = 5000;

/** Fields of an update under way: a frame without them says the update is over. */
const ROLLOUT_FIELDS = ['TrafficShift', 'PendingDeploymentSummary'] as const;

/**
 * One endpoint's detail: its description, kept current by its `endpoint`
 * frames (the plugin forwards them) and described again every
 * `ROLLOUT_INTERVAL` while an update is under way; its metrics and data
 * capture, read when the view shows, every `METRICS_INTERVAL` while it is
 * visible and after a frame; its variants' scaling policies.
 */
export class EndpointDetailModel {
  constructor(options: EndpointDetailModel.IOptions) {
    this.name = options.name;
    this._api = options.api;
    this._interval = Math.max(
      METRICS_INTERVAL,
      options.interval ?? METRICS_INTERVAL
    );
    this.scaling = new ScalingModel(this.name, this._api);
    this.scaling.changed.connect(() => this._changed.emit(), this);
  }

  /** The variants' scaling policies. */
  readonly scaling: ScalingModel;

  readonly name: string;

  get changed(): ISignal<EndpointDetailModel, void> {
    return this._changed;
  }

  get description(): IEndpointDescription | null {
    return this._description;
  }

  get status(): string {
    return this._description?.EndpointStatus ?? '';
  }

  get metrics(): IEndpointMetrics | null {
    return this._metrics;
  }

  /** The data capture's settings and counters, or null before the first read. */
  get capture(): ICaptureStatus | null {
    return this._capture;
  }

  /** The newest capture records, newest first. */
  get captureRecords(): ReadonlyArray<ICaptureRecord> {
    return this._records;
  }

  get captureError(): string | null {
    return this._captureError;
  }

  /** True once an update of this endpoint was seen rolling back (until the next update). */
  get rolledBack(): boolean {
    return this._rolledBack;
  }

  /** Last error of reading the endpoint, or null. */
  get error(): string | null {
    return this._error;
  }

  /** True once the endpoint is deleted (a frame said so, or describe is 404). */
  get gone(): boolean {
    return this._gone;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Describe the endpoint again. */
  async refresh(): Promise<void> {
    const generation = ++this._generation;
    try {
      const described = await this._api.describe(this.name);
      if (generation === this._generation && !this._disposed) {
        this._take(described);
        this._error = null;
        this._changed.emit();
      }
    } catch (error) {
      if (generation === this._generation && !this._disposed) {
        if (statusOf(error) === 404) {
          this._gone = true;
        } else {
          this._error = messageOf(error);
        }
        this._changed.emit();
      }
    }
  }

  /** Read the charts' minutes and the data capture now. */
  async refreshMetrics(): Promise<void> {
    if (this._gone || this._disposed) {
      return;
    }
    void this.refreshCapture();
    try {
      const metrics = await this._api.metrics(this.name, METRICS_MINUTES);
      if (!this._disposed) {
        this._metrics = metrics && metrics.Variants ? metrics : null;
        this._metricsError = null;
        this._changed.emit();
      }
    } catch (error) {
      if (!this._disposed && statusOf(error) !== 404) {
        this._metricsError = messageOf(error);
        this._changed.emit();
      }
    }
  }

  /** Read the capture's counters and latest records now. */
  async refreshCapture(): Promise<void> {
    if (this._gone || this._disposed) {
      return;
    }
    // Each on its own: the counters stand without the records, and the other way round.
    const [capture, records] = await Promise.allSettled([
      this._api.capture(this.name),
      this._api.captureRecords(this.name, CAPTURE_RECORDS)
    ]);
    if (this._disposed) {
      return;
    }
    let error: unknown = null;
    if (capture.status === 'fulfilled') {
      this._capture = capture.value ?? null;
    } else {
      error = capture.reason;
    }
    if (records.status === 'fulfilled') {
      this._records = Array.isArray(records.value) ? records.value : [];
    } else if (statusOf(records.reason) !== 404) {
      error = error ?? records.reason;
    }
    this._captureError =
      error && statusOf(error) !== 404 ? messageOf(error) : null;
    this._changed.emit();
  }

  /** Last error of reading the metrics, or null. */
  get metricsError(): string | null {
    return this._metricsError;
  }

  /**
   * A frame of this endpoint: its fields replace the described ones (the
   * frame carries the summary and the variants), or it is gone.
   */
  applyFrame(endpoint: IEndpointSummary, deleted: boolean): void {
    if (endpoint.EndpointName !== this.name || this._disposed) {
      return;
    }
    // A describe in flight from before the frame must not win.
    this._generation++;
    if (deleted) {
      this._gone = true;
    } else {
      this._gone = false;
      const merged: IEndpointDescription = {
        ...(this._description ?? {}),
        ...endpoint
      };
      for (const field of ROLLOUT_FIELDS) {
        if (!(field in endpoint)) {
          delete merged[field];
        }
      }
      this._take(merged);
      this._error = null;
    }
    this._changed.emit();
    if (!deleted && this._visible) {
      void this.refreshMetrics();
    }
  }

  /** The view shows: describe, read metrics, then every interval. */
  resume(): void {
    if (this._visible || this._disposed) {
      return;
    }
    this._visible = true;
    if (!this._description) {
      void this.refresh();
    }
    void this.refreshMetrics();
    this._timer = setInterval(() => void this.refreshMetrics(), this._interval);
    this._rolloutTimer = setInterval(() => {
      if (isRollingOut(this._description)) {
        void this.refresh();
      }
    }, ROLLOUT_INTERVAL);
  }

  /** The view is hidden: no more metric reads. */
  pause(): void {
    this._visible = false;
    clearInterval(this._timer);
    clearInterval(this._rolloutTimer);
    this._timer = undefined;
    this._rolloutTimer = undefined;
  }

  /** `POST endpoints/{name}/update`; rejects with the server's message. */
  async update(request: IUpdateEndpointRequest): Promise<void> {
    await this._api.updateEndpoint(this.name, request);
    this._rolledBack = false;
    await this.refresh();
  }

  /** `POST .../weights-and-capacities`; rejects with the server's message. */
  async updateWeightsAndCapacities(
    desired: IDesiredWeightAndCapacity[]
  ): Promise<void> {
    await this._api.updateWeightsAndCapacities(this.name, desired);
    if (!this._description || !isTransitional(this.status)) {
      await this.refresh();
    }
  }

  /** `DELETE endpoints/{name}`; the endpoint goes Deleting, its frames tell the rest. */
  async delete(): Promise<void> {
    await this._api.deleteEndpoint(this.name);
    if (this._description && !this._gone) {
      this._description = { ...this._description, EndpointStatus: 'Deleting' };
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this.pause();
    this._disposed = true;
    this.scaling.dispose();
    Signal.clearData(this);
  }

  /** A new description: remembers a rollback, reads new variants' policies. */
  private _take(description: IEndpointDescription): void {
    const status = description.EndpointStatus;
    if (
      status === 'RollingBack' ||
      description.TrafficShift?.Phase === 'RollingBack'
    ) {
      this._rolledBack = true;
    } else if (status === 'Updating' && this.status !== 'Updating') {
      this._rolledBack = false;
    }
    const counts = new Map(
      (this._description?.ProductionVariants ?? []).map(
        v => [v.VariantName, v.DesiredInstanceCount] as const
      )
    );
    this._description = description;
    const variants = description.ProductionVariants ?? [];
    this.scaling.ensure(variants.map(v => v.VariantName));
    // A count its policy changed: read the policy again for its last scaling.
    for (const v of variants) {
      const was = counts.get(v.VariantName);
      if (
        was !== undefined &&
        was !== v.DesiredInstanceCount &&
        this.scaling.policy(v.VariantName)
      ) {
        void this.scaling.refresh(v.VariantName);
      }
    }
  }

  private _api: IEndpointsClient;
  private _interval: number;
  private _description: IEndpointDescription | null = null;
  private _metrics: IEndpointMetrics | null = null;
  private _metricsError: string | null = null;
  private _capture: ICaptureStatus | null = null;
  private _records: ICaptureRecord[] = [];
  private _captureError: string | null = null;
  private _rolledBack = false;
  private _rolloutTimer: ReturnType<typeof setInterval> | undefined;
  private _error: string | null = null;
  private _gone = false;
  private _visible = false;
  private _disposed = false;
  private _generation = 0;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _changed = new Signal<EndpointDetailModel, void>(this);
}

export namespace EndpointDetailModel {
  export interface IOptions {
    name: string;
    api: IEndpointsClient;
    /** Metrics interval in ms; never below METRICS_INTERVAL. */
    interval?: number;
  }
}
