/**
 * The Jobs panel's ids and commands, and the shapes of the jobs API
 * (`{baseUrl}atelier/api/jobs`, `training-jobs`, `processing-jobs`) as it
 * uses them. SageMaker's PascalCase names are kept as the server sends them.
 */

/** Id of the Jobs plugin. */
export const JOBS_PLUGIN_ID = '@atelier/labextension:jobs';

/** Stable DOM id of the Jobs panel in the left sidebar. */
export const JOBS_PANEL_ID = 'atelier-jobs';

/** Command ids of the Jobs panel. */
export namespace JobCommandIDs {
  export const open = 'atelier:jobs-open';
  export const openJob = 'atelier:jobs-open-job';
  export const newJob = 'atelier:jobs-new';
  export const newProcessingJob = 'atelier:jobs-new-processing';
  export const refresh = 'atelier:jobs-refresh';
  export const cloneJob = 'atelier:jobs-clone';
}

/**
 * The Experiments panel's command that opens a run (`{runId}`); another
 * panel's, so the Jobs panel runs it only when it is registered.
 */
export const EXPERIMENTS_OPEN_COMMAND = 'atelier:experiments-open';

/** A request's `ExperimentConfig`: the experiment run the job is recorded as. */
export interface IExperimentConfig {
  ExperimentName?: string;
  TrialName?: string;
  TrialComponentDisplayName?: string;
  RunName?: string;
}

/** What a job's summary and description say of its experiment run. */
export interface IJobRunFields {
  /** The job's experiment run (MLflow's run_id). */
  RunId?: string | null;
  ExperimentId?: string | null;
  ExperimentConfig?: IExperimentConfig | null;
  /** Why the job runs without a run, when tracking failed. */
  TrackingFailureReason?: string | null;
}

/** The two kinds of jobs the panel lists. */
export type JobKind = 'training' | 'processing';

/** Primary statuses of SageMaker jobs. */
export type JobStatus =
  'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export const JOB_STATUSES: ReadonlyArray<JobStatus> = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped'
];

/** A job of `GET atelier/api/jobs`, and of the `job` events. */
export interface IJobSummary extends IJobRunFields {
  Kind: JobKind;
  Name: string;
  Arn?: string;
  Status: string;
  SecondaryStatus?: string | null;
  InstanceType?: string | null;
  Image?: string | null;
  CreatedBy?: string | null;
  CreationTime: string;
  StartTime?: string | null;
  EndTime?: string | null;
  DurationSeconds?: number | null;
  FailureReason?: string | null;
}

/** Body of `GET atelier/api/jobs`. */
export interface IJobsResponse {
  Jobs: IJobSummary[];
}

/** One entry of `SecondaryStatusTransitions`. */
export interface IStatusTransition {
  Status: string;
  StartTime?: string | null;
  EndTime?: string | null;
  StatusMessage?: string | null;
}

/** Staging or upload progress, Atelier's addition to describe. */
export interface IJobProgress {
  Phase: string;
  BytesDone: number;
  BytesTotal: number;
}

export interface IMetricDefinition {
  Name: string;
  Regex: string;
}

export interface IChannel {
  ChannelName: string;
  DataSource: {
    S3DataSource: {
      S3Uri: string;
      S3DataType?: string;
      S3DataDistributionType?: string;
    };
  };
  ContentType?: string;
}

/** `POST atelier/api/training-jobs` (SageMaker's CreateTrainingJob). */
export interface ICreateTrainingJobRequest {
  TrainingJobName: string;
  AlgorithmSpecification: {
    TrainingImage: string;
    TrainingInputMode?: 'File';
    MetricDefinitions?: IMetricDefinition[];
  };
  HyperParameters?: Record<string, string>;
  InputDataConfig?: IChannel[];
  OutputDataConfig: { S3OutputPath: string };
  ResourceConfig: {
    InstanceType: string;
    InstanceCount: number;
    VolumeSizeInGB?: number;
  };
  StoppingCondition: { MaxRuntimeInSeconds: number };
  Environment?: Record<string, string>;
  CheckpointConfig?: { S3Uri: string; LocalPath?: string };
  ScriptMode?: { EntryPoint: string; SourceDir?: string };
}

