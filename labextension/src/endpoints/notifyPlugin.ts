import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { IAtelierEvents } from '../events/tokens';
import { createEndpointsClient } from './client';
import { isDeletedFrame } from './feed';
import { IEndpointNotice, SettledEndpoints } from './notices';
import { EndpointCommandIDs } from './tokens';

/**
 * An endpoint that goes InService or Failed while the page watches it is
 * announced through JupyterLab's notifications, wherever the user is, with
 * an action that opens the endpoint's tab.
 */
export const endpointNotificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@atelier/labextension:endpoint-notifications',
  description:
    'Atelier: notifications when an endpoint is InService or Failed.',
  autoStart: true,
  requires: [IAtelierEvents],
  activate: (app: JupyterFrontEnd, events: IAtelierEvents): void => {
    const api = createEndpointsClient(ServerConnection.makeSettings());
    const endpoints = new SettledEndpoints();
    const show = (notice: IEndpointNotice | null): void => {
      if (!notice) {
        return;
      }
      Notification.emit(notice.message, notice.type, {
        autoClose: notice.type === 'success' ? 10000 : false,
        actions: [
          {
            label: 'Open endpoint',
            caption: `Open the tab of endpoint ${notice.name}`,
            callback: () =>
              void app.commands.execute(EndpointCommandIDs.openEndpoint, {
                name: notice.name
              })
          }
        ]
      });
    };
    // The list seeds the endpoints already changing; after a drop it tells which settled meanwhile.
    const sync = (): void => {
      api
        .listEndpoints()
        .then(list => list.forEach(e => show(endpoints.observe(e))))
        .catch(() => undefined);
    };
    events
      .frame('endpoint')
      .connect((_, frame) =>
        show(endpoints.observe(frame.endpoint, isDeletedFrame(frame)))
      );
    events.reconnected.connect(sync);
    events.acquire();
    sync();
  }
};
