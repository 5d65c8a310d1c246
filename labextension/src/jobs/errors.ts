import { Notification } from '@jupyterlab/apputils';

import { messageOf } from './messages';

export { messageOf, statusOf } from './messages';

/** Show an error as a JupyterLab notification. */
export function notifyError(prefix: string, error: unknown): void {
  Notification.error(`${prefix}: ${messageOf(error)}`, { autoClose: 8000 });
}
