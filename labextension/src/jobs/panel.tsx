import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { JobsView } from './components/JobsView';
import { JobsFeed } from './listFeed';
import { JobsListModel } from './listModel';
import { IJobSummary, JobKind } from './tokens';

/** How often live durations advance, in ms. */
const TICK_INTERVAL = 1000;

/** The Jobs panel of the left sidebar. */
export class JobsPanel extends ReactWidget {
  constructor(options: JobsPanel.IOptions) {
    super();
    this.model = options.model;
    this._feed = options.feed;
    this._options = options;
    this.addClass('jp-AtelierJobs');
    this.model.changed.connect(() => this.update(), this);
  }

  readonly model: JobsListModel;

  /** Instance type names offered by the filter. */
  set instanceTypes(types: ReadonlyArray<string>) {
    this._instanceTypes = types;
    this.update();
  }

  render(): JSX.Element {
    return (
      <JobsView
        model={this.model}
        instanceTypes={this._instanceTypes}
        onOpen={this._options.onOpen}
        onClone={this._options.onClone}
        onNewJob={this._options.onNewJob}
        onRefresh={() => this._feed.refresh()}
      />
    );
  }

  dispose(): void {
    this._stop();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this._start();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._start();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._stop();
  }

  protected onBeforeDetach(msg: Message): void {
    this._stop();
    super.onBeforeDetach(msg);
  }

  private _start(): void {
    this._feed.show();
    if (this._timer === undefined) {
      this._timer = setInterval(() => this.model.tick(), TICK_INTERVAL);
    }
  }

  private _stop(): void {
    this._feed.hide();
    if (this._timer !== undefined) {
      clearInterval(this._timer);
      this._timer = undefined;
    }
  }

  private _feed: JobsFeed;
  private _options: JobsPanel.IOptions;
  private _instanceTypes: ReadonlyArray<string> = [];
  private _timer: ReturnType<typeof setInterval> | undefined;
}

export namespace JobsPanel {
  export interface IOptions {
    model: JobsListModel;
    feed: JobsFeed;
    onOpen: (job: IJobSummary) => void;
    /** Open a new job's form filled from a job. */
    onClone: (job: IJobSummary) => void;
    /** Open the form of a new training or processing job. */
    onNewJob: (kind: JobKind) => void;
  }
}
