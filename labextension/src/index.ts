import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { runningPlugin } from './running/plugin';

export * from './tokens';

/** The Atelier JupyterLab plugins. */
const plugins: JupyterFrontEndPlugin<any>[] = [runningPlugin];

export default plugins;
