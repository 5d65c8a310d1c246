import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, requestAPI } from '../../handler';
import { jobPath } from '../client';
import {
  IDebuggerOverview,
  IProfilerSamples,
  ITensorStep,
  ITensorSteps
} from './tokens';

/** The Debugger view's server calls (tests give fakes). */
export interface IDebuggerClient {
  overview(name: string): Promise<IDebuggerOverview>;
  profiler(name: string, after?: number): Promise<IProfilerSamples>;
  steps(name: string): Promise<ITensorSteps>;
  step(name: string, step: number): Promise<ITensorStep>;
  /** An object's bytes (an event file), through the objects API. */
  objectBytes(uri: string): Promise<ArrayBuffer>;
}

/** The debugger routes over `{baseUrl}atelier/api/training-jobs/{name}/debugger`. */
export function createDebuggerClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IDebuggerClient {
  const base = (name: string): string =>
    `${jobPath('training', name)}/debugger`;
  return {
    overview: name => requestAPI<IDebuggerOverview>(base(name), {}, settings),
    profiler: (name, after) => {
      const query =
        after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
      return requestAPI<IProfilerSamples>(
        `${base(name)}/profiler${query}`,
        {},
        settings
      );
    },
    steps: name =>
      requestAPI<ITensorSteps>(`${base(name)}/steps`, {}, settings),
    step: (name, step) =>
      requestAPI<ITensorStep>(`${base(name)}/steps/${step}`, {}, settings),
    objectBytes: async uri => {
      const url = URLExt.join(
        settings.baseUrl,
        API_NAMESPACE,
        `objects?uri=${encodeURIComponent(uri)}`
      );
      const response = await ServerConnection.makeRequest(url, {}, settings);
      if (!response.ok) {
        throw new Error(`Could not read ${uri}: HTTP ${response.status}`);
      }
      return response.arrayBuffer();
    }
  };
}
