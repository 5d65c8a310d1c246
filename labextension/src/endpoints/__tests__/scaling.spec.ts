import {
  describeScaling,
  fieldOfScalingRefusal,
  scalingFormOf,
  scalingRequestOf,
  validateScaling
} from '../scaling';
import { ScalingModel } from '../scalingModel';
import { IScalingPolicy } from '../tokens';
import { fakeClient } from './fixtures';

const policy: IScalingPolicy = {
  MinCapacity: 1,
  MaxCapacity: 4,
  TargetTrackingScalingPolicyConfiguration: {
    TargetValue: 70,
    ScaleOutCooldown: 60,
    ScaleInCooldown: 300,
    DisableScaleIn: false
  }
};

function responseError(status: number, message: string): Error {
  return Object.assign(new Error(message), { response: { status } });
}

describe('the scaling form', () => {
  it('round-trips a policy into the PUT body the server reads', () => {
    const form = scalingFormOf(policy);
    expect(validateScaling(form)).toEqual({});
    expect(scalingRequestOf(form)).toEqual({
      ...policy,
      TargetTrackingScalingPolicyConfiguration: {
        ...policy.TargetTrackingScalingPolicyConfiguration,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance'
        }
      }
    });
  });

  it('starts a new policy from the current count, with default cooldowns', () => {
    expect(scalingFormOf(null, 3)).toEqual({
      min: '3',
      max: '6',
      target: '100',
      scaleOutCooldown: '300',
      scaleInCooldown: '300',
      disableScaleIn: false
    });
  });

  it('refuses what ScalingPolicy.java refuses, field by field', () => {
    const base = scalingFormOf(policy);
    expect(
      validateScaling({
        ...base,
        min: '0',
        max: '101',
        target: '0',
        scaleOutCooldown: '86401',
        scaleInCooldown: '1.5'
      })
    ).toEqual({
      min: 'Give a whole number from 1 to 100',
      max: 'Give a whole number from 1 to 100',
      target: 'Give the invocations per instance per minute to keep, above 0',
      scaleOutCooldown: 'Give a whole number from 0 to 86400',
      scaleInCooldown: 'Give a whole number from 0 to 86400'
    });
    expect(validateScaling({ ...base, min: '5', max: '4' })).toEqual({
      max: 'Give at least the minimum (5)'
    });
  });

  it('finds the field a refusal names, and says a policy in a line', () => {
    expect(
      fieldOfScalingRefusal('MaxCapacity: 1 is below MinCapacity (2)')
    ).toBe('max');
    expect(
      fieldOfScalingRefusal(
        'TargetTrackingScalingPolicyConfiguration.TargetValue: must be a number above 0'
      )
    ).toBe('target');
    expect(fieldOfScalingRefusal("the endpoint 'x' has no variant 'y'")).toBe(
      null
    );
    expect(describeScaling(policy)).toBe(
      '1–4 instances, target 70 invocations per instance per minute'
    );
  });
});

describe('ScalingModel', () => {
  it('reads each variant once, puts and removes policies', async () => {
    const api = fakeClient({
      scalingPolicy: jest.fn(async (_e: string, v: string) =>
        v === 'A' ? { ...policy, VariantName: 'A' } : null
      )
    });
    const model = new ScalingModel('ep', api);
    const changed = jest.fn();
    model.changed.connect(changed);
    expect(model.policy('A')).toBeUndefined();
    model.ensure(['A', 'B']);
    model.ensure(['A', 'B']);
    await Promise.resolve();
    await Promise.resolve();
    expect(api.scalingPolicy).toHaveBeenCalledTimes(2);
    expect(model.policy('A')?.MaxCapacity).toBe(4);
    expect(model.policy('B')).toBeNull();
    await model.put('B', policy);
    expect(api.putScalingPolicy).toHaveBeenCalledWith('ep', 'B', policy);
    expect(model.policy('B')?.MinCapacity).toBe(1);
    await model.remove('A');
    expect(api.deleteScalingPolicy).toHaveBeenCalledWith('ep', 'A');
    expect(model.policy('A')).toBeNull();
    expect(changed).toHaveBeenCalled();
  });

  it("rejects a put with the server's message, and takes a 404 on removal as removed", async () => {
    const api = fakeClient({
      putScalingPolicy: jest.fn(async () => {
        throw responseError(400, 'MaxCapacity: 1 is below MinCapacity (2)');
      }),
      deleteScalingPolicy: jest.fn(async () => {
        throw responseError(404, 'no scaling policy');
      })
    });
    const model = new ScalingModel('ep', api);
    await expect(model.put('A', policy)).rejects.toThrow(
      'MaxCapacity: 1 is below MinCapacity (2)'
    );
    await expect(model.remove('A')).resolves.toBeUndefined();
    expect(model.policy('A')).toBeNull();
  });
});
