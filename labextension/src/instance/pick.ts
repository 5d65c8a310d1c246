import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';

import { notifyError, showNamedDialog } from '../notify';
import { CatalogStore } from './catalog';
import { changeInstance, INotebookPanelLike } from './change';
import { PickerBody } from './PickerBody';
import { changeConfirmText, IInstanceChoice, isDifferent } from './spec';

/**
 * The picker of instance types and images for one notebook, as the toolbar
 * item and the status bar item open it: pick, confirm the restart, then
 * move the kernel. `onPending` hears the choice while the kernel moves, then
 * null.
 */
export async function pickInstance(
  panel: INotebookPanelLike,
  store: CatalogStore,
  current: IInstanceChoice | null,
  onPending: (choice: IInstanceChoice | null) => void = () => undefined
): Promise<void> {
  let catalogs;
  try {
    catalogs = await store.load(true);
  } catch (error) {
    notifyError('Atelier: cannot list instance types and images', error);
    return;
  }
  const from: IInstanceChoice = current ?? {
    instanceType: catalogs.types.default,
    image: catalogs.images.default
  };
  const path = panel.context.path;
  const name = PathExt.basename(path);
  const picked = await showNamedDialog<IInstanceChoice>({
    title: `Instance for ${name}`,
    body: new PickerBody(catalogs, from),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Select' })]
  });
  const choice = picked.value;
  if (!picked.button.accept || !choice || !isDifferent(choice, from)) {
    return;
  }
  const confirmed = await showDialog({
    title: `Restart on ${choice.instanceType}?`,
    body: changeConfirmText(path, from, choice),
    buttons: [
      Dialog.cancelButton(),
      Dialog.warnButton({ label: 'Restart Kernel' })
    ]
  });
  if (!confirmed.button.accept) {
    return;
  }
  onPending(choice);
  try {
    await changeInstance(panel, choice);
  } catch (error) {
    notifyError(
      `Could not restart ${name} on ${choice.instanceType} (${choice.image})`,
      error
    );
  } finally {
    onPending(null);
  }
}
