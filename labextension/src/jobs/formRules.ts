/**
 * The rules every new job form shares, whatever the job's kind: names,
 * images, instance types, key/value rows, time limits, and how the
 * server's errors land on fields. Each kind's form keeps its own fields
 * and the request paths it names them by.
 */

/** SageMaker's job name rule. */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_MAX_RUNTIME = 86400;

/** A row of key/value pairs (hyperparameters, metrics, environment). */
export interface IKeyValueRow {
  key: string;
  value: string;
}

/** Field path (as the server names it) -> what is wrong. */
export type FormErrors = Record<string, string>;

/** An instance type as the form needs it. */
export interface IFormInstanceType {
  name: string;
  available: boolean;
  unavailable_reason?: string | null;
}

/** What every kind's form holds, by the same names. */
export interface IBasicFields {
  name: string;
  image: string;
  instanceType: string;
  /** Seconds, as typed. */
  maxRuntime: string;
  environment: IKeyValueRow[];
}

/** The request paths under which a kind's request carries the basic fields. */
export interface IBasicPaths {
  name: string;
  image: string;
  instanceType: string;
}

/** How long a kind's job may run, and the environment's limits. */
export interface IKindLimits {
  /** Seconds. */
  maxRuntime: number;
  /** The same, in words: "28 days". */
  maxRuntimeText: string;
  environmentKeyMax?: number;
  environmentValueMax?: number;
}

/**
 * A fresh job name as the sagemaker SDK makes them: the image's name and the
 * time, e.g. `sklearn-2026-05-25-16-51-55-123`.
 */
export function defaultJobName(
  image: string,
  now: Date = new Date(),
  fallback = 'training'
): string {
  const repository = image
    .trim()
    .split('@')[0]
    .replace(/:[^/:]*$/, '');
  const last = repository.split('/').pop() ?? '';
  let base = last.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (!base) {
    base = fallback;
  }
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = [
    now.getFullYear(),
    pad(now.getMonth() + 1),
    pad(now.getDate()),
    pad(now.getHours()),
    pad(now.getMinutes()),
    pad(now.getSeconds()),
    pad(now.getMilliseconds(), 3)
  ].join('-');
  base = base.slice(0, 63 - stamp.length - 1).replace(/-+$/, '');
  return `${base}-${stamp}`;
}

export const isBlankRow = (row: IKeyValueRow): boolean =>
  !row.key.trim() && !row.value.trim();

export function relativePathError(value: string, what: string): string | null {
  const path = value.trim();
  if (path.startsWith('/')) {
    return `${what} must be relative to the notebook root, not absolute`;
  }
  if (path.split('/').some(part => part === '..')) {
    return `${what} must not leave the notebook root ("..")`;
  }
  return null;
}

/**
 * The errors of the fields every kind has: name, image, instance type, time
 * limit and environment, under the kind's request paths.
 */
export function validateBasics(
  state: IBasicFields,
  paths: IBasicPaths,
  limits: IKindLimits,
  instanceTypes: ReadonlyArray<IFormInstanceType>,
  errors: FormErrors
): void {
  const name = state.name.trim();
  if (!name) {
    errors[paths.name] = 'A job name is required';
  } else if (!JOB_NAME_PATTERN.test(name)) {
    errors[paths.name] =
      'Use 1-63 letters, digits and hyphens, starting and ending with a letter or digit';
  }
  if (!state.image.trim()) {
    errors[paths.image] = 'Choose or type an image';
  }
  const type = state.instanceType.trim();
  if (!type) {
    errors[paths.instanceType] = 'Choose an instance type';
  } else {
    const known = instanceTypes.find(t => t.name === type);
    if (known && !known.available) {
      errors[paths.instanceType] =
        `${type} cannot run here: ${known.unavailable_reason || 'unavailable'}`;
    }
  }
  validateRows(state.environment, 'Environment', errors, {
    max: 100,
    keyMax: limits.environmentKeyMax,
    valueMax: limits.environmentValueMax,
    keyPattern: ENV_NAME_PATTERN,
    what: 'variable'
  });
  const runtime = state.maxRuntime.trim();
  const seconds = Number(runtime);
  if (!/^\d+$/.test(runtime) || seconds < 1 || seconds > limits.maxRuntime) {
    errors['StoppingCondition.MaxRuntimeInSeconds'] =
      `A whole number of seconds from 1 to ${limits.maxRuntime} (${limits.maxRuntimeText})`;
  }
}

