import { IScalingPolicy } from './tokens';
import { parseDecimal } from './update';

/** A variant's scaling policy as typed. */
export interface IScalingForm {
  min: string;
  max: string;
  /** Invocations per instance per minute. */
  target: string;
  scaleOutCooldown: string;
  scaleInCooldown: string;
  disableScaleIn: boolean;
}

export type ScalingField = keyof IScalingForm;
export type ScalingErrors = Partial<Record<ScalingField, string>>;

/** The server's ranges (ScalingPolicy.java). */
export const SCALING_MAX_INSTANCES = 100;
export const COOLDOWN_MAX = 86400;
export const COOLDOWN_DEFAULT = 300;
export const TARGET_MAX = 1e9;
export const SCALING_METRIC = 'SageMakerVariantInvocationsPerInstance';

/** The form of a policy, or a first one from the variant's current count. */
export function scalingFormOf(
  policy: IScalingPolicy | null,
  currentCount?: number | null
): IScalingForm {
  if (!policy) {
    const n = Math.max(1, currentCount ?? 1);
    return {
      min: String(n),
      max: String(Math.min(SCALING_MAX_INSTANCES, n * 2)),
      target: '100',
      scaleOutCooldown: String(COOLDOWN_DEFAULT),
      scaleInCooldown: String(COOLDOWN_DEFAULT),
      disableScaleIn: false
    };
  }
  const t = policy.TargetTrackingScalingPolicyConfiguration;
  return {
    min: String(policy.MinCapacity),
    max: String(policy.MaxCapacity),
    target: String(t?.TargetValue ?? ''),
    scaleOutCooldown: String(t?.ScaleOutCooldown ?? COOLDOWN_DEFAULT),
    scaleInCooldown: String(t?.ScaleInCooldown ?? COOLDOWN_DEFAULT),
    disableScaleIn: t?.DisableScaleIn === true
  };
}

function whole(text: string, min: number, max: number): string | null {
  const n = parseDecimal(text);
  return Number.isInteger(n) && n >= min && n <= max
    ? null
    : `Give a whole number from ${min} to ${max}`;
}

/** The errors of the form, as the server would refuse it; none when it can be sent. */
export function validateScaling(form: IScalingForm): ScalingErrors {
  const errors: ScalingErrors = {};
  const put = (field: ScalingField, error: string | null): void => {
    if (error) {
      errors[field] = error;
    }
  };
  put('min', whole(form.min, 1, SCALING_MAX_INSTANCES));
  put('max', whole(form.max, 1, SCALING_MAX_INSTANCES));
  if (!errors.min && !errors.max) {
    const min = parseDecimal(form.min);
    const max = parseDecimal(form.max);
    if (max < min) {
      put('max', `Give at least the minimum (${min})`);
    }
  }
  const target = parseDecimal(form.target);
  if (!(target > 0) || target > TARGET_MAX) {
    put(
      'target',
      'Give the invocations per instance per minute to keep, above 0'
    );
  }
  put('scaleOutCooldown', whole(form.scaleOutCooldown, 0, COOLDOWN_MAX));
  put('scaleInCooldown', whole(form.scaleInCooldown, 0, COOLDOWN_MAX));
  return errors;
}

/** The PUT body of a valid form. */
export function scalingRequestOf(form: IScalingForm): IScalingPolicy {
  return {
    MinCapacity: parseDecimal(form.min),
    MaxCapacity: parseDecimal(form.max),
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: parseDecimal(form.target),
      ScaleOutCooldown: parseDecimal(form.scaleOutCooldown),
      ScaleInCooldown: parseDecimal(form.scaleInCooldown),
      DisableScaleIn: form.disableScaleIn,
      PredefinedMetricSpecification: { PredefinedMetricType: SCALING_METRIC }
    }
  };
}

/** The field a refusal names ("MaxCapacity: ...", "...Configuration.TargetValue: ..."), or null. */
export function fieldOfScalingRefusal(message: string): ScalingField | null {
  const path = /^\s*([\w.]+)\s*:/.exec(message)?.[1] ?? '';
  const last = path.split('.').pop() ?? '';
  const fields: Record<string, ScalingField> = {
    MinCapacity: 'min',
    MaxCapacity: 'max',
    TargetValue: 'target',
    ScaleOutCooldown: 'scaleOutCooldown',
    ScaleInCooldown: 'scaleInCooldown',
    DisableScaleIn: 'disableScaleIn'
  };
  return fields[last] ?? null;
}

/** A policy in a line: "1-4 instances, 100 invocations per instance per minute". */
export function describeScaling(policy: IScalingPolicy): string {
  const t = policy.TargetTrackingScalingPolicyConfiguration;
  const range =
    policy.MinCapacity === policy.MaxCapacity
      ? `${policy.MinCapacity}`
      : `${policy.MinCapacity}–${policy.MaxCapacity}`;
  const parts = [
    `${range} instance${policy.MaxCapacity === 1 ? '' : 's'}`,
    `target ${t.TargetValue} invocations per instance per minute`
  ];
  if (t.DisableScaleIn) {
    parts.push('never scales in');
  }
  return parts.join(', ');
}
