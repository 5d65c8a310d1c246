import { IDisposable } from '@lumino/disposable';

import { IInstancesResponse } from './tokens';
import { messageOf } from '../messages';
import { InstancesModel } from './instancesModel';

/**
 * Runs an async task so that at most one run is in flight. A call while one
 * runs queues a single further run (later calls share it), so a burst of
 * triggers costs at most two runs and the last one starts after the burst.
 */
export class CoalescingRunner {
  constructor(task: () => Promise<void>) {
    this._task = task;
  }

  /** True while a run is in flight. */
  get running(): boolean {
    return this._current !== null;
  }

  /** Resolves (or rejects) with a run that starts no earlier than this call. */
  run(): Promise<void> {
    if (this._queued) {
      return this._queued;
    }
    if (this._current) {
      const queued = this._current
        .catch(() => undefined)
        .then(() => {
          this._queued = null;
          return this._launch();
        });
      this._queued = queued;
      return queued;
    }
    return this._launch();
  }

  private _launch(): Promise<void> {
    const current: Promise<void> = this._task().finally(() => {
      if (this._current === current) {
        this._current = null;
      }
    });
    this._current = current;
    return current;
  }

  private _task: () => Promise<void>;
  private _current: Promise<void> | null = null;
  private _queued: Promise<void> | null = null;
}

/**
 * Keeps an `InstancesModel` up to date: `refresh()` fetches the list (runs
 * coalesce, see `CoalescingRunner`), records the error in the model, and
 * reports the first error of each streak of failures.
 */
export class InstancesFeed implements IDisposable {
  constructor(options: InstancesFeed.IOptions) {
    this._options = options;
    this._runner = new CoalescingRunner(() => this._fetch());
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Fetch the list now; rejects with the server's error. */
  refresh(): Promise<void> {
    if (this._isDisposed) {
      return Promise.resolve();
    }
    return this._runner.run();
  }

  /** Fetch in the background (errors are reported, not thrown). */
  trigger(): void {
    void this.refresh().catch(() => undefined);
  }

  dispose(): void {
    this._isDisposed = true;
  }

  private async _fetch(): Promise<void> {
    const { model } = this._options;
    try {
      const body = await this._options.fetchInstances();
      if (this._isDisposed) {
        return;
      }
      this._failing = false;
      model.update(body?.instances ?? []);
      model.setDocker(body?.docker);
      model.setError(null);
    } catch (error) {
      if (this._isDisposed) {
        return;
      }
      model.setError(messageOf(error));
      if (!this._failing) {
        // Report once per streak of failures, not on every event.
        this._failing = true;
        this._options.onError?.(error);
      }
      throw error;
    }
  }

  private _options: InstancesFeed.IOptions;
  private _runner: CoalescingRunner;
  private _failing = false;
  private _isDisposed = false;
}

export namespace InstancesFeed {
  export interface IOptions {
    model: InstancesModel;
    /** Fetch the instance list (and Docker's availability) over HTTP. */
    fetchInstances: () => Promise<IInstancesResponse>;
    /** The first error of each streak of failed fetches. */
    onError?: (error: unknown) => void;
  }
}