export function validateRows(
  rows: ReadonlyArray<IKeyValueRow>,
  field: string,
  errors: FormErrors,
  rules: {
    max: number;
    what: string;
    keyMax?: number;
    valueMax?: number;
    keyPattern?: RegExp;
  }
): void {
  const used = rows.filter(row => !isBlankRow(row));
  if (used.length > rules.max) {
    errors[field] = `At most ${rules.max} entries`;
  }
  const seen = new Set<string>();
  rows.forEach(row => {
    if (isBlankRow(row)) {
      return;
    }
    const key = row.key.trim();
    const path = `${field}.${key || '(empty)'}`;
    if (!key) {
      errors[path] = `Name the ${rules.what}`;
    } else if (seen.has(key)) {
      errors[path] = `${key} is given twice`;
    } else if (rules.keyPattern && !rules.keyPattern.test(key)) {
      errors[path] = `${key} is not a valid ${rules.what} name`;
    } else if (rules.keyMax && key.length > rules.keyMax) {
      errors[path] = `The name is longer than ${rules.keyMax} characters`;
    } else if (rules.valueMax && row.value.length > rules.valueMax) {
      errors[path] = `The value is longer than ${rules.valueMax} characters`;
    }
    seen.add(key);
  });
}

export function rowsToMap(
  rows: ReadonlyArray<IKeyValueRow>
): Record<string, string> | undefined {
  const used = rows.filter(row => !isBlankRow(row));
  if (used.length === 0) {
    return undefined;
  }
  const map: Record<string, string> = {};
  for (const row of used) {
    map[row.key.trim()] = row.value;
  }
  return map;
}

/**
 * The field a server message names: "InputDataConfig[0].DataSource...: is
 * not an S3 URI" -> that path, with the rest as the message. Null when the
 * message names no field.
 */
export function serverFieldError(
  message: string
): { field: string; message: string } | null {
  const match =
    /^([A-Za-z][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[^\s:.[\]]+(?:\[\d+\])?)*)\s*:\s*(.+)$/s.exec(
      message.trim()
    );
  if (!match) {
    return null;
  }
  return { field: match[1], message: match[2] };
}

/** The errors of fields whose path starts with a prefix. */
export function errorsUnder(errors: FormErrors, prefix: string): string[] {
  return Object.entries(errors)
    .filter(
      ([path]) =>
        path === prefix ||
        path.startsWith(`${prefix}.`) ||
        path.startsWith(`${prefix}[`)
    )
    .map(([, message]) => message);
}

/** The form-level key for a server message that names no field. */
export const FORM_ERROR = '_form';

/**
 * Form errors of a failed create: a 400 lands on the field it names; a 409
 * (the name is taken) on the name; anything else on the form.
 */
export function errorsFromServer(
  status: number | null,
  message: string,
  nameField = 'TrainingJobName'
): FormErrors {
  if (status === 409) {
    return { [nameField]: message };
  }
  if (status === 400) {
    const named = serverFieldError(message);
    if (named) {
      return { [named.field]: named.message };
    }
  }
  return { [FORM_ERROR]: message };
}

/** Docker images a job can run ("local" process images cannot). */
export function jobImages<T extends { name: string; runtime: string }>(
  images: ReadonlyArray<T>
): T[] {
  return images.filter(image => image.runtime === 'docker');
}
