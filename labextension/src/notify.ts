import { Dialog, Notification } from '@jupyterlab/apputils';

import { messageOf } from './messages';

/** Show an error as a JupyterLab notification with the server's message. */
export function notifyError(prefix: string, error: unknown): void {
  Notification.error(`${prefix}: ${messageOf(error)}`, { autoClose: 8000 });
}

/**
 * Show a dialog named by its title for assistive technology (JupyterLab
 * names a dialog only when its body is plain text).
 */
export function showNamedDialog<T>(
  options: Partial<Dialog.IOptions<T>> & { title: string }
): Promise<Dialog.IResult<T>> {
  const dialog = new Dialog<T>(options);
  if (typeof options.body !== 'string') {
    dialog.node.setAttribute('aria-label', options.title);
  }
  return dialog.launch();
}
