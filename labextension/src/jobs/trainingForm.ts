/** The rules of the "New training job" form: its state, checks and request. */

import {
  DEFAULT_MAX_RUNTIME,
  FormErrors,
  IBasicPaths,
  IFormInstanceType,
  IKeyValueRow,
  IKindLimits,
  defaultJobName,
  isBlankRow,
  relativePathError,
  rowsToMap,
  validateBasics,
  validateRows
} from './formRules';
import {
  builtinAlgorithmOf,
  builtinHyperParameterErrors,
  offeredRows
} from './imageOffers';
import { isS3Uri } from './s3';
import { ICreateTrainingJobRequest, IMetricDefinition } from './tokens';

const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9.\-_]+$/;
export const MAX_RUNTIME_LIMIT = 2419200;

/** Where CreateTrainingJob carries the fields every kind has. */
export const TRAINING_PATHS: IBasicPaths = {
  name: 'TrainingJobName',
  image: 'AlgorithmSpecification.TrainingImage',
  instanceType: 'ResourceConfig.InstanceType'
};

/** CreateTrainingJob's limits. */
export const TRAINING_LIMITS: IKindLimits = {
  maxRuntime: MAX_RUNTIME_LIMIT,
  maxRuntimeText: '28 days'
};

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

/**
 * The metric definitions known for an image (and the algorithm of its
 * built-in algorithm, when it has one), or none.
 */
export function defaultMetricsFor(
  image: string,
  algorithm = ''
): IMetricDefinition[] {
  return builtinAlgorithmOf(image)?.metricsFor(algorithm) ?? [];
}

const metricRows = (metrics: IMetricDefinition[]): IKeyValueRow[] =>
  metrics.map(m => ({ key: m.Name, value: m.Regex }));

/** The value of the `algorithm` row, or "". */
const algorithmOf = (rows: ReadonlyArray<IKeyValueRow>): string =>
  rows.find(row => row.key.trim() === 'algorithm')?.value ?? '';

/**
 * The rows a mode starts with on an image: the built-in algorithm's
 * (`algorithm`, `target`) when it runs, none for a script.
 */
export function startingHyperParameters(
  image: string,
  mode: CodeMode
): IKeyValueRow[] {
  const builtin = builtinAlgorithmOf(image);
  return builtin && mode === 'algorithm' ? offeredRows(builtin) : [];
}

/**
 * What choosing an image changes, unless the user edited it (`touched`):
 * the name; the mode (the built-in algorithm when the image has one, else
 * script mode); the hyperparameters it needs; its metric definitions.
 */
export function trainingImageChange(
  state: IJobFormState,
  image: string,
  touched: ReadonlySet<string>,
  now: Date = new Date()
): Partial<IJobFormState> {
  const builtin = builtinAlgorithmOf(image) !== null;
  const mode = touched.has('mode')
    ? state.mode
    : builtin
      ? 'algorithm'
      : 'script';
  const rows = touched.has('hyperParameters')
    ? state.hyperParameters
    : startingHyperParameters(image, mode);
  const change: Partial<IJobFormState> = {
    image,
    mode,
    hyperParameters: rows
  };
  if (!touched.has('metrics')) {
    change.metrics = metricRows(defaultMetricsFor(image, algorithmOf(rows)));
  }
  if (!touched.has('name')) {
    change.name = defaultJobName(image, now);
  }
  return change;
}

/** What choosing a mode changes: the hyperparameters, unless edited. */
export function trainingModeChange(
  state: IJobFormState,
  mode: CodeMode,
  touched: ReadonlySet<string>
): Partial<IJobFormState> {
  return touched.has('hyperParameters')
    ? { mode }
    : { mode, hyperParameters: startingHyperParameters(state.image, mode) };
}

/**
 * What editing the hyperparameters changes: the metric definitions follow
 * the built-in algorithm (a classifier's or a regressor's), unless edited.
 */
export function trainingHyperParametersChange(
  state: IJobFormState,
  rows: IKeyValueRow[],
  touched: ReadonlySet<string>
): Partial<IJobFormState> {
  if (touched.has('metrics') || !builtinAlgorithmOf(state.image)) {
    return { hyperParameters: rows };
  }
  return {
    hyperParameters: rows,
    metrics: metricRows(defaultMetricsFor(state.image, algorithmOf(rows)))
  };
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
    metrics: metricRows(defaultMetricsFor(image)),
    environment: []
  };
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
  validateBasics(state, TRAINING_PATHS, TRAINING_LIMITS, instanceTypes, errors);
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
  const builtin = builtinAlgorithmOf(state.image);
  if (builtin && state.mode === 'algorithm') {
    builtinHyperParameterErrors(state.hyperParameters, builtin, errors);
  }

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
  return errors;
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
    const sourceDir = sourceDirOf(state.sourceDir);
    request.ScriptMode = sourceDir
      ? { EntryPoint: state.entryPoint.trim(), SourceDir: sourceDir }
      : { EntryPoint: state.entryPoint.trim() };
  }
  return request;
}

/**
 * The `ScriptMode.SourceDir` a form sends: the folder as typed, without a
 * leading `./` or trailing slashes; `.` is the whole notebook root. Empty
 * sends none: the server then sends the entry point alone, read from the
 * notebook root, as the sagemaker SDK does without `source_dir`.
 */
export function sourceDirOf(typed: string): string {
  const folder = typed.trim();
  if (folder === '.' || folder === './') {
    return '.';
  }
  return folder.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}
