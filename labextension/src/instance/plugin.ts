import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Signal } from '@lumino/signaling';

import { createInstancesClient } from '../running/client';
import { IAtelierRunning } from '../running/tokens';
import {
  INSTANCE_SPEC_PLUGIN_ID,
  InstanceCommandIDs,
  STATUS_ITEM_ID,
  TOOLBAR_ITEM
} from './tokens';
import { CatalogStore } from './catalog';
import { INotebookPanelLike } from './change';
import { InstanceSpecItem } from './SpecItem';
import { InstanceStatusItem } from './StatusItem';
import { asNotebookPanel } from './status';

/**
 * The notebook toolbar item showing the kernel's instance type and image,
 * with a picker that moves the kernel to another one; the same in the status
 * bar with the instance's running cost, and a command for the palette.
 */
export const instanceSpecPlugin: JupyterFrontEndPlugin<void> = {
  id: INSTANCE_SPEC_PLUGIN_ID,
  description:
    "Atelier: a notebook's instance type and image in its toolbar and the status bar, with a picker.",
  autoStart: true,
  requires: [IAtelierRunning, IToolbarWidgetRegistry],
  optional: [IStatusBar, ILabShell, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    running: IAtelierRunning,
    toolbarRegistry: IToolbarWidgetRegistry,
    statusBar: IStatusBar | null,
    labShell: ILabShell | null,
    palette: ICommandPalette | null
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
    const current = (): INotebookPanelLike | null =>
      asNotebookPanel(app.shell.currentWidget);
    const activeStateChanged = new Signal<any, void>(store);
    const status = new InstanceStatusItem({
      current,
      currentChanged: labShell?.currentChanged ?? new Signal<any, void>(store),
      activeChanged: () => activeStateChanged.emit(),
      running: running.model,
      instances: running.instances,
      store
    });
    if (statusBar) {
      statusBar.registerStatusItem(STATUS_ITEM_ID, {
        item: status,
        align: 'left',
        rank: 5,
        isActive: () => status.panel !== null,
        activeStateChanged
      });
    }
    app.commands.addCommand(InstanceCommandIDs.pick, {
      label: 'Change Instance Type or Image…',
      caption:
        "Restart the current notebook's kernel on another instance type or image",
      isEnabled: () => current() !== null,
      execute: () => status.pick()
    });
    if (palette) {
      palette.addItem({
        command: InstanceCommandIDs.pick,
        category: 'Atelier'
      });
    }
  }
};
