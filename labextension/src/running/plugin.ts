import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { IAtelierEvents } from '../events/tokens';
import { createIdleServer, createUsageApi, idleNotifier } from '../usage/api';
import { createUsageClient } from '../usage/client';
import { IdleRulesSync } from '../usage/idleRulesSync';
import { atelierRunningIcon } from '../icons';
import {
  IAtelierRunning,
  RUNNING_PANEL_ID,
  RUNNING_PLUGIN_ID,
  RunningCommandIDs
} from './tokens';
import { ATELIER_CATEGORY } from '../category';
import { notifyError } from '../notify';
import { createActions } from './actions';
import { createInstancesClient } from './client';
import { InstancesFeed } from './instancesFeed';
import { KernelsFeed } from './kernelsFeed';
import { InstancesModel } from './instancesModel';
import { RunningModel } from './model';
import { RunningPanel } from './widget';

/** Default fallback poll interval, in ms (see schema/running.json). */
const DEFAULT_POLL_INTERVAL = 3000;

/**
 * The Running panel in the left sidebar: running instances and kernel
 * sessions, live; usage per instance type and idle shutdown rules (kept in
 * the settings and applied to the server).
 */
export const runningPlugin: JupyterFrontEndPlugin<IAtelierRunning> = {
  id: RUNNING_PLUGIN_ID,
  description:
    'Atelier Running panel: live lists of instances and kernels, shut down.',
  autoStart: true,
  provides: IAtelierRunning,
  requires: [IAtelierEvents],
  optional: [ILayoutRestorer, ISettingRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    events: IAtelierEvents,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null
  ): IAtelierRunning => {
    const serverSettings = ServerConnection.makeSettings();
    const api = createInstancesClient(serverSettings);
    const usage = createUsageClient(serverSettings);
    const model = new RunningModel();
    const instances = new InstancesModel();
    const instancesFeed = new InstancesFeed({
      model: instances,
      fetchInstances: () => api.instances(),
      onError: error => notifyError('Atelier: cannot list instances', error)
    });
    const client = new KernelsFeed({
      events,
      fetchKernels: () => api.kernels(),
      onKernels: kernels => {
        model.update(kernels);
        // Every kernel change can start, fill or empty an instance.
        instancesFeed.trigger();
      },
      onStatus: (status, error) => model.setFeed(status, error),
      onError: error => notifyError('Atelier: cannot list kernels', error),
      pollInterval: DEFAULT_POLL_INTERVAL
    });

    const actions = createActions({
      model,
      instances,
      refresh: () => client.refresh(),
      refreshInstances: () => instancesFeed.refresh(),
      kernels: app.serviceManager.kernels,
      sessions: app.serviceManager.sessions,
      stopInstance: id => api.stopInstance(id)
    });

    // Idle rules live in the settings (schema/running.json); this sends
    // them to the server, which enforces them.
    const idleSync = new IdleRulesSync({
      server: createIdleServer(usage),
      notify: idleNotifier
    });
    // A new idle rule moves the idle deadlines the panel shows.
    idleSync.applied.connect(() => {
      instancesFeed.trigger();
      void client.refresh().catch(() => undefined);
    });

    const panel = new RunningPanel({
      model,
      instances,
      actions,
      onRefreshDue: () => instancesFeed.trigger(),
      usage: createUsageApi(usage, api, idleSync)
    });
    panel.id = RUNNING_PANEL_ID;
    panel.title.icon = atelierRunningIcon;
    panel.title.caption = 'Atelier: running kernels';
    panel.disposed.connect(() => {
      client.dispose();
      idleSync.dispose();
      instancesFeed.dispose();
      model.dispose();
      instances.dispose();
    });
    app.shell.add(panel, 'left', { rank: 200 });
    if (restorer) {
      restorer.add(panel, RUNNING_PANEL_ID);
    }

    client.start();

    if (settingRegistry) {
      // Not awaited: the panel works with defaults until settings load.
      settingRegistry
        .load(RUNNING_PLUGIN_ID)
        .then(settings => {
          const apply = (): void => {
            const value = settings.get('pollInterval').composite;
            client.pollInterval =
              typeof value === 'number' && value >= 500
                ? value
                : DEFAULT_POLL_INTERVAL;
          };
          apply();
          settings.changed.connect(apply);
          // Not awaited: failures are notified with the server's message.
          void idleSync.attach(settings);
        })
        .catch(reason => {
          console.error('Atelier: cannot load the Running settings.', reason);
        });
    }

    app.commands.addCommand(RunningCommandIDs.open, {
      label: 'Show Running Kernels',
      caption: 'Atelier: running kernels',
      execute: () => app.shell.activateById(RUNNING_PANEL_ID)
    });
    app.commands.addCommand(RunningCommandIDs.refresh, {
      label: 'Refresh Running Kernels',
      execute: () => actions.refresh()
    });
    app.commands.addCommand(RunningCommandIDs.shutdownAll, {
      label: 'Shut Down All Kernels…',
      isEnabled: () => model.kernels.length > 0,
      execute: () => actions.shutdownAll()
    });
    app.commands.addCommand(RunningCommandIDs.shutdownAllInstances, {
      label: 'Shut Down All Instances…',
      isEnabled: () => instances.instances.length > 0,
      execute: () => actions.shutdownAllInstances()
    });
    if (palette) {
      const category = ATELIER_CATEGORY;
      for (const command of Object.values(RunningCommandIDs)) {
        palette.addItem({ command, category });
      }
    }

    return {
      model,
      instances,
      refresh: () => client.refresh(),
      refreshInstances: () => instancesFeed.refresh()
    };
  }
};
