import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, errorMessage, requestAPI } from '../handler';
import { statusOf } from '../messages';
import {
  ICreateEndpointConfigRequest,
  ICreateEndpointRequest,
  ICreateModelRequest,
  ICaptureRecord,
  ICaptureStatus,
  IDesiredWeightAndCapacity,
  IEndpointConfigSummary,
  IEndpointDescription,
  IEndpointMetrics,
  IEndpointSummary,
  IEndpointsResponse,
  IInvokeRequest,
  IInvokeResult,
  IScalingPolicy,
  IScalingPolicyDescription,
  IUpdateEndpointRequest
} from './tokens';

/** The hosting API: models, endpoint configs, endpoints, invocations, metrics. */
export interface IEndpointsClient {
  listEndpoints(): Promise<IEndpointSummary[]>;
  describe(name: string): Promise<IEndpointDescription>;
  /** `DELETE endpoints/{name}`: 202, the endpoint goes Deleting, then away. */
  deleteEndpoint(name: string): Promise<void>;
  updateWeightsAndCapacities(
    name: string,
    desired: IDesiredWeightAndCapacity[]
  ): Promise<void>;
  metrics(name: string, minutes: number): Promise<IEndpointMetrics>;
  /** Never throws for an answer: a refusal is a result with its status. */
  invoke(name: string, request: IInvokeRequest): Promise<IInvokeResult>;
  createModel(request: ICreateModelRequest): Promise<void>;
  createEndpointConfig(request: ICreateEndpointConfigRequest): Promise<void>;
  createEndpoint(request: ICreateEndpointRequest): Promise<void>;
  listEndpointConfigs(): Promise<IEndpointConfigSummary[]>;
  /** `POST endpoints/{name}/update`: blue/green to another config. */
  updateEndpoint(name: string, request: IUpdateEndpointRequest): Promise<void>;
  /** The variant's scaling policy, or null when it has none (404). */
  scalingPolicy(
    name: string,
    variant: string
  ): Promise<IScalingPolicyDescription | null>;
  putScalingPolicy(
    name: string,
    variant: string,
    policy: IScalingPolicy
  ): Promise<IScalingPolicyDescription>;
  deleteScalingPolicy(name: string, variant: string): Promise<void>;
  capture(name: string): Promise<ICaptureStatus>;
  /** The newest capture records first. */
  captureRecords(name: string, limit: number): Promise<ICaptureRecord[]>;
}

/** The path of a variant's scaling policy. */
export function scalingPath(name: string, variant: string): string {
  return `${endpointPath(name)}/variants/${encodeURIComponent(variant)}/scaling`;
}

/** The path of an endpoint: `endpoints/{name}`. */
export function endpointPath(name: string): string {
  return `endpoints/${encodeURIComponent(name)}`;
}

/** The request headers of an invocation. */
export function invokeHeaders(request: IInvokeRequest): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': request.contentType,
    Accept: request.accept
  };
  const target = (request.targetVariant ?? '').trim();
  if (target) {
    headers['X-Amzn-SageMaker-Target-Variant'] = target;
  }
  return headers;
}

/** The hosting API over `{baseUrl}atelier/api/`. */
export function createEndpointsClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  clock: () => number = () => performance.now()
): IEndpointsClient {
  const call = <T>(path: string, init: RequestInit = {}): Promise<T> =>
    requestAPI<T>(path, init, settings);
  const post = (body: unknown): RequestInit => ({
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });

  return {
    listEndpoints: async () =>
      (await call<IEndpointsResponse>('endpoints'))?.Endpoints ?? [],
    describe: name => call<IEndpointDescription>(endpointPath(name)),
    deleteEndpoint: async name => {
      await call<unknown>(endpointPath(name), { method: 'DELETE' });
    },
    updateWeightsAndCapacities: async (name, desired) => {
      await call<unknown>(
        `${endpointPath(name)}/weights-and-capacities`,
        post({ DesiredWeightsAndCapacities: desired })
      );
    },
    metrics: (name, minutes) =>
      call<IEndpointMetrics>(
        `${endpointPath(name)}/metrics?minutes=${encodeURIComponent(minutes)}`
      ),
    invoke: async (name, request) => {
      const url = URLExt.join(
        settings.baseUrl,
        API_NAMESPACE,
        endpointPath(name),
        'invocations'
      );
      const start = clock();
      let response: Response;
      try {
        response = await ServerConnection.makeRequest(
          url,
          {
            method: 'POST',
            body: request.body,
            headers: invokeHeaders(request)
          },
          settings
        );
      } catch (error) {
        throw new ServerConnection.NetworkError(error as TypeError);
      }
      const text = await response.text();
      const millis = clock() - start;
      let body = text;
      if (!response.ok) {
        let data: unknown = text;
        try {
          data = JSON.parse(text);
        } catch {
          // Not JSON: the text itself.
        }
        body = errorMessage(response, data);
      }
      return {
        ok: response.ok,
        status: response.status,
        body,
        contentType: response.headers.get('Content-Type') ?? '',
        variant: response.headers.get('X-Amzn-Invoked-Production-Variant'),
        millis
      };
    },
    createModel: async request => {
      await call<unknown>('models', post(request));
    },
    createEndpointConfig: async request => {
      await call<unknown>('endpoint-configs', post(request));
    },
    createEndpoint: async request => {
      await call<unknown>('endpoints', post(request));
    },
    listEndpointConfigs: async () =>
      (
        await call<{ EndpointConfigs?: IEndpointConfigSummary[] }>(
          'endpoint-configs'
        )
      )?.EndpointConfigs ?? [],
    updateEndpoint: async (name, request) => {
      await call<unknown>(
        `${endpointPath(name)}/update`,
        post({ EndpointName: name, ...request })
      );
    },
    scalingPolicy: async (name, variant) => {
      try {
        return await call<IScalingPolicyDescription>(
          scalingPath(name, variant)
        );
      } catch (error) {
        if (statusOf(error) === 404) {
          return null;
        }
        throw error;
      }
    },
    putScalingPolicy: (name, variant, policy) =>
      call<IScalingPolicyDescription>(scalingPath(name, variant), {
        ...post(policy),
        method: 'PUT'
      }),
    deleteScalingPolicy: async (name, variant) => {
      await call<unknown>(scalingPath(name, variant), { method: 'DELETE' });
    },
    capture: name => call<ICaptureStatus>(`${endpointPath(name)}/capture`),
    captureRecords: async (name, limit) =>
      (
        await call<{ Records?: ICaptureRecord[] }>(
          `${endpointPath(name)}/capture/records?limit=${encodeURIComponent(limit)}`
        )
      )?.Records ?? []
  };
}
