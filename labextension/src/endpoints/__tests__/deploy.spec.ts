import { IInstanceType } from '../../instance/tokens';
import {
  DEFAULT_VARIANT,
  DeployError,
  DeployStep,
  defaultEndpointName,
  deployTrainingJob,
  fieldOfRefusal,
  initialDeployForm,
  validateDeploy
} from '../deploy';
import { fakeClient } from './fixtures';

const type = (
  name: string,
  available = true,
  reason: string | null = null
): IInstanceType => ({
  name,
  vcpus: 2,
  memory_bytes: 4 << 30,
  memory_gib: 4,
  gpus: 0,
  price_per_hour: 0.05,
  available,
  unavailable_reason: reason
});

const TYPES = [
  type('ml.g4dn.xlarge', false, 'no GPU on this host'),
  type('ml.t3.medium'),
  type('ml.m5.large')
];

describe('the Deploy form', () => {
  it('defaults to the job name and the preferred available type', () => {
    expect(initialDeployForm('sklearn-1203', TYPES, 'ml.m5.large')).toEqual({
      endpointName: 'sklearn-1203',
      instanceType: 'ml.m5.large',
      instanceCount: '1'
    });
    // An unavailable preference gives the first available type.
    expect(initialDeployForm('j', TYPES, 'ml.g4dn.xlarge').instanceType).toBe(
      'ml.t3.medium'
    );
  });

  it('makes a valid endpoint name of any job name', () => {
    expect(defaultEndpointName('my_job.v2')).toBe('my-job-v2');
    expect(defaultEndpointName('-x-')).toBe('x');
    expect(defaultEndpointName('a'.repeat(80))).toHaveLength(63);
    expect(defaultEndpointName('___')).toBe('endpoint');
  });

  it('names each bad field', () => {
    expect(
      validateDeploy(
        { endpointName: '', instanceType: '', instanceCount: '0' },
        TYPES
      )
    ).toEqual({
      endpointName: 'Give the endpoint a name',
      instanceType: 'Choose an instance type',
      instanceCount: 'Give a whole number from 1 to 10'
    });
    const bad = validateDeploy(
      {
        endpointName: 'bad_name',
        instanceType: 'ml.g4dn.xlarge',
        instanceCount: '1.5'
      },
      TYPES
    );
    expect(bad.endpointName).toMatch(/letters, digits and hyphens/);
    expect(bad.instanceType).toBe(
      'ml.g4dn.xlarge is not available: no GPU on this host'
    );
    expect(bad.instanceCount).toBeDefined();
    expect(
      validateDeploy(
        { endpointName: 'ok-1', instanceType: 'ml.x', instanceCount: '2' },
        TYPES
      ).instanceType
    ).toBe('ml.x is not in the catalog');
    expect(
      validateDeploy(
        {
          endpointName: 'ok-1',
          instanceType: 'ml.t3.medium',
          instanceCount: '2'
        },
        TYPES
      )
    ).toEqual({});
  });
});

describe('deployTrainingJob', () => {
  const form = {
    endpointName: ' ep-1 ',
    instanceType: 'ml.t3.medium',
    instanceCount: '2'
  };

  it('creates the model from the job, a one-variant config and the endpoint', async () => {
    const api = fakeClient();
    const steps: DeployStep[] = [];
    expect(
      await deployTrainingJob(api, 'job-1', form, s => steps.push(s))
    ).toBe('ep-1');
    expect(steps).toEqual(['model', 'config', 'endpoint']);
    expect(api.createModel).toHaveBeenCalledWith({
      ModelName: 'ep-1',
      FromTrainingJob: 'job-1'
    });
    expect(api.createEndpointConfig).toHaveBeenCalledWith({
      EndpointConfigName: 'ep-1',
      ProductionVariants: [
        {
          VariantName: DEFAULT_VARIANT,
          ModelName: 'ep-1',
          InstanceType: 'ml.t3.medium',
          InitialInstanceCount: 2,
          InitialVariantWeight: 1
        }
      ]
    });
    expect(api.createEndpoint).toHaveBeenCalledWith({
      EndpointName: 'ep-1',
      EndpointConfigName: 'ep-1'
    });
  });

  it('names the refused step, and a second try skips what was made', async () => {
    const taken = Object.assign(new Error('endpoint config ep-1 exists'), {
      response: { status: 409 }
    });
    const api = fakeClient({
      createEndpointConfig: jest
        .fn()
        .mockRejectedValueOnce(taken)
        .mockResolvedValueOnce(undefined)
    });
    const done = new Set<DeployStep>();
    const error: DeployError = await deployTrainingJob(
      api,
      'job-1',
      form,
      undefined,
      done
    ).catch(e => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.step).toBe('config');
    expect(error.message).toBe(
      'Could not create the endpoint config ep-1: endpoint config ep-1 exists'
    );
    expect(fieldOfRefusal(error, 409)).toBe('endpointName');
    expect(api.createEndpoint).not.toHaveBeenCalled();

    await deployTrainingJob(api, 'job-1', form, undefined, done);
    expect(api.createModel).toHaveBeenCalledTimes(1);
    expect(api.createEndpoint).toHaveBeenCalledTimes(1);
  });

  it('puts a refusal under its field, or nowhere', () => {
    const at = (step: DeployStep, message: string) =>
      new DeployError(step, null, message);
    expect(
      fieldOfRefusal(
        at('config', 'ProductionVariants[0].InstanceType: unknown'),
        400
      )
    ).toBe('instanceType');
    expect(fieldOfRefusal(at('model', 'model ep exists'), 409)).toBe(
      'endpointName'
    );
    expect(
      fieldOfRefusal(
        at('model', 'training job j is InProgress, not Completed'),
        409
      )
    ).toBeNull();
    expect(fieldOfRefusal(at('model', 'no training job j'), 404)).toBeNull();
  });
});
