import {
  CapacitySizeType,
  ICapacitySize,
  IDeploymentConfig,
  IEndpointDescription,
  IUpdateEndpointRequest,
  TrafficRoutingType
} from './tokens';

/** The Update dialog as typed: every number is the text of its box. */
export interface IUpdateForm {
  config: string;
  routing: TrafficRoutingType;
  canaryType: CapacitySizeType;
  canaryValue: string;
  linearType: CapacitySizeType;
  linearValue: string;
  /** WaitIntervalInSeconds: each canary or linear step held, or the baking after all at once. */
  wait: string;
  terminationWait: string;
  maxTimeout: string;
  /** Roll back when the new fleet's 5xx rate is above `errorRate` percent. */
  errorRateOn: boolean;
  errorRate: string;
  /** Roll back when the new fleet's p99 model latency is above `latencyMs` ms. */
  latencyOn: boolean;
  latencyMs: string;
}

export type UpdateField = keyof IUpdateForm;
export type UpdateErrors = Partial<Record<UpdateField, string>>;

/** The server's ranges (UpdateEndpoint's DeploymentConfig). */
export const WAIT_MAX = 3600;
export const TIMEOUT_MIN = 600;
export const TIMEOUT_MAX = 14400;
export const TIMEOUT_DEFAULT = 3600;
export const CANARY_MAX_PERCENT = 50;
export const LINEAR_MIN_PERCENT = 10;
export const LINEAR_MAX_PERCENT = 50;
/** The most instances a canary or linear step may name. */
export const MAX_SIZE_INSTANCES = 1000;

/** The metrics of the built-in rollback alarms. */
export const ERROR_RATE_METRIC = 'Invocation5XXErrorRate';
export const LATENCY_METRIC = 'ModelLatencyP99';

/** The form's start: the first other config, all at once, no alarms. */
export function initialUpdateForm(
  endpoint: IEndpointDescription | null,
  configs: ReadonlyArray<string>
): IUpdateForm {
  const current = endpoint?.EndpointConfigName ?? '';
  return {
    config: configs.find(c => c !== current) ?? configs[0] ?? '',
    routing: 'ALL_AT_ONCE',
    canaryType: 'CAPACITY_PERCENT',
    canaryValue: '10',
    linearType: 'CAPACITY_PERCENT',
    linearValue: '20',
    wait: '0',
    terminationWait: '0',
    maxTimeout: String(TIMEOUT_DEFAULT),
    errorRateOn: false,
    errorRate: '5',
    latencyOn: false,
    latencyMs: '1000'
  };
}

/** A decimal number as typed, or NaN ("", "1e", "abc"). */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return /^[+]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
}

/** A whole number from min to max as typed, or an error text. */
function whole(text: string, min: number, max: number): string | null {
  const n = parseDecimal(text);
  return Number.isInteger(n) && n >= min && n <= max
    ? null
    : `Give a whole number from ${min} to ${max}`;
}

function sizeError(
  type: CapacitySizeType,
  value: string,
  minPercent: number,
  maxPercent: number
): string | null {
  if (type === 'INSTANCE_COUNT') {
    // The share of the new fleet it makes is checked by the server, which knows the fleet.
    return whole(value, 1, MAX_SIZE_INSTANCES)
      ? `Give a whole number of instances from 1 to ${MAX_SIZE_INSTANCES}`
      : null;
  }
  return whole(value, minPercent, maxPercent)
    ? `Give a percent from ${minPercent} to ${maxPercent}`
    : null;
}

/** The errors of the form; none when it can be sent. */
export function validateUpdate(
  form: IUpdateForm,
  configs?: ReadonlyArray<string>
): UpdateErrors {
  const errors: UpdateErrors = {};
  const put = (field: UpdateField, error: string | null): void => {
    if (error) {
      errors[field] = error;
    }
  };
  if (!form.config.trim()) {
    put('config', 'Choose the endpoint config to move to');
  } else if (configs && !configs.includes(form.config)) {
    put('config', `There is no endpoint config ${form.config}`);
  }
  if (form.routing === 'CANARY') {
    put(
      'canaryValue',
      sizeError(form.canaryType, form.canaryValue, 1, CANARY_MAX_PERCENT)
    );
  } else if (form.routing === 'LINEAR') {
    put(
      'linearValue',
      sizeError(
        form.linearType,
        form.linearValue,
        LINEAR_MIN_PERCENT,
        LINEAR_MAX_PERCENT
      )
    );
  }
  put('wait', whole(form.wait, 0, WAIT_MAX));
  put('terminationWait', whole(form.terminationWait, 0, WAIT_MAX));
  put('maxTimeout', whole(form.maxTimeout, TIMEOUT_MIN, TIMEOUT_MAX));
  if (form.errorRateOn) {
    const n = parseDecimal(form.errorRate);
    if (!(n >= 0 && n < 100)) {
      put('errorRate', 'Give a percent from 0 to below 100');
    }
  }
  if (form.latencyOn) {
    const n = parseDecimal(form.latencyMs);
    if (!(n > 0) || Math.round(n * 1000) < 1) {
      put('latencyMs', 'Give milliseconds above 0, such as 250');
    }
  }
  return errors;
}

