import { isActive, parseTime } from './format';
import { isS3Prefix } from './s3';
import { IJobDescription, JobKind } from './tokens';

/** The header facts of a described job, for either kind. */
export interface IJobFacts {
  name: string;
  status: string;
  secondaryStatus: string;
  created: number | null;
  started: number | null;
  ended: number | null;
  lastModified: number | null;
  instanceType: string;
  image: string;
  creator: string;
  failureReason: string | null;
  maxRuntimeSeconds: number | null;
}

/** The primary status of a described job ("" when unknown). */
export function describedStatus(
  job: IJobDescription | null | undefined
): string {
  return job?.TrainingJobStatus ?? job?.ProcessingJobStatus ?? '';
}

export function jobFacts(
  job: IJobDescription,
  kind: JobKind,
  name: string
): IJobFacts {
  const training = kind === 'training';
  return {
    name: (training ? job.TrainingJobName : job.ProcessingJobName) ?? name,
    status: describedStatus(job),
    secondaryStatus: job.SecondaryStatus ?? '',
    created: parseTime(job.CreationTime),
    started: parseTime(
      training ? job.TrainingStartTime : job.ProcessingStartTime
    ),
    ended: parseTime(training ? job.TrainingEndTime : job.ProcessingEndTime),
    lastModified: parseTime(job.LastModifiedTime),
    instanceType:
      (training
        ? job.ResourceConfig?.InstanceType
        : job.ProcessingResources?.ClusterConfig?.InstanceType) ?? '',
    image:
      (training
        ? job.AlgorithmSpecification?.TrainingImage
        : job.AppSpecification?.ImageUri) ?? '',
    creator: job.CreatedBy?.UserProfileName ?? '',
    failureReason: job.FailureReason || null,
    maxRuntimeSeconds: job.StoppingCondition?.MaxRuntimeInSeconds ?? null
  };
}

/** One S3 location the detail view links to. */
export interface IArtifactLink {
  /** "train", "Model artifacts", ... */
  label: string;
  uri: string;
  /** True for a prefix: it gets a "list" link, not a download. */
  prefix: boolean;
  /** Where the container sees it, when known. */
  localPath?: string;
}

/**
 * A link of the detail view. `folder` marks a location that is a folder
 * whatever its spelling (a processing output, the output path): SageMaker
 * names them without a trailing slash, and no object has their key.
 */
const link = (
  label: string,
  uri: string,
  localPath?: string,
  folder = false
): IArtifactLink => ({
  label,
  uri,
  prefix: folder || isS3Prefix(uri),
  ...(localPath ? { localPath } : {})
});

/** The job's inputs: channels, or processing inputs. */
export function inputLinks(job: IJobDescription): IArtifactLink[] {
  const links: IArtifactLink[] = [];
  for (const channel of job.InputDataConfig ?? []) {
    const uri = channel?.DataSource?.S3DataSource?.S3Uri;
    if (uri) {
      links.push(
        link(
          channel.ChannelName,
          uri,
          `/opt/ml/input/data/${channel.ChannelName}`
        )
      );
    }
  }
  for (const input of job.ProcessingInputs ?? []) {
    const uri = input?.S3Input?.S3Uri;
    if (uri) {
      links.push(
        link(input.InputName ?? 'input', uri, input.S3Input?.LocalPath)
      );
    }
  }
  return links;
}

/** The job's outputs: model, output data, output path, checkpoints. */
export function outputLinks(job: IJobDescription): IArtifactLink[] {
  const links: IArtifactLink[] = [];
  const add = (
    label: string,
    uri: string | null | undefined,
    localPath?: string,
    folder = false
  ): void => {
    if (uri) {
      links.push(link(label, uri, localPath, folder));
    }
  };
  add('Model artifacts', job.ModelArtifacts?.S3ModelArtifacts);
  add('Output artifacts', job.OutputArtifacts?.S3OutputArtifacts);
  add('Output path', job.OutputDataConfig?.S3OutputPath, undefined, true);
  add('Checkpoints', job.CheckpointConfig?.S3Uri, undefined, true);
  for (const output of job.ProcessingOutputConfig?.Outputs ?? []) {
    // A processing output is the folder its LocalPath is uploaded into.
    add(
      output.OutputName ?? 'output',
      output.S3Output?.S3Uri,
      output.S3Output?.LocalPath,
      true
    );
  }
  return links;
}

/** Hyperparameters sorted by name, the SDK's own (`sagemaker_*`) last. */
export function hyperParameterRows(
  job: IJobDescription
): Array<{ name: string; value: string }> {
  const entries = Object.entries(job.HyperParameters ?? {}).map(
    ([name, value]) => ({
      name,
      value: String(value)
    })
  );
  const own = (n: string): number => (n.startsWith('sagemaker_') ? 1 : 0);
  return entries.sort(
    (a, b) => own(a.name) - own(b.name) || a.name.localeCompare(b.name)
  );
}

/**
 * Seconds the job has run: start (or creation) to end; to `now` while it
 * runs; to its last change when it ended without an end time.
 */
export function factsDurationSeconds(
  facts: IJobFacts,
  now: number
): number | null {
  const start = facts.started ?? facts.created;
  if (start === null) {
    return null;
  }
  const end =
    facts.ended ?? (isActive(facts.status) ? now : (facts.lastModified ?? now));
  return Math.max(0, (end - start) / 1000);
}
