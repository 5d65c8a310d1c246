import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISessionContext, ISessionContextDialogs } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDisposable } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';

import { IAtelierRunning } from '../running/tokens';
import { KERNEL_DEATH_PLUGIN_ID } from './tokens';
import { KernelDeathGuard } from './guard';
import { NotificationNoticeView } from './view';

/**
 * Every notebook tells its user when its kernel died: restarted
 * automatically (with the cause: signal, exit code, out of memory with the
 * instance type's limit), or dead for good or with its instance stopped
 * (with the reason and Restart Kernel, which works on a dead kernel).
 */
export const kernelDeathPlugin: JupyterFrontEndPlugin<void> = {
  id: KERNEL_DEATH_PLUGIN_ID,
  description:
    'Atelier: a notebook says why its kernel died, and restarts a dead one.',
  autoStart: true,
  requires: [IAtelierRunning, ISessionContextDialogs],
  activate: (
    app: JupyterFrontEnd,
    running: IAtelierRunning,
    dialogs: ISessionContextDialogs
  ): void => {
    const guards = new WeakMap<ISessionContext, KernelDeathGuard>();

    // Kernel > Restart Kernel, the toolbar's restart button and the
    // restart-and-run commands all go through this one object. JupyterLab's
    // version does nothing for a dead kernel (its connection is disposed):
    // the guard restarts it instead, with no confirmation since a dead
    // kernel has no state left to lose.
    const restart = dialogs.restart.bind(dialogs);
    dialogs.restart = async (sessionContext, options) => {
      const guard = guards.get(sessionContext);
      if (!guard || !guard.isDead) {
        return restart(sessionContext, options);
      }
      await options?.onBeforeRestart?.();
      await guard.restart();
      return true;
    };

    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (
        panel: Widget,
        context: DocumentRegistry.IContext<DocumentRegistry.IModel>
      ): IDisposable => {
        const sessionContext = context.sessionContext;
        const view = new NotificationNoticeView({
          path: () => sessionContext.path || context.path,
          restart: async () => {
            // Errors are told by the restart's own notification.
            await guard.restart().catch(() => undefined);
          },
          closed: () => guard.dismissed()
        });
        const guard = new KernelDeathGuard({
          sessionContext,
          running: running.model,
          view
        });
        guards.set(sessionContext, guard);
        panel.disposed.connect(() => guard.dispose());
        return guard;
      }
    });
  }
};
