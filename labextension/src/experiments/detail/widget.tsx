import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  ReactWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import { IAtelierEvents } from '../../events/tokens';
import { IExperimentsClient } from '../client';
import { atelierExperimentsIcon } from '../icons';
import { RunDetailModel } from './model';
import { RunDetailView } from './RunDetailView';
import { RunSource } from './source';

/** The Jobs panel's command that opens a job (args `{name, kind}`). */
const OPEN_JOB = 'atelier:jobs-open-job';

/** A run's detail in a main area tab; live while it is open. */
export class RunDetailWidget extends ReactWidget {
  constructor(options: {
    model: RunDetailModel;
    events?: IAtelierEvents | null;
    onOpenSource: (source: RunSource) => void;
  }) {
    super();
    this.model = options.model;
    this._onOpenSource = options.onOpenSource;
    this.addClass('jp-AtelierRunDetail-widget');
    this.model.changed.connect(() => this.update(), this);
    const events = options.events;
    if (events) {
      this._hold = events.acquire();
      events
        .frame('run')
        .connect((_, frame) => this.model.applyRun(frame.run), this);
      events.reconnected.connect(() => void this.model.load(), this);
    }
  }

  readonly model: RunDetailModel;

  render(): JSX.Element {
    return (
      <RunDetailView model={this.model} onOpenSource={this._onOpenSource} />
    );
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

  private _onOpenSource: (source: RunSource) => void;
  private _hold: IDisposable | null = null;
}

const tracker = new WidgetTracker<MainAreaWidget<RunDetailWidget>>({
  namespace: 'atelier-run'
});

/** Open where a run came from: the Jobs panel's job, or the notebook. */
export function openSource(app: JupyterFrontEnd, source: RunSource): void {
  if (source.kind === 'job') {
    if (app.commands.hasCommand(OPEN_JOB)) {
      void app.commands.execute(OPEN_JOB, {
        name: source.name,
        kind: source.jobKind
      });
    }
  } else if (source.kind === 'notebook') {
    void app.commands.execute('docmanager:open', { path: source.path });
  }
}

/** Show a run's detail in the main area (the tab it already has, if any). */
export function openRunDetail(
  app: JupyterFrontEnd,
  options: {
    client: IExperimentsClient;
    runId: string;
    events?: IAtelierEvents | null;
  }
): void {
  const existing = tracker.find(w => w.content.model.runId === options.runId);
  if (existing) {
    app.shell.activateById(existing.id);
    return;
  }
  const model = new RunDetailModel(options.client, options.runId);
  const content = new RunDetailWidget({
    model,
    events: options.events,
    onOpenSource: source => openSource(app, source)
  });
  const widget = new MainAreaWidget({ content });
  widget.id = `atelier-run-${options.runId}`;
  widget.title.label = `Run ${options.runId.slice(0, 8)}`;
  widget.title.caption = `Run ${options.runId}`;
  widget.title.icon = atelierExperimentsIcon;
  widget.title.closable = true;
  model.changed.connect(() => {
    const name = model.run?.info.run_name;
    if (name && widget.title.label !== name) {
      widget.title.label = name;
    }
  });
  void tracker.add(widget);
  app.shell.add(widget, 'main');
  app.shell.activateById(widget.id);
  void model.load();
}
