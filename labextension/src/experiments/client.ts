import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { errorMessage } from '../handler';
import { IMetricSummary, summaryOf } from './detail/series';
import {
  IExperiment,
  IListArtifactsResponse,
  IMetric,
  IMetricHistoryResponse,
  IMetricSummariesResponse,
  IRun,
  ISearchExperimentsResponse,
  ISearchRunsResponse
} from './tokens';

/** Path of MLflow's REST API below the Jupyter server's base URL. */
export const MLFLOW_NAMESPACE = 'atelier/mlflow/api/2.0/mlflow';

/** Path of Atelier's own experiment routes below the Jupyter server's base URL. */
export const ATELIER_EXPERIMENTS = 'atelier/api/experiments';

/** The most runs one metric-summaries request names. */
export const SUMMARY_RUNS = 1000;

/** The largest page MLflow's runs search returns. */
export const SEARCH_PAGE = 50_000;

/** What the Experiments panel asks of the server (tests give fakes). */
export interface IExperimentsClient {
  experiments(): Promise<IExperiment[]>;
  /** Every run of an experiment that matches `filter` (MLflow's grammar), all pages. */
  runs(experimentId: string, filter: string): Promise<IRun[]>;
  run(runId: string): Promise<IRun>;
  history(runId: string, key: string): Promise<IMetric[]>;
  /**
   * Each run's metric summaries, computed by the server, by run id (only the
   * metrics `keys` names, when given), each run's by metric key.
   */
  summaries(
    runIds: ReadonlyArray<string>,
    keys?: ReadonlyArray<string>
  ): Promise<Map<string, Map<string, IMetricSummary>>>;
  /** The artifacts directly under `path` (relative to the run's artifact root). */
  artifacts(
    experimentId: string,
    runId: string,
    path: string
  ): Promise<IListArtifactsResponse>;
  /** The URL that downloads one artifact of a run. */
  artifactUrl(experimentId: string, runId: string, path: string): string;
}

/** One page of a runs search in a given order. */
export interface IRunsPageRequest {
  experimentId: string;
  /** MLflow's grammar; "" for every run. */
  filter: string;
  /** MLflow's `order_by` terms, e.g. `metrics.rmse ASC`. */
  orderBy: string[];
  maxResults: number;
  pageToken?: string;
}

/** What the runs table loads: runs a page at a time, and every experiment's run count. */
export interface IRunPages {
  runsPage(request: IRunsPageRequest): Promise<ISearchRunsResponse>;
  /** Active runs per experiment id; an experiment without runs is absent. */
  runCounts(): Promise<Record<string, number>>;
}

/** MLflow's REST API, with the page's token and XSRF handling. */
export function createExperimentsClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IExperimentsClient & IRunPages {
  const call = async <T>(
    path: string,
    init: RequestInit = {},
    namespace = MLFLOW_NAMESPACE
  ): Promise<T> => {
    const url = URLExt.join(settings.baseUrl, namespace, path);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, settings);
    } catch (error) {
      throw new ServerConnection.NetworkError(error as TypeError);
    }
    const text = await response.text();
    let data: unknown = undefined;
    if (text.length > 0) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!response.ok) {
      throw new ServerConnection.ResponseError(
        response,
        errorMessage(response, data)
      );
    }
    return data as T;
  };
  const post = <T>(path: string, body: unknown): Promise<T> =>
    call<T>(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });

  return {
    experiments: async () => {
      const out: IExperiment[] = [];
      let token: string | undefined;
      do {
        const body = await post<ISearchExperimentsResponse>(
          'experiments/search',
          { max_results: 1000, page_token: token }
        );
        out.push(...(body?.experiments ?? []));
        token = body?.next_page_token;
      } while (token);
      return out;
    },
    runs: async (experimentId, filter) => {
      const out: IRun[] = [];
      let token: string | undefined;
      do {
        const body = await post<ISearchRunsResponse>('runs/search', {
          experiment_ids: [experimentId],
          filter: filter || undefined,
          max_results: SEARCH_PAGE,
          page_token: token
        });
        out.push(...(body?.runs ?? []));
        token = body?.next_page_token;
      } while (token);
      return out;
    },
    runsPage: request =>
      post<ISearchRunsResponse>('runs/search', {
        experiment_ids: [request.experimentId],
        filter: request.filter || undefined,
        order_by: request.orderBy.length ? request.orderBy : undefined,
        max_results: request.maxResults,
        page_token: request.pageToken
      }),
    runCounts: async () => {
      const body = await call<{ run_counts?: Record<string, number> }>(
        'run-counts',
        {},
        ATELIER_EXPERIMENTS
      );
      return body?.run_counts ?? {};
    },
    run: async runId => {
      const body = await call<{ run: IRun }>(
        `runs/get?run_id=${encodeURIComponent(runId)}`
      );
      return body.run;
    },
    summaries: async (runIds, keys = []) => {
      const out = new Map<string, Map<string, IMetricSummary>>();
      for (let i = 0; i < runIds.length; i += SUMMARY_RUNS) {
        const body = await call<IMetricSummariesResponse>(
          'metric-summaries',
          {
            method: 'POST',
            body: JSON.stringify({
              run_ids: runIds.slice(i, i + SUMMARY_RUNS),
              metric_keys: keys.length ? keys : undefined
            }),
            headers: { 'Content-Type': 'application/json' }
          },
          ATELIER_EXPERIMENTS
        );
        for (const run of body?.runs ?? []) {
          const byKey = new Map<string, IMetricSummary>();
          for (const m of run.metrics ?? []) {
            byKey.set(m.key, summaryOf(m));
          }
          out.set(run.run_id, byKey);
        }
      }
      return out;
    },
    history: async (runId, key) => {
      const out: IMetric[] = [];
      let token: string | undefined;
      do {
        const query = new URLSearchParams({ run_id: runId, metric_key: key });
        if (token) {
          query.set('page_token', token);
        }
        const body = await call<IMetricHistoryResponse>(
          `metrics/get-history?${query}`
        );
        out.push(...(body?.metrics ?? []));
        token = body?.next_page_token;
      } while (token);
      return out;
    },
    artifacts: (experimentId, runId, path) => {
      const folder = [experimentId, runId, 'artifacts', path]
        .filter(Boolean)
        .join('/');
      const query = new URLSearchParams({ path: folder });
      return call<IListArtifactsResponse>(
        `../mlflow-artifacts/artifacts?${query}`
      );
    },
    artifactUrl: (experimentId, runId, path) =>
      URLExt.join(
        settings.baseUrl,
        'atelier/mlflow/api/2.0/mlflow-artifacts/artifacts',
        experimentId,
        runId,
        'artifacts',
        ...path.split('/').map(encodeURIComponent)
      )
  };
}