/** An input staged from S3 to a folder under /opt/ml/processing/. */
export interface IProcessingInput {
  InputName: string;
  S3Input: {
    S3Uri: string;
    LocalPath: string;
    S3DataType: 'S3Prefix';
    S3InputMode: 'File';
  };
}

/** An output uploaded from a folder under /opt/ml/processing/ to S3. */
export interface IProcessingOutput {
  OutputName: string;
  S3Output: { S3Uri: string; LocalPath: string; S3UploadMode: 'EndOfJob' };
}

/** The CreateProcessingJob request the form sends. */
export interface ICreateProcessingJobRequest {
  ProcessingJobName: string;
  AppSpecification: {
    ImageUri: string;
    ContainerEntrypoint?: string[];
    ContainerArguments?: string[];
  };
  ProcessingInputs?: IProcessingInput[];
  ProcessingOutputConfig?: { Outputs: IProcessingOutput[] };
  ProcessingResources: {
    ClusterConfig: {
      InstanceType: string;
      InstanceCount: number;
      VolumeSizeInGB?: number;
    };
  };
  StoppingCondition: { MaxRuntimeInSeconds: number };
  Environment?: Record<string, string>;
}

/**
 * A described job: the training job's fields (DescribeTrainingJob) or the
 * processing job's (DescribeProcessingJob); both carry the secondary status,
 * its transitions and Progress.
 */
export interface IJobDescription extends IJobRunFields {
  TrainingJobName?: string;
  ProcessingJobName?: string;
  TrainingJobArn?: string;
  ProcessingJobArn?: string;
  TrainingJobStatus?: string;
  ProcessingJobStatus?: string;
  SecondaryStatus?: string | null;
  SecondaryStatusTransitions?: IStatusTransition[];
  FailureReason?: string | null;
  ExitMessage?: string | null;
  CreationTime?: string | null;
  TrainingStartTime?: string | null;
  TrainingEndTime?: string | null;
  ProcessingStartTime?: string | null;
  ProcessingEndTime?: string | null;
  LastModifiedTime?: string | null;
  TrainingTimeInSeconds?: number | null;
  BillableTimeInSeconds?: number | null;
  CreatedBy?: { UserProfileName?: string | null } | null;
  Progress?: IJobProgress | null;
  AlgorithmSpecification?: {
    TrainingImage?: string;
    MetricDefinitions?: IMetricDefinition[];
    ContainerEntrypoint?: string[];
    ContainerArguments?: string[];
  };
  AppSpecification?: {
    ImageUri?: string;
    ContainerEntrypoint?: string[];
    ContainerArguments?: string[];
  };
  HyperParameters?: Record<string, string> | null;
  InputDataConfig?: IChannel[] | null;
  OutputDataConfig?: { S3OutputPath?: string } | null;
  ModelArtifacts?: { S3ModelArtifacts?: string } | null;
  OutputArtifacts?: { S3OutputArtifacts?: string } | null;
  CheckpointConfig?: { S3Uri?: string } | null;
  ResourceConfig?: { InstanceType?: string } | null;
  ProcessingResources?: {
    ClusterConfig?: { InstanceType?: string };
  } | null;
  ProcessingInputs?: Array<{
    InputName?: string;
    S3Input?: { S3Uri?: string; LocalPath?: string };
  }> | null;
  ProcessingOutputConfig?: {
    Outputs?: Array<{
      OutputName?: string;
      S3Output?: { S3Uri?: string; LocalPath?: string };
    }>;
  } | null;
  StoppingCondition?: { MaxRuntimeInSeconds?: number } | null;
  Environment?: Record<string, string> | null;
  ScriptMode?: { EntryPoint?: string; SourceDir?: string } | null;
  FinalMetricDataList?: Array<{
    MetricName: string;
    Value: number;
    Timestamp?: string;
  }> | null;
}

/** One line of a job's log. */
export interface ILogEvent {
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

/** Body of `GET .../logs?nextToken=`. */
export interface ILogEvents {
  events: ILogEvent[];
  nextForwardToken: string;
}

/** One sample of a metric. */
export interface IMetricSample {
  /** Epoch milliseconds. */
  timestamp: number;
  value: number;
}

/** Body of `GET training-jobs/{name}/metrics`. */
export interface IMetricsResponse {
  metrics: Record<string, IMetricSample[]>;
}
