import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ServerConnection } from '@jupyterlab/services';
import { IStatusBar } from '@jupyterlab/statusbar';
import { notebookIcon } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';

import { ATELIER_CATEGORY } from '../category';
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
import { newNotebookOnInstance } from './newNotebook';
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
  optional: [
    IStatusBar,
    ILabShell,
    ICommandPalette,
    ILauncher,
    IMainMenu,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    running: IAtelierRunning,
    toolbarRegistry: IToolbarWidgetRegistry,
    statusBar: IStatusBar | null,
    labShell: ILabShell | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    mainMenu: IMainMenu | null,
    fileBrowser: IDefaultFileBrowser | null
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
    app.commands.addCommand(InstanceCommandIDs.newNotebook, {
      label: args =>
        args.isLauncher
          ? 'Notebook on an Instance'
          : args.isMenu
            ? 'Notebook on an Instance…'
            : 'New Notebook on an Instance…',
      caption: 'A new notebook on a chosen instance type and image',
      icon: args => (args.isPalette ? undefined : notebookIcon),
      execute: () =>
        newNotebookOnInstance({
          store,
          contents: app.serviceManager.contents,
          folder: () => fileBrowser?.model.path ?? '',
          open: (path, kernel) =>
            app.commands.execute('docmanager:open', {
              path,
              factory: 'Notebook',
              kernel: { name: kernel }
            })
        })
    });
    launcher?.add({
      command: InstanceCommandIDs.newNotebook,
      args: { isLauncher: true },
      category: ATELIER_CATEGORY,
      rank: 0
    });
    mainMenu?.fileMenu.newMenu.addGroup(
      [{ command: InstanceCommandIDs.newNotebook, args: { isMenu: true } }],
      39
    );
    if (palette) {
      for (const command of [
        InstanceCommandIDs.newNotebook,
        InstanceCommandIDs.pick
      ]) {
        palette.addItem({ command, category: ATELIER_CATEGORY });
      }
    }
  }
};
