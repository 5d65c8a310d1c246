import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, errorMessage, requestAPI } from '../handler';
import { IImagesResponse, IInstanceTypesResponse } from '../tokens';
import { IJobFilters, filtersQuery } from './filters';
import {
  ICreateProcessingJobRequest,
  ICreateTrainingJobRequest,
  IHealthResponse,
  IJobDescription,
  IJobSummary,
  IJobsResponse,
  ILogEvents,
  IMetricsResponse,
  IObjectListing,
  JobKind
} from './types';

/** The server calls of the Jobs panel (tests give fakes). */
export interface IJobsApi {
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
  images(): Promise<IImagesResponse>;
  instanceTypes(): Promise<IInstanceTypesResponse>;
  health(): Promise<IHealthResponse>;
  listObjects(prefix: string): Promise<IObjectListing>;
  /** Upload a file body to an S3 URI, reporting bytes sent. */
  uploadObject(
    uri: string,
    body: Blob,
    onProgress?: (done: number, total: number) => void
  ): Promise<void>;
  /** The URL that downloads an object (for links). */
  objectURL(uri: string): string;
}

/** The path of a kind's resource: `training-jobs/{name}`. */
export function jobPath(kind: JobKind, name: string): string {
  const collection = kind === 'training' ? 'training-jobs' : 'processing-jobs';
  return `${collection}/${encodeURIComponent(name)}`;
}

/** The `_xsrf` cookie JupyterLab sends back on writes. */
function xsrfToken(): string | null {
  const match = /(?:^|;\s*)_xsrf=([^;]*)/.exec(document.cookie ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

/** The jobs API over `{baseUrl}atelier/api/`. */
export function createJobsApi(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IJobsApi {
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
    },
    images: () => call<IImagesResponse>('images'),
    instanceTypes: () => call<IInstanceTypesResponse>('instance-types'),
    health: () => call<IHealthResponse>('health'),
    listObjects: prefix =>
      call<IObjectListing>(`objects/list?prefix=${encodeURIComponent(prefix)}`),
    uploadObject: (uri, body, onProgress) =>
      new Promise<void>((resolve, reject) => {
        // XMLHttpRequest, not fetch: only it reports upload progress.
        const url = URLExt.join(
          settings.baseUrl,
          API_NAMESPACE,
          `objects?uri=${encodeURIComponent(uri)}`
        );
        const xhr = new XMLHttpRequest();
        xhr.open('PUT', url);
        if (settings.token) {
          xhr.setRequestHeader('Authorization', `token ${settings.token}`);
        }
        const xsrf = xsrfToken();
        if (xsrf) {
          xhr.setRequestHeader('X-XSRFToken', xsrf);
        }
        xhr.setRequestHeader(
          'Content-Type',
          body.type || 'application/octet-stream'
        );
        xhr.upload.onprogress = event =>
          onProgress?.(
            event.loaded,
            event.lengthComputable ? event.total : body.size
          );
        xhr.onerror = () =>
          reject(
            new Error(
              `Could not upload to ${uri}: the server cannot be reached`
            )
          );
        xhr.onload = () => {
          if (xhr.status >= 200 && xhr.status < 300) {
            onProgress?.(body.size, body.size);
            resolve();
            return;
          }
          let data: unknown = xhr.responseText;
          try {
            data = JSON.parse(xhr.responseText);
          } catch {
            // Plain text body.
          }
          const response = { status: xhr.status, statusText: xhr.statusText };
          reject(new Error(errorMessage(response as Response, data)));
        };
        xhr.send(body);
      }),
    objectURL: uri => {
      let url = URLExt.join(
        settings.baseUrl,
        API_NAMESPACE,
        `objects?uri=${encodeURIComponent(uri)}`
      );
      if (settings.token) {
        url += `&token=${encodeURIComponent(settings.token)}`;
      }
      return url;
    }
  };
}
