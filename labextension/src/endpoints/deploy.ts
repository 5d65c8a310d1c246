import { IInstanceType } from '../instance/tokens';
import { IEndpointsClient } from './client';

/** The Deploy dialog's fields, as typed. */
export interface IDeployForm {
  endpointName: string;
  instanceType: string;
  instanceCount: string;
}

/** What is wrong with the form, by field. */
export type DeployErrors = Partial<Record<keyof IDeployForm, string>>;

/** SageMaker's pattern of endpoint, config and model names. */
export const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The variant a one-model deploy creates (the SageMaker SDK's name). */
export const DEFAULT_VARIANT = 'AllTraffic';

/** Most instances the dialog asks for. */
export const MAX_DEPLOY_INSTANCES = 10;

/**
 * An endpoint name from a job's name: SageMaker's name alphabet (letters,
 * digits, hyphens), at most 63 characters, starting and ending with a
 * letter or digit.
 */
export function defaultEndpointName(jobName: string): string {
  const name = jobName
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return name || 'endpoint';
}

/** The form the dialog opens with for a job. */
export function initialDeployForm(
  jobName: string,
  types: ReadonlyArray<IInstanceType>,
  preferred?: string
): IDeployForm {
  const available = types.filter(t => t.available);
  const type =
    available.find(t => t.name === preferred) ?? available[0] ?? types[0];
  return {
    endpointName: defaultEndpointName(jobName),
    instanceType: type?.name ?? '',
    instanceCount: '1'
  };
}

/** The form's errors; none when it can be sent. */
export function validateDeploy(
  form: IDeployForm,
  types: ReadonlyArray<IInstanceType>
): DeployErrors {
  const errors: DeployErrors = {};
  const name = form.endpointName.trim();
  if (!name) {
    errors.endpointName = 'Give the endpoint a name';
  } else if (!NAME_PATTERN.test(name)) {
    errors.endpointName =
      'Use letters, digits and hyphens (up to 63), starting and ending with a letter or digit';
  }
  const type = types.find(t => t.name === form.instanceType);
  if (!form.instanceType) {
    errors.instanceType = 'Choose an instance type';
  } else if (types.length && !type) {
    errors.instanceType = `${form.instanceType} is not in the catalog`;
  } else if (type && !type.available) {
    errors.instanceType = type.unavailable_reason
      ? `${type.name} is not available: ${type.unavailable_reason}`
      : `${type.name} is not available here`;
  }
  const count = form.instanceCount.trim();
  const n = /^\d+$/.test(count) ? Number(count) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_DEPLOY_INSTANCES) {
    errors.instanceCount = `Give a whole number from 1 to ${MAX_DEPLOY_INSTANCES}`;
  }
  return errors;
}

/** One step of a deploy, for progress and errors. */
export type DeployStep = 'model' | 'config' | 'endpoint';

/** A deploy that failed at a step, with the server's message. */
export class DeployError extends Error {
  constructor(
    readonly step: DeployStep,
    readonly error: unknown,
    message: string
  ) {
    super(message);
  }
}

function stepMessage(step: DeployStep, name: string, error: unknown): string {
  const what =
    step === 'model'
      ? `the model ${name}`
      : step === 'config'
        ? `the endpoint config ${name}`
        : `the endpoint ${name}`;
  const reason = error instanceof Error ? error.message : String(error);
  return `Could not create ${what}: ${reason}`;
}

/**
 * Deploy a Completed training job: the model (FromTrainingJob), an endpoint
 * config of one variant with all the traffic, and the endpoint, each named
 * as the endpoint. Resolves with the endpoint's name once the server has
 * accepted it (Creating); rejects with a DeployError naming the step.
 * Steps in `done` are skipped and each step that succeeds is added to it,
 * so that a second try after a refusal does not create the model twice.
 */
export async function deployTrainingJob(
  api: Pick<
    IEndpointsClient,
    'createModel' | 'createEndpointConfig' | 'createEndpoint'
  >,
  jobName: string,
  form: IDeployForm,
  onStep?: (step: DeployStep) => void,
  done: Set<DeployStep> = new Set()
): Promise<string> {
  const name = form.endpointName.trim();
  const run = async (step: DeployStep, call: () => Promise<void>) => {
    if (done.has(step)) {
      return;
    }
    onStep?.(step);
    try {
      await call();
      done.add(step);
    } catch (error) {
      throw new DeployError(step, error, stepMessage(step, name, error));
    }
  };
  await run('model', () =>
    api.createModel({ ModelName: name, FromTrainingJob: jobName })
  );
  await run('config', () =>
    api.createEndpointConfig({
      EndpointConfigName: name,
      ProductionVariants: [
        {
          VariantName: DEFAULT_VARIANT,
          ModelName: name,
          InstanceType: form.instanceType,
          InitialInstanceCount: Number(form.instanceCount.trim()),
          InitialVariantWeight: 1
        }
      ]
    })
  );
  await run('endpoint', () =>
    api.createEndpoint({ EndpointName: name, EndpointConfigName: name })
  );
  return name;
}

/**
 * The field a refused step belongs to, for the dialog to show the message
 * under it: a taken name (409) or a bad name under the name, a refused
 * instance type or count under those; null for anything else.
 */
export function fieldOfRefusal(
  error: DeployError,
  status: number | null
): keyof IDeployForm | null {
  const text = error.message;
  if (/InstanceType/i.test(text) || /instance type/i.test(text)) {
    return 'instanceType';
  }
  if (/InstanceCount/i.test(text)) {
    return 'instanceCount';
  }
  if (status === 409 && error.step !== 'model') {
    return 'endpointName';
  }
  if (status === 409 && !/job/i.test(text)) {
    return 'endpointName';
  }
  if (status === 400 && /Name/.test(text)) {
    return 'endpointName';
  }
  return null;
}
