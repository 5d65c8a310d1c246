import { Dialog, Notification } from '@jupyterlab/apputils';

import { IInstanceType } from '../instance/tokens';
import { statusOf } from '../messages';
import { showNamedDialog } from '../notify';
import { IEndpointsClient } from './client';
import { DeployBody } from './components/DeployBody';
import {
  DeployError,
  DeployErrors,
  DeployStep,
  IDeployForm,
  deployTrainingJob,
  fieldOfRefusal,
  initialDeployForm,
  validateDeploy
} from './deploy';

const STEP_WORDS: Record<DeployStep, string> = {
  model: 'creating the model',
  config: 'creating the endpoint config',
  endpoint: 'creating the endpoint'
};

/**
 * The Deploy dialog of a Completed training job: asks the endpoint's name,
 * instance type and count, creates the model, config and endpoint, and
 * resolves with the endpoint's name (null when cancelled or failed). The
 * dialog comes back with the errors under their fields until the input is
 * right or the user cancels; a refusal by the server is shown the same way.
 */
export async function deployDialog(
  api: IEndpointsClient,
  jobName: string,
  types: ReadonlyArray<IInstanceType>,
  preferredType?: string
): Promise<string | null> {
  let form: IDeployForm = initialDeployForm(jobName, types, preferredType);
  let errors: DeployErrors = {};
  // Steps that succeeded for a name: a second try goes on from there.
  let done = new Set<DeployStep>();
  let doneFor = '';
  for (;;) {
    const result = await showNamedDialog<IDeployForm>({
      title: `Deploy ${jobName}`,
      body: new DeployBody({ jobName, types, form, errors }),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Deploy' })]
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    errors = validateDeploy(form, types);
    if (Object.keys(errors).length) {
      continue;
    }
    const name = form.endpointName.trim();
    if (name !== doneFor) {
      done = new Set();
      doneFor = name;
    }
    const id = Notification.emit(
      `Deploying ${jobName} to endpoint ${name}…`,
      'in-progress',
      { autoClose: false }
    );
    try {
      await deployTrainingJob(
        api,
        jobName,
        form,
        step =>
          Notification.update({
            id,
            message: `Deploying ${jobName} to endpoint ${name}: ${STEP_WORDS[step]}…`,
            type: 'in-progress'
          }),
        done
      );
      Notification.update({
        id,
        message: `Endpoint ${name} is Creating: its instances are starting.`,
        type: 'info',
        autoClose: 5000
      });
      return name;
    } catch (error) {
      const refusal = error instanceof DeployError ? error : null;
      const field = refusal
        ? fieldOfRefusal(refusal, statusOf(refusal.error))
        : null;
      const message = error instanceof Error ? error.message : String(error);
      Notification.update({ id, message, type: 'error', autoClose: 8000 });
      if (!field) {
        return null;
      }
      errors = { [field]: message };
    }
  }
}
