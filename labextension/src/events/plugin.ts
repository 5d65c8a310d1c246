import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';

import { eventsURL } from '../handler';
import { EventStream } from './stream';
import { EVENTS_PLUGIN_ID, IAtelierEvents } from './tokens';

/**
 * The page's one connection to `atelier/api/events`, shared by every panel
 * that shows live data (it opens when the first one holds it).
 */
export const eventsPlugin: JupyterFrontEndPlugin<IAtelierEvents> = {
  id: EVENTS_PLUGIN_ID,
  description: 'Atelier: the event stream, one WebSocket for every panel.',
  autoStart: true,
  provides: IAtelierEvents,
  activate: (app: JupyterFrontEnd): IAtelierEvents =>
    new EventStream({ url: eventsURL(ServerConnection.makeSettings()) })
};
