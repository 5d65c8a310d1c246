import { Dialog } from '@jupyterlab/apputils';

import { messageOf, statusOf } from '../messages';
import { notifyError, showNamedDialog } from '../notify';
import { IEndpointsClient } from './client';
import { UpdateBody } from './components/UpdateBody';
import { EndpointDetailModel } from './detailModel';
import {
  IUpdateForm,
  UpdateErrors,
  fieldOfUpdateRefusal,
  initialUpdateForm,
  updateRequestOf,
  validateUpdate
} from './update';

/**
 * The Update dialog of an endpoint: the config to move to, the traffic
 * routing, the waits and the rollback alarms. It comes back with the errors
 * under their fields until the input is right or the user cancels; a 4xx of
 * the server is shown in it the same way (under the field it names, else
 * above the fields). Resolves true once the server took the update.
 */
export async function updateDialog(
  api: IEndpointsClient,
  model: EndpointDetailModel
): Promise<boolean> {
  const name = model.name;
  let configs: string[];
  try {
    configs = (await api.listEndpointConfigs())
      .map(c => c.EndpointConfigName)
      .sort((a, b) => a.localeCompare(b));
  } catch (error) {
    notifyError(`Cannot update endpoint ${name}`, error);
    return false;
  }
  const current = model.description?.EndpointConfigName ?? '';
  let form: IUpdateForm = initialUpdateForm(model.description, configs);
  let errors: UpdateErrors = {};
  let refusal: string | null = null;
  for (;;) {
    const result = await showNamedDialog<IUpdateForm>({
      title: `Update endpoint ${name}`,
      body: new UpdateBody({
        endpointName: name,
        currentConfig: current,
        configs,
        form,
        errors,
        refusal
      }),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Update' })]
    });
    if (!result.button.accept || !result.value) {
      return false;
    }
    form = result.value;
    refusal = null;
    errors = validateUpdate(form, configs);
    if (Object.keys(errors).length) {
      continue;
    }
    try {
      await model.update(updateRequestOf(form));
      return true;
    } catch (error) {
      const status = statusOf(error);
      const message = messageOf(error);
      if (status === null || status >= 500) {
        notifyError(`Could not update endpoint ${name}`, error);
        return false;
      }
      const field = fieldOfUpdateRefusal(message, form);
      if (field) {
        errors = { [field]: message };
      } else {
        refusal = message;
      }
    }
  }
}
