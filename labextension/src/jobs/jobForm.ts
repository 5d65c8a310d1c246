import { isS3Uri } from './s3';
import { ICreateTrainingJobRequest, IMetricDefinition } from './tokens';

/** SageMaker's job name rule. */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9.\-_]+$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_RUNTIME_LIMIT = 2419200;
export const DEFAULT_MAX_RUNTIME = 86400;

/** A row of key/value pairs (hyperparameters, metrics, environment). */
export interface IKeyValueRow {
  key: string;
  value: string;
}

/** An input channel row. */
export interface IChannelRow {
  name: string;
  uri: string;
}

/** How the job's code is given. */
export type CodeMode = 'script' | 'algorithm';

/** What the "New training job" form holds. */
export interface IJobFormState {
  name: string;
  image: string;
  instanceType: string;
  mode: CodeMode;
  /** Script file, relative to the source folder. */
  entryPoint: string;
  /** Folder relative to the notebook root ("" for the root). */
  sourceDir: string;
  hyperParameters: IKeyValueRow[];
  channels: IChannelRow[];
  outputPath: string;
  checkpointUri: string;
  /** Seconds, as typed. */
  maxRuntime: string;
  /** key: metric name, value: regex. */
  metrics: IKeyValueRow[];
  environment: IKeyValueRow[];
}

/** Field path (as the server names it) -> what is wrong. */
export type FormErrors = Record<string, string>;

/** An instance type as the form needs it. */
export interface IFormInstanceType {
  name: string;
  available: boolean;
  unavailable_reason?: string | null;
}

/** The metric definitions the built-in `atelier/sklearn` image prints. */
export const SKLEARN_METRICS: ReadonlyArray<IMetricDefinition> = [
  { Name: 'validation:accuracy', Regex: 'validation:accuracy=([0-9\\.]+)' },
  { Name: 'train:accuracy', Regex: 'train:accuracy=([0-9\\.]+)' }
];

