import { IIdlePolicy } from './tokens';
import { IInstanceType } from '../instance/tokens';

/** The largest idle time the server accepts: a week, in minutes. */
export const MAX_IDLE_MINUTES = 10080;

/** Which idle rule a field sets. */
export type IdleField = 'kernel_idle_minutes' | 'instance_idle_minutes';

/** A type's rule as the form edits it: the inputs' texts. */
export interface IIdleDraft {
  instanceType: string;
  kernel: string;
  instance: string;
}

/** "off", "30 min", "2 h", "1 h 30 min". */
export function formatIdleMinutes(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    return 'off';
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) {
    return `${rest} min`;
  }
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * Minutes typed in an input: a whole number from 0 (off) to a week; empty
 * reads 0. Returns the number, or a message saying what is wrong.
 */
export function parseIdleMinutes(
  text: string
): { minutes: number } | { error: string } {
  const value = text.trim();
  if (value === '') {
    return { minutes: 0 };
  }
  if (!/^\d+$/.test(value)) {
    return {
      error: `"${value}" is not a whole number of minutes (0 turns the rule off)`
    };
  }
  const minutes = Number(value);
  if (minutes > MAX_IDLE_MINUTES) {
    return {
      error: `${minutes} minutes is more than a week (${MAX_IDLE_MINUTES} at most)`
    };
  }
  return { minutes };
}

/**
 * One form line per type of the catalog, in catalog order, with the server's
 * rule (off when it has none); types with a rule but no longer in the
 * catalog come last, so they can still be turned off.
 */
export function idleDrafts(
  types: ReadonlyArray<Pick<IInstanceType, 'name'>>,
  policies: ReadonlyArray<IIdlePolicy>
): IIdleDraft[] {
  const byType = new Map(policies.map(p => [p.instance_type, p]));
  const names = types.map(type => type.name);
  for (const policy of policies) {
    if (!names.includes(policy.instance_type)) {
      names.push(policy.instance_type);
    }
  }
  return names.map(name => {
    const policy = byType.get(name);
    return {
      instanceType: name,
      kernel: String(policy?.kernel_idle_minutes ?? 0),
      instance: String(policy?.instance_idle_minutes ?? 0)
    };
  });
}

/** The checked body of `PUT atelier/api/idle-policy/{type}`, or the errors. */
export function idlePolicyBody(
  draft: IIdleDraft
):
  | { body: Record<IdleField, number> }
  | { errors: Partial<Record<IdleField, string>> } {
  const kernel = parseIdleMinutes(draft.kernel);
  const instance = parseIdleMinutes(draft.instance);
  if ('minutes' in kernel && 'minutes' in instance) {
    return {
      body: {
        kernel_idle_minutes: kernel.minutes,
        instance_idle_minutes: instance.minutes
      }
    };
  }
  const errors: Partial<Record<IdleField, string>> = {};
  if ('error' in kernel) {
    errors.kernel_idle_minutes = kernel.error;
  }
  if ('error' in instance) {
    errors.instance_idle_minutes = instance.error;
  }
  return { errors };
}

/** The request that saves a type's rule. */
export function idlePolicyRequest(
  instanceType: string,
  body: Record<IdleField, number>
): { endPoint: string; init: RequestInit } {
  return {
    endPoint: `idle-policy/${encodeURIComponent(instanceType)}`,
    init: {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }
  };
}

/** What the notification says once a rule is saved. */
export function idleSavedText(policy: IIdlePolicy): string {
  const kernel = formatIdleMinutes(policy.kernel_idle_minutes);
  const instance = formatIdleMinutes(policy.instance_idle_minutes);
  const after = (text: string): string =>
    text === 'off' ? 'off' : `after ${text} idle`;
  return (
    `Idle shutdown of ${policy.instance_type} saved: ` +
    `kernels ${after(kernel)}, instances ${after(instance)}.`
  );
}

/** True when a draft differs from the server's rule. */
export function isDirty(draft: IIdleDraft, saved: IIdleDraft): boolean {
  return (
    draft.kernel.trim() !== saved.kernel.trim() ||
    draft.instance.trim() !== saved.instance.trim()
  );
}
