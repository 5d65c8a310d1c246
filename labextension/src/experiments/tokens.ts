/**
 * The Experiments panel's ids and commands, and the shapes of MLflow's
 * tracking REST API 2.0 (`{baseUrl}atelier/mlflow/api/2.0/mlflow/`) as the
 * panel uses them. MLflow's snake_case names are kept as the server sends them.
 */

/** Id of the Experiments plugin. */
export const EXPERIMENTS_PLUGIN_ID = '@atelier/labextension:experiments';

/** Stable DOM id of the Experiments panel in the left sidebar. */
export const EXPERIMENTS_PANEL_ID = 'atelier-experiments';

/** Command ids of the Experiments panel. */
export namespace ExperimentCommandIDs {
  /** Show the panel; args `{experimentId?: string, runId?: string}`. */
  export const open = 'atelier:experiments-open';
  export const refresh = 'atelier:experiments-refresh';
}

/** Where a run came from: tag `atelier.source.type`. */
export const SOURCE_TYPE_TAG = 'atelier.source.type';
/** The job name or notebook path: tag `atelier.source.name`. */
export const SOURCE_NAME_TAG = 'atelier.source.name';

export type SourceType = 'TRAINING_JOB' | 'PROCESSING_JOB' | 'NOTEBOOK';
export const SOURCE_TYPES: ReadonlyArray<SourceType> = [
  'TRAINING_JOB',
  'PROCESSING_JOB',
  'NOTEBOOK'
];

/** MLflow's run statuses. */
export type RunStatus =
  'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: ReadonlyArray<RunStatus> = [
  'RUNNING',
  'SCHEDULED',
  'FINISHED',
  'FAILED',
  'KILLED'
];

export interface IKeyValue {
  key: string;
  value: string;
}

export interface IExperiment {
  experiment_id: string;
  name: string;
  lifecycle_stage?: string;
  creation_time?: number;
  last_update_time?: number;
  tags?: IKeyValue[];
}

export interface IRunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  lifecycle_stage?: string;
  artifact_uri?: string;
}

export interface IMetric {
  key: string;
  value: number | string;
  timestamp?: number;
  step?: number;
}

export interface IRun {
  info: IRunInfo;
  data?: {
    metrics?: IMetric[];
    params?: IKeyValue[];
    tags?: IKeyValue[];
  };
}

export interface ISearchRunsResponse {
  runs?: IRun[];
  next_page_token?: string;
}

export interface ISearchExperimentsResponse {
  experiments?: IExperiment[];
  next_page_token?: string;
}

export interface IFileInfo {
  path: string;
  is_dir?: boolean;
  file_size?: number | string;
}

export interface IListArtifactsResponse {
  root_uri?: string;
  files?: IFileInfo[];
  next_page_token?: string;
}

/**
 * A metric's summary as Atelier's `atelier/api/experiments/metric-summaries`
 * sends it (computed by the server; numbers as MLflow's API writes them).
 */
export interface IMetricSummaryJson {
  key: string;
  last: number | string;
  last_step: number;
  last_timestamp: number;
  min: number | string | null;
  max: number | string | null;
  count: number;
  avg: number | string | null;
  stddev: number | string | null;
}

export interface IMetricSummariesResponse {
  runs?: Array<{ run_id: string; metrics?: IMetricSummaryJson[] }>;
}

export interface IMetricHistoryResponse {
  metrics?: IMetric[];
  next_page_token?: string;
}
