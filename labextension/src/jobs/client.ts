import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../handler';
import { IJobFilters, filtersQuery } from './filters';
import {
  ICreateProcessingJobRequest,
  ICreateTrainingJobRequest,
  IJobDescription,
  IJobSummary,
  IJobsResponse,
  ILogEvents,
  IMetricsResponse,
  JobKind
} from './tokens';

/** The jobs API: list, describe, follow, stop and create jobs. */
export interface IJobsClient {
  listJobs(filters: IJobFilters): Promise<IJobSummary[]>;
  describe(kind: JobKind, name: string): Promise<IJobDescription>;
  /** `POST .../stop`: the job as the server describes it right after (Stopping), or null. */
  stop(kind: JobKind, name: string): Promise<IJobDescription | null>;
  logs(
    kind: JobKind,
    name: string,
    token: string | undefined
  ): Promise<ILogEvents>;
  metrics(name: string): Promise<IMetricsResponse>;
  createTrainingJob(request: ICreateTrainingJobRequest): Promise<void>;
  createProcessingJob(request: ICreateProcessingJobRequest): Promise<void>;
}

/** The path of a kind's resource: `training-jobs/{name}`. */
export function jobPath(kind: JobKind, name: string): string {
  const collection = kind === 'training' ? 'training-jobs' : 'processing-jobs';
  return `${collection}/${encodeURIComponent(name)}`;
}

/** The jobs API over `{baseUrl}atelier/api/`. */
export function createJobsClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IJobsClient {
  const call = <T>(path: string, init: RequestInit = {}): Promise<T> =>
    requestAPI<T>(path, init, settings);
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });

  return {
    listJobs: async filters => {
      const body = await call<IJobsResponse>(`jobs${filtersQuery(filters)}`);
      return body?.Jobs ?? [];
    },
    describe: (kind, name) => call<IJobDescription>(jobPath(kind, name)),
    stop: async (kind, name) => {
      const body = await call<IJobDescription | null>(
        `${jobPath(kind, name)}/stop`,
        { method: 'POST' }
      );
      return body && typeof body === 'object' ? body : null;
    },
    logs: (kind, name, token) => {
      const query = token ? `?nextToken=${encodeURIComponent(token)}` : '';
      return call<ILogEvents>(`${jobPath(kind, name)}/logs${query}`);
    },
    metrics: name =>
      call<IMetricsResponse>(`${jobPath('training', name)}/metrics`),
    createTrainingJob: async request => {
      await call<unknown>('training-jobs', json(request));
    },
    createProcessingJob: async request => {
      await call<unknown>('processing-jobs', json(request));
    }
  };
}
