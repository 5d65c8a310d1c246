import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDisposable } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';

import { IAtelierRunning, PluginIDs } from '../tokens';
import { notifyError } from '../notify';
import { KernelDeathGuard } from './guard';
import { NotificationNoticeView } from './view';

/**
 * Every notebook tells its user when its kernel died: restarted
 * automatically (with the cause: signal, exit code, out of memory with the
 * instance type's limit), or dead for good or with its instance stopped
 * (with the reason and Restart Kernel, which works on a dead kernel).
 */
export const kernelDeathPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.kernelDeath,
  description:
    'Atelier: a notebook says why its kernel died, and restarts a dead one.',
  autoStart: true,
  requires: [IAtelierRunning],
  activate: (app: JupyterFrontEnd, running: IAtelierRunning): void => {
    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (
        panel: Widget,
        context: DocumentRegistry.IContext<DocumentRegistry.IModel>
      ): IDisposable => {
        const sessionContext = context.sessionContext;
        let guard: KernelDeathGuard | null = null;
        const view = new NotificationNoticeView({
          path: () => sessionContext.path || context.path,
          restart: async () => {
            try {
              await guard?.restart();
            } catch (error) {
              notifyError('Could not restart the kernel', error);
            }
          },
          closed: () => guard?.dismissed()
        });
        guard = new KernelDeathGuard({
          sessionContext,
          running: running.model,
          view
        });
        const current = guard;
        panel.disposed.connect(() => current.dispose());
        return current;
      }
    });
  }
};
