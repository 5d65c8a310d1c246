/** Shapes of the Debugger view's routes (`training-jobs/{name}/debugger...`, openapi.yaml). */

/** One rule's evaluation, as DescribeTrainingJob has it. */
export interface IRuleStatus {
  RuleConfigurationName: string;
  RuleEvaluationJobArn?: string;
  RuleEvaluationStatus: string;
  StatusDetails?: string;
  LastModifiedTime?: string;
  /** The step the rule last reported (where it found issues). */
  Step?: number;
  TensorName?: string;
  Mode?: string;
}

/** `GET .../debugger`: statuses and where the data is. */
export interface IDebuggerOverview {
  TrainingJobName: string;
  TrainingJobStatus?: string;
  ProfilingStatus?: string;
  TensorsS3Uri?: string | null;
  ProfilerS3Uri?: string | null;
  DebugRuleEvaluationStatuses: IRuleStatus[];
  ProfilerRuleEvaluationStatuses: IRuleStatus[];
}

/** A `debugger` frame of the event stream: a job's statuses changed. */
export interface IDebuggerEvent {
  type: 'debugger';
  TrainingJobName: string;
  DebugRuleEvaluationStatuses: IRuleStatus[];
  ProfilerRuleEvaluationStatuses: IRuleStatus[];
}

/** One engine reading of the job's container. */
export interface IProfilerSample {
  ts: number;
  cpu?: number[];
  cpu_total?: number;
  memory_bytes?: number;
  memory_limit_bytes?: number;
  disk_read_bytes?: number;
  disk_write_bytes?: number;
  net_rx_bytes?: number;
  net_tx_bytes?: number;
}

/** `GET .../debugger/profiler`. */
export interface IProfilerSamples {
  ProfilingIntervalInMilliseconds?: number;
  more?: boolean;
  samples: IProfilerSample[];
}

/** `GET .../debugger/steps`. */
export interface ITensorSteps {
  ended: boolean;
  steps: Array<{ step: number; workers: string[] }>;
}

/** A reduction as the index stores it: non-finite numbers are strings. */
export type ReductionValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** A tensor of an index entry (kernel-gateway/atelier/debugger/README.md). */
export interface IIndexTensor {
  name: string;
  mode: string;
  mode_step: number;
  collections: string[];
  dtype?: string;
  shape?: number[];
  offset?: number;
  length?: number;
  reductions?: Record<string, ReductionValue | object>;
}

/** A step's index entry for one worker. */
export interface IIndexEntry {
  version: number;
  step: number;
  worker: string;
  wall_time?: number;
  size?: number;
  tensors: IIndexTensor[];
}

/** `GET .../debugger/steps/{step}`. */
export interface ITensorStep {
  step: number;
  index: Array<{ worker: string; event_file: string; entry: IIndexEntry }>;
}
