import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { createInstancesClient } from '../running/client';
import { IAtelierRunning } from '../running/tokens';
import { INSTANCE_SPEC_PLUGIN_ID, TOOLBAR_ITEM } from './tokens';
import { CatalogStore } from './catalog';
import { INotebookPanelLike } from './change';
import { InstanceSpecItem } from './SpecItem';

/**
 * The notebook toolbar item showing the kernel's instance type and image,
 * with a picker that moves the kernel to another one.
 */
export const instanceSpecPlugin: JupyterFrontEndPlugin<void> = {
  id: INSTANCE_SPEC_PLUGIN_ID,
  description:
    "Atelier: a notebook's instance type and image in its toolbar, with a picker.",
  autoStart: true,
  requires: [IAtelierRunning, IToolbarWidgetRegistry],
  activate: (
    app: JupyterFrontEnd,
    running: IAtelierRunning,
    toolbarRegistry: IToolbarWidgetRegistry
  ): void => {
    const api = createInstancesClient(ServerConnection.makeSettings());
    const store = new CatalogStore({
      fetchTypes: () => api.instanceTypes(),
      fetchImages: () => api.images()
    });
    toolbarRegistry.addFactory<INotebookPanelLike>(
      'Notebook',
      TOOLBAR_ITEM,
      panel => new InstanceSpecItem({ panel, running: running.model, store })
    );
  }
};
