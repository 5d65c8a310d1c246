import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { ATELIER_CATEGORY } from '../category';
import { IAtelierEvents, IEndpointEvent } from '../events/tokens';
import { IInstanceType } from '../instance/tokens';
import { createJobsClient } from '../jobs/client';
import { notifyError } from '../notify';
import { createInstancesClient } from '../running/client';
import { createEndpointsClient } from './client';
import { deployDialog } from './deployDialog';
import { EndpointDetailModel } from './detailModel';
import { EndpointDetailWidget } from './detailWidget';
import { EndpointsFeed, isDeletedFrame } from './feed';
import { atelierEndpointsIcon } from './icons';
import { EndpointsListModel } from './listModel';
import { EndpointsPanel } from './panel';
import {
  ENDPOINTS_PANEL_ID,
  ENDPOINTS_PLUGIN_ID,
  EndpointCommandIDs
} from './tokens';

/**
 * The Endpoints panel: endpoints live from the event stream; a detail tab
 * per endpoint (variants, instances' health, metrics, invoke, weights,
 * delete); Deploy of a Completed training job.
 */
export const endpointsPlugin: JupyterFrontEndPlugin<void> = {
  id: ENDPOINTS_PLUGIN_ID,
  description: 'Atelier Endpoints panel: real-time endpoints, live.',
  autoStart: true,
  requires: [IAtelierEvents],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    events: IAtelierEvents,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const settings = ServerConnection.makeSettings();
    const api = createEndpointsClient(settings);
    const instances = createInstancesClient(settings);
    const jobs = createJobsClient(settings);
    const model = new EndpointsListModel();
    const feed = new EndpointsFeed({
      model,
      fetchEndpoints: () => api.listEndpoints(),
      onError: error => notifyError('Atelier: cannot list endpoints', error),
      events
    });
    const tracker = new WidgetTracker<MainAreaWidget<EndpointDetailWidget>>({
      namespace: 'atelier-endpoint'
    });

    // Open detail tabs follow their endpoint's frames while the stream is held.
    let hold: { dispose(): void } | null = null;
    const onFrame = (_: IAtelierEvents, frame: IEndpointEvent): void => {
      const deleted = isDeletedFrame(frame);
      tracker.forEach(w => w.content.model.applyFrame(frame.endpoint, deleted));
    };
    const onReconnected = (): void => {
      tracker.forEach(w => void w.content.model.refresh());
    };
    const follow = (): void => {
      if (!hold) {
        events.frame('endpoint').connect(onFrame);
        events.reconnected.connect(onReconnected);
        hold = events.acquire();
      }
    };
    const unfollow = (): void => {
      if (hold && tracker.size === 0) {
        events.frame('endpoint').disconnect(onFrame);
        events.reconnected.disconnect(onReconnected);
        hold.dispose();
        hold = null;
      }
    };

    const openEndpoint = (name: string): void => {
      const existing = tracker.find(w => w.content.model.name === name);
      if (existing) {
        app.shell.activateById(existing.id);
        return;
      }
      follow();
      const content = new EndpointDetailWidget({
        model: new EndpointDetailModel({ name, api }),
        api
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `atelier-endpoint-${name}`;
      widget.title.label = name;
      widget.title.caption = `Endpoint ${name}`;
      widget.title.icon = atelierEndpointsIcon;
      widget.title.closable = true;
      widget.disposed.connect(() => setTimeout(unfollow, 0));
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    };

    const deployJob = async (job: string): Promise<void> => {
      let types: IInstanceType[] = [];
      let preferred: string | undefined;
      try {
        const [catalog, described] = await Promise.all([
          instances.instanceTypes(),
          jobs.describe('training', job)
        ]);
        types = catalog?.instance_types ?? [];
        preferred = catalog?.default;
        const status = described?.TrainingJobStatus;
        if (status && status !== 'Completed') {
          notifyError(
            `Cannot deploy ${job}`,
            new Error(
              `the job is ${status}; only a Completed job has a model to serve`
            )
          );
          return;
        }
      } catch (error) {
        notifyError(`Cannot deploy ${job}`, error);
        return;
      }
      const name = await deployDialog(api, job, types, preferred);
      if (name) {
        openEndpoint(name);
        void feed.refresh();
      }
    };

    const panel = new EndpointsPanel({ model, feed, onOpen: openEndpoint });
    panel.id = ENDPOINTS_PANEL_ID;
    panel.title.icon = atelierEndpointsIcon;
    panel.title.caption = 'Atelier: endpoints';
    panel.disposed.connect(() => feed.dispose());
    // After the Jobs panel (rank 210).
    app.shell.add(panel, 'left', { rank: 220 });
    if (restorer) {
      restorer.add(panel, ENDPOINTS_PANEL_ID);
      void restorer.restore(tracker, {
        command: EndpointCommandIDs.openEndpoint,
        args: w => ({ name: w.content.model.name }),
        name: w => w.content.model.name
      });
    }

    app.commands.addCommand(EndpointCommandIDs.open, {
      label: 'Show Endpoints',
      caption: 'Atelier: real-time endpoints',
      execute: () => app.shell.activateById(ENDPOINTS_PANEL_ID)
    });
    app.commands.addCommand(EndpointCommandIDs.openEndpoint, {
      label: args => `Open Endpoint ${(args.name as string) ?? ''}`.trim(),
      execute: args => {
        if (typeof args.name === 'string' && args.name) {
          openEndpoint(args.name);
        }
      }
    });
    app.commands.addCommand(EndpointCommandIDs.deployJob, {
      label: args =>
        `Deploy ${(args.job as string) ?? ''}…`.replace(/\s+…$/, '…'),
      caption: 'Atelier: serve a Completed training job on an endpoint',
      execute: args =>
        typeof args.job === 'string' && args.job
          ? deployJob(args.job)
          : undefined
    });
    app.commands.addCommand(EndpointCommandIDs.refresh, {
      label: 'Refresh Endpoints',
      execute: () => feed.refresh()
    });
    if (palette) {
      for (const command of [
        EndpointCommandIDs.open,
        EndpointCommandIDs.refresh
      ]) {
        palette.addItem({ command, category: ATELIER_CATEGORY });
      }
    }
  }
};
