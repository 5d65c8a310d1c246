import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { endpointNotificationsPlugin } from './endpoints/notifyPlugin';
import { endpointsPlugin } from './endpoints/plugin';
import { eventsPlugin } from './events/plugin';
import { experimentsNotebookPlugin } from './experiments/notebook/plugin';
import { experimentsPlugin } from './experiments/plugin';
import { instanceSpecPlugin } from './instance/plugin';
import { jobNotificationsPlugin } from './jobs/notifyPlugin';
import { jobsPlugin } from './jobs/plugin';
import { kernelDeathPlugin } from './kernelDeath/plugin';
import { runningPlugin } from './running/plugin';
import { instanceStopNotificationsPlugin } from './running/stopNotifyPlugin';

export * from './tokens';

/** The Atelier JupyterLab plugins. */
const plugins: JupyterFrontEndPlugin<any>[] = [
  eventsPlugin,
  runningPlugin,
  instanceSpecPlugin,
  kernelDeathPlugin,
  jobsPlugin,
  jobNotificationsPlugin,
  instanceStopNotificationsPlugin,
  experimentsNotebookPlugin,
  experimentsPlugin,
  endpointsPlugin,
  endpointNotificationsPlugin
];

export default plugins;
