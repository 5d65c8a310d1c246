/** The rules of the "New processing job" form: its state, checks and request. */

import {
  DEFAULT_MAX_RUNTIME,
  FormErrors,
  IBasicPaths,
  IFormInstanceType,
  IKeyValueRow,
  IKindLimits,
  defaultJobName,
  relativePathError,
  rowsToMap,
  validateBasics
} from './formRules';
import { isS3Uri } from './s3';
import {
  ICreateProcessingJobRequest,
  IProcessingInput,
  IProcessingOutput
} from './tokens';

/** Where SageMaker's processing contract mounts inputs and outputs. */
export const PROCESSING_ROOT = '/opt/ml/processing/';
/** Where the form's script is staged, as SageMaker's ScriptProcessor does. */
export const CODE_PATH = '/opt/ml/processing/input/code';
export const CODE_INPUT = 'code';
/** CreateProcessingJob's limits. */
export const MAX_PROCESSING_RUNTIME = 604800;
const MAX_MOUNTS = 10;
const MAX_WORDS = 100;
const MAX_WORD_LENGTH = 256;
const MOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

/** Where CreateProcessingJob carries the fields every kind has. */
export const PROCESSING_PATHS: IBasicPaths = {
  name: 'ProcessingJobName',
  image: 'AppSpecification.ImageUri',
  instanceType: 'ProcessingResources.ClusterConfig.InstanceType'
};

/** CreateProcessingJob's limits. */
export const PROCESSING_LIMITS: IKindLimits = {
  maxRuntime: MAX_PROCESSING_RUNTIME,
  maxRuntimeText: '7 days',
  environmentKeyMax: 256,
  environmentValueMax: 256
};

/** An input or output row: a name, an S3 URI and a folder in the container. */
export interface IMountRow {
  name: string;
  /** Empty for an output: `<bucket>/jobs/<job>/output/<name>`. */
  uri: string;
  /** Empty: `/opt/ml/processing/{input,output}/<name>`. */
  localPath: string;
}

/** What the "New processing job" form holds. */
export interface IProcessingFormState {
  name: string;
  image: string;
  instanceType: string;
  /** A Python file relative to the notebook root, or "" to run a command. */
  script: string;
  /** The command (ContainerEntrypoint), as words. */
  command: string;
  /** ContainerArguments, as words. */
  arguments: string;
  inputs: IMountRow[];
  outputs: IMountRow[];
  /** Seconds, as typed. */
  maxRuntime: string;
  environment: IKeyValueRow[];
}

/** A fresh job name after the image, or `processing-<time>` without one. */
export function defaultProcessingJobName(
  image: string,
  now: Date = new Date()
): string {
  return defaultJobName(image, now, 'processing');
}

/** What choosing an image changes: the name, unless the user edited it. */
export function processingImageChange(
  image: string,
  touched: ReadonlySet<string>,
  now: Date = new Date()
): Partial<IProcessingFormState> {
  return touched.has('name')
    ? { image }
    : { image, name: defaultProcessingJobName(image, now) };
}

/** The form's starting state. */
export function initialProcessingState(options: {
  image?: string;
  instanceType?: string;
  script?: string;
  now?: Date;
}): IProcessingFormState {
  const image = options.image ?? '';
  return {
    name: defaultProcessingJobName(image, options.now),
    image,
    instanceType: options.instanceType ?? '',
    script: options.script ?? '',
    command: '',
    arguments: '',
    inputs: [],
    outputs: [],
    maxRuntime: String(DEFAULT_MAX_RUNTIME),
    environment: []
  };
}

/**
 * Splits a command line into words: blanks separate them, and "double" or
 * 'single' quotes keep blanks inside one word.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    words.push(match[1] ?? match[2] ?? match[3]);
  }
  return words;
}

const isBlankMount = (row: IMountRow): boolean =>
  !row.name.trim() && !row.uri.trim() && !row.localPath.trim();

/** The folder a row mounts: its own, or the default for its name. */
export function mountPath(row: IMountRow, kind: 'input' | 'output'): string {
  const own = row.localPath.trim().replace(/\/+$/, '');
  return own || `${PROCESSING_ROOT}${kind}/${row.name.trim()}`;
}

