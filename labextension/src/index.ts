import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { instanceSpecPlugin } from './instance/plugin';
import { jobsPlugin } from './jobs/plugin';
import { kernelDeathPlugin } from './kernelDeath/plugin';
import { runningPlugin } from './running/plugin';

export * from './tokens';

/** The Atelier JupyterLab plugins. */
const plugins: JupyterFrontEndPlugin<any>[] = [
  runningPlugin,
  instanceSpecPlugin,
  kernelDeathPlugin,
  jobsPlugin
];

export default plugins;
