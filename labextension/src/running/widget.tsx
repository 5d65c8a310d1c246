import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { InstancesModel } from './instancesModel';
import { RunningModel } from './model';
import { IRunningActions, RunningView } from './components/RunningView';
import { IUsageApi } from '../usage/api';

/** How often relative times, uptime, cost and countdowns advance, in ms. */
const TICK_INTERVAL = 1000;

/** The Running panel widget of the left sidebar. */
export class RunningPanel extends ReactWidget {
  constructor(options: RunningPanel.IOptions) {
    super();
    this.model = options.model;
    this.instances = options.instances;
    this._actions = options.actions;
    this._onRefreshDue = options.onRefreshDue;
    this._usage = options.usage;
    this.addClass('jp-AtelierRunning');
    this.model.changed.connect(this._onChanged, this);
    this.instances.changed.connect(this._onChanged, this);
  }

  readonly model: RunningModel;
  readonly instances: InstancesModel;

  render(): JSX.Element {
    return (
      <RunningView
        model={this.model}
        instances={this.instances}
        actions={this._actions}
        usage={this._usage}
      />
    );
  }

  dispose(): void {
    this._stopTicking();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this._startTicking();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._tick();
    this._startTicking();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._stopTicking();
  }

  protected onBeforeDetach(msg: Message): void {
    this._stopTicking();
    super.onBeforeDetach(msg);
  }

  private _onChanged(): void {
    this.update();
  }

  private _tick(): void {
    this.model.tick();
    this.instances.tick();
    if (this.instances.refreshDue) {
      this._onRefreshDue?.();
    }
  }

  private _startTicking(): void {
    if (this._timer === undefined) {
      this._timer = setInterval(() => this._tick(), TICK_INTERVAL);
    }
  }

  private _stopTicking(): void {
    if (this._timer !== undefined) {
      clearInterval(this._timer);
      this._timer = undefined;
    }
  }

  private _actions: IRunningActions;
  private _onRefreshDue: (() => void) | undefined;
  private _usage: IUsageApi | undefined;
  private _timer: ReturnType<typeof setInterval> | undefined;
}

export namespace RunningPanel {
  export interface IOptions {
    model: RunningModel;
    instances: InstancesModel;
    actions: IRunningActions;
    /** Called on a tick when an instance is past its stop time. */
    onRefreshDue?: () => void;
    /** Server calls of the usage and idle shutdown sections. */
    usage?: IUsageApi;
  }
}
