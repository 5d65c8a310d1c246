import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { ExperimentsLinkRenderer } from './renderer';
import { EXPERIMENTS_LINK_PLUGIN_ID, EXPERIMENTS_MIME } from './tokens';

/** Preferred over the output's HTML and text (lower ranks win). */
const RANK = 10;

/**
 * Notebook outputs of the `atelier` package's experiments link
 * (`atelier.experiments.open(...)`, a displayed mlflow run) render as a
 * button that opens the Experiments panel there.
 */
export const experimentsNotebookPlugin: JupyterFrontEndPlugin<void> = {
  id: EXPERIMENTS_LINK_PLUGIN_ID,
  description:
    'Atelier: notebook outputs that link a run or experiment open it in the Experiments panel.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry): void => {
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [EXPERIMENTS_MIME],
        defaultRank: RANK,
        createRenderer: options =>
          new ExperimentsLinkRenderer(options, app.commands)
      },
      RANK
    );
  }
};