/** A number as an alarm threshold: no exponent, no trailing zeros. */
function threshold(n: number): string {
  return String(Number(n.toFixed(6)));
}

/** `Invocation5XXErrorRate > 5`: the new fleet's 5xx rate above this percent. */
export function errorRateAlarm(percent: number): string {
  return `${ERROR_RATE_METRIC} > ${threshold(percent)}`;
}

/** `ModelLatencyP99 > 250000`: the threshold in microseconds, as the server reads it. */
export function latencyAlarm(milliseconds: number): string {
  return `${LATENCY_METRIC} > ${Math.round(milliseconds * 1000)}`;
}

/** The alarms' names of a valid form, error rate first. */
export function alarmNames(form: IUpdateForm): string[] {
  const names: string[] = [];
  if (form.errorRateOn) {
    names.push(errorRateAlarm(parseDecimal(form.errorRate)));
  }
  if (form.latencyOn) {
    names.push(latencyAlarm(parseDecimal(form.latencyMs)));
  }
  return names;
}

/** An alarm's name read back: its metric and threshold, or null for another name. */
export function parseAlarm(
  name: string
): { metric: string; threshold: number } | null {
  const m = /^(\w+) > (\d+(?:\.\d+)?)$/.exec(name.trim());
  return m ? { metric: m[1], threshold: Number(m[2]) } : null;
}

function size(type: CapacitySizeType, value: string): ICapacitySize {
  return { Type: type, Value: parseDecimal(value) };
}

/** The request of a valid form. */
export function updateRequestOf(form: IUpdateForm): IUpdateEndpointRequest {
  const routing: IDeploymentConfig['BlueGreenUpdatePolicy']['TrafficRoutingConfiguration'] =
    { Type: form.routing, WaitIntervalInSeconds: parseDecimal(form.wait) };
  if (form.routing === 'CANARY') {
    routing.CanarySize = size(form.canaryType, form.canaryValue);
  } else if (form.routing === 'LINEAR') {
    routing.LinearStepSize = size(form.linearType, form.linearValue);
  }
  const config: IDeploymentConfig = {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      TerminationWaitInSeconds: parseDecimal(form.terminationWait),
      MaximumExecutionTimeoutInSeconds: parseDecimal(form.maxTimeout)
    }
  };
  const alarms = alarmNames(form);
  if (alarms.length) {
    config.AutoRollbackConfiguration = {
      Alarms: alarms.map(AlarmName => ({ AlarmName }))
    };
  }
  return { EndpointConfigName: form.config.trim(), DeploymentConfig: config };
}

/** The form's field a refusal names by its path, or null (shown for the whole form). */
export function fieldOfUpdateRefusal(
  message: string,
  form: IUpdateForm
): UpdateField | null {
  const path = /^\s*([\w.[\]]+)\s*:/.exec(message)?.[1] ?? '';
  if (!path) {
    return /endpoint config/i.test(message) ? 'config' : null;
  }
  if (path === 'EndpointConfigName') {
    return 'config';
  }
  if (path.includes('CanarySize')) {
    return 'canaryValue';
  }
  if (path.includes('LinearStepSize')) {
    return 'linearValue';
  }
  if (path.endsWith('WaitIntervalInSeconds')) {
    return 'wait';
  }
  if (path.endsWith('TerminationWaitInSeconds')) {
    return 'terminationWait';
  }
  if (path.endsWith('MaximumExecutionTimeoutInSeconds')) {
    return 'maxTimeout';
  }
  const alarm = /Alarms\[(\d+)\]/.exec(path);
  if (alarm) {
    const names = alarmNames(form);
    const name = names[Number(alarm[1])] ?? '';
    return name.startsWith(LATENCY_METRIC) ? 'latencyMs' : 'errorRate';
  }
  return null;
}
