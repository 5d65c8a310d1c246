import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import { IAtelierEvents } from '../../events/tokens';
import { IExperimentsClient } from '../client';
import { atelierExperimentsIcon } from '../icons';
import { IRunRow } from '../table';
import { CompareView } from './CompareView';
import { CompareModel } from './model';

/** The compare view in a main area tab; live while it is open. */
export class CompareWidget extends ReactWidget {
  constructor(model: CompareModel, events?: IAtelierEvents | null) {
    super();
    this.model = model;
    this.addClass('jp-AtelierCompare-widget');
    model.changed.connect(() => this.update(), this);
    if (events) {
      this._hold = events.acquire();
      events
        .frame('run')
        .connect((_, frame) => model.applyRun(frame.run), this);
      events.reconnected.connect(() => void model.load(), this);
    }
  }

  readonly model: CompareModel;

  render(): JSX.Element {
    return <CompareView model={this.model} />;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._hold?.dispose();
    this._hold = null;
    this.model.dispose();
    super.dispose();
  }

  private _hold: IDisposable | null = null;
}

let opened = 0;

/** Compare runs (rows of the runs table) in a new main area tab. */
export function openCompare(
  app: JupyterFrontEnd,
  options: {
    client: IExperimentsClient;
    runs: ReadonlyArray<IRunRow>;
    events?: IAtelierEvents | null;
  }
): void {
  const model = new CompareModel(options.client, options.runs);
  const widget = new MainAreaWidget({
    content: new CompareWidget(model, options.events)
  });
  widget.id = `atelier-compare-${++opened}`;
  widget.title.label = `Compare ${options.runs.length} runs`;
  widget.title.icon = atelierExperimentsIcon;
  widget.title.closable = true;
  app.shell.add(widget, 'main');
  app.shell.activateById(widget.id);
  void model.load();
}
