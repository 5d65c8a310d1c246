import { ReactWidget } from '@jupyterlab/apputils';
import { IDisposable } from '@lumino/disposable';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { IAtelierEvents } from '../events/tokens';
import { ExperimentsView } from './components/ExperimentsView';
import { ExperimentsModel } from './model';
import { IRunRow } from './table';

/**
 * The Experiments panel of the left sidebar. While it is shown it holds the
 * event stream and applies run and experiment frames to the model; after a
 * reconnection it loads again what it shows.
 */
export class ExperimentsPanel extends ReactWidget {
  constructor(options: ExperimentsPanel.IOptions) {
    super();
    this.model = options.model;
    this._options = options;
    this.addClass('jp-AtelierExperiments');
    this.model.changed.connect(() => this.update(), this);
    const events = options.events;
    events
      .frame('run')
      .connect((_, frame) => this.model.applyRun(frame.run), this);
    events
      .frame('experiment')
      .connect(
        (_, frame) =>
          this.model.applyExperiment(frame.experiment, frame.run_count),
        this
      );
    events.reconnected.connect(() => void this.refresh(), this);
  }

  readonly model: ExperimentsModel;

  /** Load the experiments, then the runs of the chosen one. */
  async refresh(): Promise<void> {
    try {
      await this.model.loadExperiments();
      await this.model.loadRuns();
    } catch (error) {
      this._options.onError(error);
    }
  }

  render(): JSX.Element {
    return (
      <ExperimentsView
        model={this.model}
        onOpenRun={this._options.onOpenRun}
        onCompare={this._options.onCompare}
        onRefresh={() => void this.refresh()}
      />
    );
  }

  dispose(): void {
    this._release();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (!this._hold) {
      // Frames sent while the panel was hidden were missed: load again.
      this._hold = this._options.events.acquire();
      void this.refresh();
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this.onAfterShow(msg);
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._release();
  }

  private _release(): void {
    this._hold?.dispose();
    this._hold = null;
  }

  private _options: ExperimentsPanel.IOptions;
  private _hold: IDisposable | null = null;
}

export namespace ExperimentsPanel {
  export interface IOptions {
    model: ExperimentsModel;
    events: IAtelierEvents;
    onOpenRun: (runId: string) => void;
    /** Compare the selected runs. */
    onCompare?: (runs: IRunRow[]) => void;
    onError: (error: unknown) => void;
  }
}
