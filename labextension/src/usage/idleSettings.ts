import { IIdlePolicy } from './tokens';
import { IdleField } from './idlePolicy';

/** The settings key holding the idle rules (schema/running.json). */
export const IDLE_RULES_KEY = 'idleRules';

/** A type's idle rule as the settings hold it. */
export interface IIdleRuleSetting {
  kernelIdleMinutes?: number;
  instanceIdleMinutes?: number;
}

/** The body of `PUT atelier/api/idle-policy/{type}`. */
export type IdleBody = Record<IdleField, number>;

/**
 * The rules of a settings value, as request bodies per type. A field left
 * out is 0 (off, the schema's default). Other values are passed on as they
 * are: the server judges them, and its message is what the user sees.
 */
export function readIdleRules(value: unknown): Map<string, IdleBody> {
  const rules = new Map<string, IdleBody>();
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return rules;
  }
  for (const [type, rule] of Object.entries(value as object)) {
    const setting = (rule ?? {}) as IIdleRuleSetting;
    rules.set(type, {
      kernel_idle_minutes: setting.kernelIdleMinutes ?? 0,
      instance_idle_minutes: setting.instanceIdleMinutes ?? 0
    });
  }
  return rules;
}

/** The settings value with one type's rule replaced (others kept). */
export function withIdleRule(
  value: unknown,
  instanceType: string,
  body: IdleBody
): Record<string, IIdleRuleSetting> {
  const next: Record<string, IIdleRuleSetting> = {};
  for (const [type, rule] of readIdleRules(value)) {
    next[type] = {
      kernelIdleMinutes: rule.kernel_idle_minutes,
      instanceIdleMinutes: rule.instance_idle_minutes
    };
  }
  next[instanceType] = {
    kernelIdleMinutes: body.kernel_idle_minutes,
    instanceIdleMinutes: body.instance_idle_minutes
  };
  return next;
}

/** Compares rules: the same key means the same rule. */
export function ruleKey(rule: IdleBody | IIdlePolicy): string {
  return JSON.stringify([rule.kernel_idle_minutes, rule.instance_idle_minutes]);
}