/** The S3 URI an output goes to: its own, or one under the job's folder. */
export function outputUri(
  row: IMountRow,
  jobName: string,
  bucket: string | null
): string {
  const own = row.uri.trim();
  if (own || !bucket) {
    return own;
  }
  return `s3://${bucket}/jobs/${jobName.trim()}/output/${row.name.trim()}`;
}

/** Where the form uploads the script: `s3://<bucket>/jobs/<job>/code/<file>`. */
export function scriptUri(
  script: string,
  jobName: string,
  bucket: string
): string {
  const file = script.trim().split('/').pop() ?? '';
  return `s3://${bucket}/jobs/${jobName.trim()}/code/${file}`;
}

/**
 * What is wrong with the form, keyed by the request field path the server
 * would name (the script, which the server never sees, under `Script`).
 */
export function validateProcessingForm(
  state: IProcessingFormState,
  instanceTypes: ReadonlyArray<IFormInstanceType>,
  bucket: string | null
): FormErrors {
  const errors: FormErrors = {};
  validateBasics(
    state,
    PROCESSING_PATHS,
    PROCESSING_LIMITS,
    instanceTypes,
    errors
  );
  const name = state.name.trim();
  const script = state.script.trim();
  if (script) {
    const problem = relativePathError(script, 'The script');
    if (problem) {
      errors.Script = problem;
    } else if (script.endsWith('/')) {
      errors.Script = 'Give a file, such as preprocess.py, not a folder';
    } else if (!bucket) {
      errors.Script =
        'The object store has no default bucket to send the script through';
    }
  }
  const command = splitWords(state.command);
  if (!script && command.length === 0) {
    errors['AppSpecification.ContainerEntrypoint'] =
      'Give a script, or the command to run, such as python3 /opt/ml/processing/input/code/run.py';
  }
  wordErrors(command, 'AppSpecification.ContainerEntrypoint', errors);
  wordErrors(
    splitWords(state.arguments),
    'AppSpecification.ContainerArguments',
    errors
  );

  const folders = new Set<string>();
  if (script) {
    folders.add(CODE_PATH);
  }
  mountErrors(state.inputs, 'input', errors, folders, script ? 1 : 0);
  mountErrors(state.outputs, 'output', errors, folders, 0);
  state.outputs.forEach((row, i) => {
    if (!isBlankMount(row) && !outputUri(row, name, bucket)) {
      errors[`ProcessingOutputConfig.Outputs[${i}].S3Output.S3Uri`] =
        'Give an S3 URI (there is no default bucket)';
    }
  });
  return errors;
}

function wordErrors(words: string[], path: string, errors: FormErrors): void {
  if (words.length > MAX_WORDS) {
    errors[path] = `At most ${MAX_WORDS} words`;
  } else if (words.some(w => w.length > MAX_WORD_LENGTH)) {
    errors[path] = `A word is longer than ${MAX_WORD_LENGTH} characters`;
  }
}

function mountErrors(
  rows: ReadonlyArray<IMountRow>,
  kind: 'input' | 'output',
  errors: FormErrors,
  folders: Set<string>,
  taken: number
): void {
  const input = kind === 'input';
  const base = input ? 'ProcessingInputs' : 'ProcessingOutputConfig.Outputs';
  const nameField = input ? 'InputName' : 'OutputName';
  const s3 = input ? 'S3Input' : 'S3Output';
  const used = rows.filter(row => !isBlankMount(row));
  if (used.length + taken > MAX_MOUNTS) {
    errors[base] =
      taken > 0
        ? `At most ${MAX_MOUNTS - taken} inputs besides the script`
        : `At most ${MAX_MOUNTS} ${kind}s`;
  }
  const names = new Set<string>(taken > 0 ? [CODE_INPUT] : []);
  rows.forEach((row, i) => {
    if (isBlankMount(row)) {
      return;
    }
    const path = `${base}[${i}]`;
    const name = row.name.trim();
    if (!name) {
      errors[`${path}.${nameField}`] = `Name the ${kind}, such as data`;
    } else if (!MOUNT_NAME_PATTERN.test(name)) {
      errors[`${path}.${nameField}`] =
        'Use letters, digits, ".", "-" and "_", starting with a letter or digit';
    } else if (names.has(name)) {
      errors[`${path}.${nameField}`] =
        name === CODE_INPUT && taken > 0
          ? `The name ${CODE_INPUT} is the script's`
          : `The ${kind} ${name} is given twice`;
    }
    names.add(name);
    if (input && !isS3Uri(row.uri)) {
      errors[`${path}.${s3}.S3Uri`] =
        'Give an S3 URI, such as s3://bucket/data/raw/';
    } else if (!input && row.uri.trim() && !isS3Uri(row.uri)) {
      errors[`${path}.${s3}.S3Uri`] =
        'Give an S3 URI, or leave it empty for one under the job';
    }
    const folder = mountPath(row, kind);
    const localPath = `${path}.${s3}.LocalPath`;
    if (!name && !row.localPath.trim()) {
      return;
    }
    if (
      !folder.startsWith(PROCESSING_ROOT) ||
      folder.length <= PROCESSING_ROOT.length ||
      folder.split('/').some(part => part === '..' || part === '.')
    ) {
      errors[localPath] = `Give a folder under ${PROCESSING_ROOT}`;
    } else if (folders.has(folder)) {
      errors[localPath] =
        folder === CODE_PATH
          ? `${CODE_PATH} is where the script goes`
          : `${folder} is used by another input or output`;
    }
    folders.add(folder);
  });
}

