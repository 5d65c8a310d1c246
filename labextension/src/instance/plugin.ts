import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { createInstancesClient } from '../running/client';
import { IAtelierRunning, PluginIDs } from '../tokens';
import { CatalogStore } from './catalog';
import { INotebookPanelLike } from './change';
import { InstanceSpecItem } from './SpecItem';

/** Name of the item in the notebook toolbar (see schema/instance-spec.json). */
export const TOOLBAR_ITEM = 'atelierInstance';

/**
 * The notebook toolbar item showing the kernel's instance type and image,
 * with a picker that moves the kernel to another one.
 */
export const instanceSpecPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.instanceSpec,
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
