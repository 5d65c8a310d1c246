import { DEFAULT_MAX_RUNTIME, IKeyValueRow, defaultJobName } from './formRules';
import {
  CODE_INPUT,
  IMountRow,
  IProcessingFormState,
  PROCESSING_ROOT,
  defaultProcessingJobName
} from './processingForm';
import { IJobDescription, JobKind } from './tokens';
import { IJobFormState } from './trainingForm';

/**
 * "Clone": a new job's form filled from a described job. The clone gets a
 * fresh name after its image (names are unique); what the form cannot
 * carry is said in `cloneNotes`.
 */

/** The hyperparameters the server adds for script mode (ScriptMode says them). */
const SCRIPT_MODE_HYPERPARAMETERS = new Set([
  'sagemaker_program',
  'sagemaker_submit_directory'
]);

/** A map of the API (hyperparameters, environment) as form rows. */
export function mapToRows(
  map: Record<string, string> | null | undefined
): IKeyValueRow[] {
  return Object.entries(map ?? {}).map(([key, value]) => ({
    key,
    value: String(value)
  }));
}

/**
 * Words as the form's command fields take them: blanks between words, a
 * word with blanks (or none at all) in quotes, as `splitWords` reads them.
 */
export function joinWords(words: ReadonlyArray<string> | undefined): string {
  return (words ?? [])
    .map(word => {
      if (word !== '' && !/[\s"']/.test(word)) {
        return word;
      }
      return word.includes('"') ? `'${word}'` : `"${word}"`;
    })
    .join(' ');
}

const maxRuntimeOf = (job: IJobDescription): string =>
  String(job.StoppingCondition?.MaxRuntimeInSeconds ?? DEFAULT_MAX_RUNTIME);

/** The "New training job" form filled from a training job. */
export function trainingStateFromJob(
  job: IJobDescription,
  now: Date = new Date()
): IJobFormState {
  const algorithm = job.AlgorithmSpecification ?? {};
  const image = algorithm.TrainingImage ?? '';
  const script = job.ScriptMode ?? null;
  const hyperParameters = mapToRows(job.HyperParameters).filter(
    row => !(script && SCRIPT_MODE_HYPERPARAMETERS.has(row.key))
  );
  return {
    name: defaultJobName(image, now),
    image,
    instanceType: job.ResourceConfig?.InstanceType ?? '',
    mode: script ? 'script' : 'algorithm',
    entryPoint: script?.EntryPoint ?? '',
    sourceDir: script?.SourceDir ?? '',
    hyperParameters,
    channels: (job.InputDataConfig ?? []).map(channel => ({
      name: channel.ChannelName,
      uri: channel.DataSource?.S3DataSource?.S3Uri ?? ''
    })),
    outputPath: job.OutputDataConfig?.S3OutputPath ?? '',
    checkpointUri: job.CheckpointConfig?.S3Uri ?? '',
    maxRuntime: maxRuntimeOf(job),
    metrics: (algorithm.MetricDefinitions ?? []).map(m => ({
      key: m.Name,
      value: m.Regex
    })),
    environment: mapToRows(job.Environment)
  };
}

/**
 * The "New processing job" form filled from a processing job. Its script
 * was sent as the input `code`: that input is kept as it is (the clone runs
 * the same script, from the same object), with the command that runs it.
 * Folders and output URIs that were the defaults stay empty, so they are
 * the clone's own defaults (an output goes under the new job).
 */
export function processingStateFromJob(
  job: IJobDescription,
  now: Date = new Date()
): IProcessingFormState {
  const app = job.AppSpecification ?? {};
  const image = app.ImageUri ?? '';
  const oldName = job.ProcessingJobName ?? '';
  const inputs: IMountRow[] = (job.ProcessingInputs ?? []).map(input => {
    const name = input.InputName ?? '';
    const path = input.S3Input?.LocalPath ?? '';
    return {
      name,
      uri: input.S3Input?.S3Uri ?? '',
      localPath:
        path === `${PROCESSING_ROOT}input/${name}` && name !== CODE_INPUT
          ? ''
          : path
    };
  });
  const outputs: IMountRow[] = (job.ProcessingOutputConfig?.Outputs ?? []).map(
    output => {
      const name = output.OutputName ?? '';
      const uri = output.S3Output?.S3Uri ?? '';
      const path = output.S3Output?.LocalPath ?? '';
      const underOldJob = uri.endsWith(`/jobs/${oldName}/output/${name}`);
      return {
        name,
        uri: underOldJob ? '' : uri,
        localPath: path === `${PROCESSING_ROOT}output/${name}` ? '' : path
      };
    }
  );
  return {
    name: defaultProcessingJobName(image, now),
    image,
    instanceType: job.ProcessingResources?.ClusterConfig?.InstanceType ?? '',
    script: '',
    command: joinWords(app.ContainerEntrypoint),
    arguments: joinWords(app.ContainerArguments),
    inputs,
    outputs,
    maxRuntime: maxRuntimeOf(job),
    environment: mapToRows(job.Environment)
  };
}

/** What of a job its clone's form cannot carry, in words (none: empty). */
export function cloneNotes(kind: JobKind, job: IJobDescription): string[] {
  const notes: string[] = [];
  const algorithm = job.AlgorithmSpecification ?? {};
  if (kind === 'training') {
    if (algorithm.ContainerEntrypoint?.length) {
      notes.push(
        `Its container entrypoint (${joinWords(algorithm.ContainerEntrypoint)}) is not part of this form: the image's own is used.`
      );
    }
    if (algorithm.ContainerArguments?.length) {
      notes.push(
        `Its container arguments (${joinWords(algorithm.ContainerArguments)}) are not part of this form.`
      );
    }
  }
  return notes;
}

/** The clone's title line: "Filled from training job <name>". */
export function cloneTitle(kind: JobKind, job: IJobDescription): string {
  const name =
    (kind === 'training' ? job.TrainingJobName : job.ProcessingJobName) ?? '';
  return `Filled from ${kind} job ${name}`;
}
