import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { instanceSpecPlugin } from './instance/plugin';
import { jobsPlugin } from './jobs/plugin';
import { runningPlugin } from './running/plugin';

export * from './tokens';

/** The Atelier JupyterLab plugins. */
const plugins: JupyterFrontEndPlugin<any>[] = [
  runningPlugin,
  instanceSpecPlugin,
  jobsPlugin
];

export default plugins;