/**
 * The CreateProcessingJob request of a (valid) form. With a script, its
 * upload is the last input, named `code`, at /opt/ml/processing/input/code,
 * run by the command (python3 when none is given).
 */
export function buildProcessingRequest(
  state: IProcessingFormState,
  bucket: string | null
): ICreateProcessingJobRequest {
  const name = state.name.trim();
  const script = state.script.trim();
  let command = splitWords(state.command);
  // The form's rows first, so a server error's index names the same row.
  const inputs: IProcessingInput[] = state.inputs
    .filter(row => !isBlankMount(row))
    .map(row =>
      input(row.name.trim(), row.uri.trim(), mountPath(row, 'input'))
    );
  if (script && bucket) {
    inputs.push(input(CODE_INPUT, scriptUri(script, name, bucket), CODE_PATH));
    const file = script.split('/').pop() ?? '';
    command = [
      ...(command.length ? command : ['python3']),
      `${CODE_PATH}/${file}`
    ];
  }
  const outputs: IProcessingOutput[] = state.outputs
    .filter(row => !isBlankMount(row))
    .map(row => ({
      OutputName: row.name.trim(),
      S3Output: {
        S3Uri: outputUri(row, name, bucket),
        LocalPath: mountPath(row, 'output'),
        S3UploadMode: 'EndOfJob'
      }
    }));
  const request: ICreateProcessingJobRequest = {
    ProcessingJobName: name,
    AppSpecification: { ImageUri: state.image.trim() },
    ProcessingResources: {
      ClusterConfig: {
        InstanceType: state.instanceType.trim(),
        InstanceCount: 1
      }
    },
    StoppingCondition: { MaxRuntimeInSeconds: Number(state.maxRuntime.trim()) }
  };
  if (command.length) {
    request.AppSpecification.ContainerEntrypoint = command;
  }
  const args = splitWords(state.arguments);
  if (args.length) {
    request.AppSpecification.ContainerArguments = args;
  }
  if (inputs.length) {
    request.ProcessingInputs = inputs;
  }
  if (outputs.length) {
    request.ProcessingOutputConfig = { Outputs: outputs };
  }
  const environment = rowsToMap(state.environment);
  if (environment) {
    request.Environment = environment;
  }
  return request;
}

function input(name: string, uri: string, localPath: string): IProcessingInput {
  return {
    InputName: name,
    S3Input: {
      S3Uri: uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File'
    }
  };
}

/**
 * The form's errors from a server answer: one on the script's own input (the
 * last input of the request) is shown on the script.
 */
export function scriptErrors(
  errors: FormErrors,
  state: IProcessingFormState
): FormErrors {
  if (!state.script.trim()) {
    return errors;
  }
  const code = `ProcessingInputs[${state.inputs.filter(r => !isBlankMount(r)).length}]`;
  const mapped: FormErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    if (key.startsWith(code)) {
      mapped.Script = `${key}: ${message}`;
    } else {
      mapped[key] = message;
    }
  }
  return mapped;
}
