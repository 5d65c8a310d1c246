import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { RunningModel } from './model';
import { IRunningActions, RunningView } from './components/RunningView';

/** How often relative times ("12 s ago") are refreshed, in ms. */
const TICK_INTERVAL = 1000;

/** The Running panel widget of the left sidebar. */
export class RunningPanel extends ReactWidget {
  constructor(options: RunningPanel.IOptions) {
    super();
    this.model = options.model;
    this._actions = options.actions;
    this.addClass('jp-AtelierRunning');
  }

  readonly model: RunningModel;

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => <RunningView model={this.model} actions={this._actions} />}
      </UseSignal>
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
    this.model.tick();
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

  private _startTicking(): void {
    if (this._timer === undefined) {
      this._timer = setInterval(() => this.model.tick(), TICK_INTERVAL);
    }
  }

  private _stopTicking(): void {
    if (this._timer !== undefined) {
      clearInterval(this._timer);
      this._timer = undefined;
    }
  }

  private _actions: IRunningActions;
  private _timer: ReturnType<typeof setInterval> | undefined;
}

export namespace RunningPanel {
  export interface IOptions {
    model: RunningModel;
    actions: IRunningActions;
  }
}
