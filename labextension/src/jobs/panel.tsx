import * as React from 'react';

import { LiveSidebarPanel } from '../components/LiveSidebarPanel';
import { JobsView } from './components/JobsView';
import { JobsFeed } from './listFeed';
import { JobsListModel } from './listModel';
import { IJobSummary, JobKind } from './tokens';

/** How often live durations advance, in ms. */
const TICK_INTERVAL = 1000;

/** The Jobs panel of the left sidebar. */
export class JobsPanel extends LiveSidebarPanel {
  constructor(options: JobsPanel.IOptions) {
    super(options.feed, TICK_INTERVAL);
    this.model = options.model;
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
        onRefresh={() => this.feed.refresh()}
      />
    );
  }

  protected onTick(): void {
    this.model.tick();
  }

  private _options: JobsPanel.IOptions;
  private _instanceTypes: ReadonlyArray<string> = [];
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