/** The metric definitions known for an image, or none. */
export function defaultMetricsFor(image: string): IMetricDefinition[] {
  const repository = image
    .trim()
    .split('@')[0]
    .replace(/:[^/:]*$/, '');
  if (
    repository === 'atelier/sklearn' ||
    repository.endsWith('/atelier/sklearn')
  ) {
    return SKLEARN_METRICS.map(m => ({ ...m }));
  }
  return [];
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

/** The form's starting state. */
export function initialFormState(options: {
  image?: string;
  instanceType?: string;
  bucket?: string | null;
  sourceDir?: string;
  now?: Date;
}): IJobFormState {
  const image = options.image ?? '';
  return {
    name: defaultJobName(image, options.now),
    image,
    instanceType: options.instanceType ?? '',
    mode: 'script',
    entryPoint: '',
    sourceDir: options.sourceDir ?? '',
    hyperParameters: [],
    channels: [],
    outputPath: options.bucket ? `s3://${options.bucket}/jobs/` : '',
    checkpointUri: '',
    maxRuntime: String(DEFAULT_MAX_RUNTIME),
    metrics: defaultMetricsFor(image).map(m => ({
      key: m.Name,
      value: m.Regex
    })),
    environment: []
  };
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
 * What is wrong with the form, keyed by the request field path the server
 * would name (so server errors land on the same fields). Empty when valid.
 */
export function validateForm(
  state: IJobFormState,
  instanceTypes: ReadonlyArray<IFormInstanceType> = []
): FormErrors {
  const errors: FormErrors = {};
  const name = state.name.trim();
  if (!name) {
    errors.TrainingJobName = 'A job name is required';
  } else if (!JOB_NAME_PATTERN.test(name)) {
    errors.TrainingJobName =
      'Use 1-63 letters, digits and hyphens, starting and ending with a letter or digit';
  }
  if (!state.image.trim()) {
    errors['AlgorithmSpecification.TrainingImage'] = 'Choose or type an image';
  }
  const type = state.instanceType.trim();
  if (!type) {
    errors['ResourceConfig.InstanceType'] = 'Choose an instance type';
  } else {
    const known = instanceTypes.find(t => t.name === type);
    if (known && !known.available) {
      errors['ResourceConfig.InstanceType'] =
        `${type} cannot run here: ${known.unavailable_reason || 'unavailable'}`;
    }
  }
  if (state.mode === 'script') {
    const entry = state.entryPoint.trim();
    if (!entry) {
      errors['ScriptMode.EntryPoint'] =
        'Give the script to run, such as train.py';
    } else {
      const problem = relativePathError(entry, 'The entry point');
      if (problem) {
        errors['ScriptMode.EntryPoint'] = problem;
      }
    }
    const sourceProblem = relativePathError(
      state.sourceDir,
      'The source folder'
    );
    if (sourceProblem) {
      errors['ScriptMode.SourceDir'] = sourceProblem;
    }
  }

  validateRows(state.hyperParameters, 'HyperParameters', errors, {
    max: 100,
    keyMax: 256,
    valueMax: 2500,
    what: 'hyperparameter'
  });
  validateRows(state.environment, 'Environment', errors, {
    max: 100,
    keyPattern: ENV_NAME_PATTERN,
    what: 'variable'
  });

  const metrics = state.metrics.filter(row => !isBlankRow(row));
  if (metrics.length > 40) {
    errors['AlgorithmSpecification.MetricDefinitions'] = 'At most 40 metrics';
  }
  const metricNames = new Set<string>();
  state.metrics.forEach((row, i) => {
    if (isBlankRow(row)) {
      return;
    }
    const path = `AlgorithmSpecification.MetricDefinitions[${i}]`;
    if (!row.key.trim()) {
      errors[`${path}.Name`] = 'Name the metric';
    } else if (metricNames.has(row.key.trim())) {
      errors[`${path}.Name`] = `The metric ${row.key.trim()} is defined twice`;
    }
    metricNames.add(row.key.trim());
    if (!row.value.trim()) {
      errors[`${path}.Regex`] = 'Give a regex with one group for the value';
    } else {
      try {
        new RegExp(row.value);
      } catch (e) {
        errors[`${path}.Regex`] = `Not a valid regex: ${(e as Error).message}`;
      }
    }
  });

  const channels = state.channels.filter(c => c.name.trim() || c.uri.trim());
  if (channels.length > 20) {
    errors.InputDataConfig = 'At most 20 input channels';
  }
  const channelNames = new Set<string>();
  state.channels.forEach((row, i) => {
    if (!row.name.trim() && !row.uri.trim()) {
      return;
    }
    const path = `InputDataConfig[${i}]`;
    const channel = row.name.trim();
    if (!channel) {
      errors[`${path}.ChannelName`] = 'Name the channel, such as train';
    } else if (!CHANNEL_NAME_PATTERN.test(channel)) {
      errors[`${path}.ChannelName`] = 'Use letters, digits, ".", "-" and "_"';
    } else if (channelNames.has(channel)) {
      errors[`${path}.ChannelName`] = `The channel ${channel} is given twice`;
    }
    channelNames.add(channel);
    if (!isS3Uri(row.uri)) {
      errors[`${path}.DataSource.S3DataSource.S3Uri`] =
        'Give an S3 URI, such as s3://bucket/data/train/';
    }
  });

  if (!isS3Uri(state.outputPath)) {
    errors['OutputDataConfig.S3OutputPath'] =
      'Give an S3 URI for the outputs, such as s3://bucket/jobs/';
  }
  if (state.checkpointUri.trim() && !isS3Uri(state.checkpointUri)) {
    errors['CheckpointConfig.S3Uri'] = 'Give an S3 URI, or leave it empty';
  }
  const runtime = state.maxRuntime.trim();
  const seconds = Number(runtime);
  if (
    !/^\d+$/.test(runtime) ||
    !Number.isInteger(seconds) ||
    seconds < 1 ||
    seconds > MAX_RUNTIME_LIMIT
  ) {
    errors['StoppingCondition.MaxRuntimeInSeconds'] =
      `A whole number of seconds from 1 to ${MAX_RUNTIME_LIMIT} (28 days)`;
  }
  return errors;
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

/** The CreateTrainingJob request of a (valid) form. */
export function buildRequest(state: IJobFormState): ICreateTrainingJobRequest {
  const metrics = state.metrics
    .filter(row => !isBlankRow(row))
    .map(row => ({ Name: row.key.trim(), Regex: row.value.trim() }));
  const request: ICreateTrainingJobRequest = {
    TrainingJobName: state.name.trim(),
    AlgorithmSpecification: {
      TrainingImage: state.image.trim(),
      TrainingInputMode: 'File'
    },
    OutputDataConfig: { S3OutputPath: state.outputPath.trim() },
    ResourceConfig: {
      InstanceType: state.instanceType.trim(),
      InstanceCount: 1
    },
    StoppingCondition: { MaxRuntimeInSeconds: Number(state.maxRuntime.trim()) }
  };
  if (metrics.length) {
    request.AlgorithmSpecification.MetricDefinitions = metrics;
  }
  const hyperParameters = rowsToMap(state.hyperParameters);
  if (hyperParameters) {
    request.HyperParameters = hyperParameters;
  }
  const channels = state.channels.filter(c => c.name.trim() || c.uri.trim());
  if (channels.length) {
    request.InputDataConfig = channels.map(c => ({
      ChannelName: c.name.trim(),
      DataSource: {
        S3DataSource: {
          S3Uri: c.uri.trim(),
          S3DataType: 'S3Prefix',
          S3DataDistributionType: 'FullyReplicated'
        }
      }
    }));
  }
  const environment = rowsToMap(state.environment);
  if (environment) {
    request.Environment = environment;
  }
  if (state.checkpointUri.trim()) {
    request.CheckpointConfig = { S3Uri: state.checkpointUri.trim() };
  }
  if (state.mode === 'script') {
    const sourceDir = state.sourceDir
      .trim()
      .replace(/^\.\/?$/, '')
      .replace(/\/+$/, '');
    request.ScriptMode = sourceDir
      ? { EntryPoint: state.entryPoint.trim(), SourceDir: sourceDir }
      : { EntryPoint: state.entryPoint.trim() };
  }
  return request;
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
