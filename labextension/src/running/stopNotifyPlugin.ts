import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';

import { IAtelierEvents } from '../events/tokens';
import { RunningCommandIDs } from './tokens';

/**
 * An instance stopped by its idle rule is announced through JupyterLab's
 * notifications, wherever the user is: the server's sentence names the
 * instance and the notebooks whose kernels went with it; the action opens
 * the Running panel.
 */
export const instanceStopNotificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@atelier/labextension:instance-stop-notifications',
  description: 'Atelier: a notification when an idle rule stops an instance.',
  autoStart: true,
  requires: [IAtelierEvents],
  activate: (app: JupyterFrontEnd, events: IAtelierEvents): void => {
    events.frame('instance_stopped').connect((_, frame) => {
      Notification.warning(frame.message, {
        autoClose: false,
        actions: [
          {
            label: 'Show Running',
            caption: 'Open the Running panel: instances and their idle rules',
            callback: () => void app.commands.execute(RunningCommandIDs.open)
          }
        ]
      });
    });
    events.acquire();
  }
};
