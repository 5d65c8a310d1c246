import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { IAtelierEvents } from '../events/tokens';
import { notifyError } from '../notify';
import { createExperimentsClient } from './client';
import { openCompare } from './compare/widget';
import { openRunDetail } from './detail/widget';
import { atelierExperimentsIcon } from './icons';
import { ExperimentsModel } from './model';
import { ExperimentsPanel } from './panel';
import {
  EXPERIMENTS_PANEL_ID,
  EXPERIMENTS_PLUGIN_ID,
  ExperimentCommandIDs
} from './tokens';

/**
 * The Experiments panel: experiments with their run counts, and the runs of
 * one in a virtualized table (filter, sort, columns, selection, CSV), live.
 */
export const experimentsPlugin: JupyterFrontEndPlugin<void> = {
  id: EXPERIMENTS_PLUGIN_ID,
  description: 'Atelier Experiments panel: runs of every experiment, live.',
  autoStart: true,
  requires: [IAtelierEvents],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    events: IAtelierEvents,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const client = createExperimentsClient(ServerConnection.makeSettings());
    const model = new ExperimentsModel(client);
    const panel = new ExperimentsPanel({
      model,
      events,
      onOpenRun: runId => {
        model.select(runId, 'only');
        openRunDetail(app, { client, runId, events });
      },
      onCompare: runs => openCompare(app, { client, runs, events }),
      onError: error => notifyError('Atelier: cannot list experiments', error)
    });
    panel.id = EXPERIMENTS_PANEL_ID;
    panel.title.icon = atelierExperimentsIcon;
    panel.title.caption = 'Atelier: experiments';
    // After the Jobs panel (rank 210).
    app.shell.add(panel, 'left', { rank: 220 });
    restorer?.add(panel, EXPERIMENTS_PANEL_ID);

    app.commands.addCommand(ExperimentCommandIDs.open, {
      label: 'Show Experiments',
      caption: 'Atelier: experiments and their runs',
      execute: args => {
        app.shell.activateById(EXPERIMENTS_PANEL_ID);
        const experimentId =
          typeof args.experimentId === 'string' ? args.experimentId : '';
        const runId = typeof args.runId === 'string' ? args.runId : '';
        if (experimentId && experimentId !== model.experimentId) {
          void model.selectExperiment(experimentId);
        }
        if (runId) {
          openRunDetail(app, { client, runId, events });
          const select = (): void => model.select(runId, 'only');
          if (experimentId || !runId) {
            select();
            return;
          }
          // The run's experiment first, then the run.
          client
            .run(runId)
            .then(run => model.selectExperiment(run.info.experiment_id))
            .then(select)
            .catch(error => notifyError(`Cannot open run ${runId}`, error));
        }
      }
    });
    app.commands.addCommand(ExperimentCommandIDs.refresh, {
      label: 'Refresh Experiments',
      execute: () => panel.refresh()
    });
    for (const command of [
      ExperimentCommandIDs.open,
      ExperimentCommandIDs.refresh
    ]) {
      palette?.addItem({ command, category: 'Atelier' });
    }
  }
};
