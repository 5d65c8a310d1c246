import { Dialog } from '@jupyterlab/apputils';
import { Contents } from '@jupyterlab/services';

import { notifyError, showNamedDialog } from '../notify';
import { CatalogStore } from './catalog';
import { PickerBody } from './PickerBody';
import { ICatalogs, IInstanceChoice, kernelFor, notebookOn } from './spec';

export interface INewNotebookOptions {
  store: CatalogStore;
  contents: Contents.IManager;
  /** The folder to create it in (the file browser's). */
  folder: () => string;
  /** Opens the saved notebook with its kernel. */
  open: (path: string, kernel: string) => Promise<unknown>;
}

/**
 * A new notebook on a chosen instance type and image: pick them, save an
 * untitled notebook whose metadata asks for them, then open it, so its
 * kernel starts there (the server reads the saved metadata).
 */
export async function newNotebookOnInstance(
  options: INewNotebookOptions
): Promise<string | null> {
  let catalogs: ICatalogs;
  try {
    catalogs = await options.store.load(true);
  } catch (error) {
    notifyError('Atelier: cannot list instance types and images', error);
    return null;
  }
  const picked = await showNamedDialog<IInstanceChoice>({
    title: 'New Notebook on an Instance',
    body: new PickerBody(catalogs, {
      instanceType: catalogs.types.default,
      image: catalogs.images.default
    }),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Create' })]
  });
  const choice = picked.value;
  if (!picked.button.accept || !choice) {
    return null;
  }
  const kernel = kernelFor(catalogs, choice.image);
  try {
    const untitled = await options.contents.newUntitled({
      path: options.folder(),
      type: 'notebook'
    });
    await options.contents.save(untitled.path, {
      type: 'notebook',
      format: 'json',
      content: notebookOn(choice, kernel)
    });
    await options.open(untitled.path, kernel);
    return untitled.path;
  } catch (error) {
    notifyError(
      `Could not create a notebook on ${choice.instanceType} (${choice.image})`,
      error
    );
    return null;
  }
}
