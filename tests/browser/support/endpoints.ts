import { APIRequestContext } from '@playwright/test';

import { expect, Lab } from './fixtures';

/**
 * The hosting API as the endpoints tests cross-check and clean up with
 * (`/atelier/api/endpoints`, `endpoint-configs`, `models`); what a test
 * asserts about the UI is read from the page.
 */
export class EndpointsApi {
  constructor(
    private readonly request: APIRequestContext,
    private readonly lab: Lab
  ) {}

  private headers(): Record<string, string> {
    return { Authorization: `token ${this.lab.token}` };
  }

  /** DescribeEndpoint, or null when there is no such endpoint. */
  async describe(name: string): Promise<Record<string, any> | null> {
    const path = `/atelier/api/endpoints/${encodeURIComponent(name)}`;
    const response = await this.request.get(`${this.lab.base}${path}`, { headers: this.headers() });
    if (response.status() === 404) {
      return null;
    }
    expect(response.status(), `GET ${path}: ${await response.text()}`).toBe(200);
    return (await response.json()) as Record<string, any>;
  }

  /** The endpoint's status, or "gone". */
  async status(name: string): Promise<string> {
    return (await this.describe(name))?.EndpointStatus ?? 'gone';
  }

  /** DescribeModel, or null. */
  async model(name: string): Promise<Record<string, any> | null> {
    const path = `/atelier/api/models/${encodeURIComponent(name)}`;
    const response = await this.request.get(`${this.lab.base}${path}`, { headers: this.headers() });
    return response.status() === 200 ? ((await response.json()) as Record<string, any>) : null;
  }

  /** Creates a model of this container, a one-variant config and the endpoint, all named `name`. */
  async create(name: string, container: Record<string, unknown>, instanceType: string): Promise<void> {
    const post = async (path: string, data: unknown): Promise<void> => {
      const response = await this.request.post(`${this.lab.base}${path}`, { headers: this.headers(), data });
      expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(201);
    };
    await post('/atelier/api/models', { ModelName: name, PrimaryContainer: container });
    await post('/atelier/api/endpoint-configs', {
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: instanceType, InitialInstanceCount: 1, InitialVariantWeight: 1 }
      ]
    });
    await post('/atelier/api/endpoints', { EndpointName: name, EndpointConfigName: name });
  }

  /** Creates the model of a Completed training job, a one-variant config and the endpoint, all named `name`. */
  async createFromJob(name: string, job: string, instanceType: string): Promise<void> {
    const post = async (path: string, data: unknown): Promise<void> => {
      const response = await this.request.post(`${this.lab.base}${path}`, { headers: this.headers(), data });
      expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(201);
    };
    await post('/atelier/api/models', { ModelName: name, FromTrainingJob: job });
    await post('/atelier/api/endpoint-configs', {
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: instanceType, InitialInstanceCount: 1, InitialVariantWeight: 1 }
      ]
    });
    await post('/atelier/api/endpoints', { EndpointName: name, EndpointConfigName: name });
  }

  private async post(path: string, data: unknown): Promise<void> {
    const response = await this.request.post(`${this.lab.base}${path}`, { headers: this.headers(), data });
    expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(201);
  }

  /** A script-mode model on the `local` image (one model server worker) of this model data. */
  async createLocalModel(name: string, modelDataUrl: string): Promise<void> {
    await this.post('/atelier/api/models', {
      ModelName: name,
      PrimaryContainer: {
        Image: 'local',
        ModelDataUrl: modelDataUrl,
        Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_MODEL_SERVER_WORKERS: '1' }
      }
    });
  }

  /** An endpoint config of one variant of one instance of this model; `extra` adds fields (DataCaptureConfig). */
  async createConfig(
    name: string,
    variant: string,
    model: string,
    instanceType: string,
    extra: Record<string, unknown> = {}
  ): Promise<void> {
    await this.post('/atelier/api/endpoint-configs', {
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: variant, ModelName: model, InstanceType: instanceType, InitialInstanceCount: 1, InitialVariantWeight: 1 }
      ],
      ...extra
    });
  }

  /** CreateEndpoint of this config. */
  async createEndpoint(name: string, config: string): Promise<void> {
    await this.post('/atelier/api/endpoints', { EndpointName: name, EndpointConfigName: config });
  }

  /** One invocation through the front door: its status and the variant that answered. */
  async invoke(name: string, body: string): Promise<{ status: number; variant: string | null }> {
    const path = `/atelier/api/endpoints/${encodeURIComponent(name)}/invocations`;
    const response = await this.request.post(`${this.lab.base}${path}`, {
      headers: { ...this.headers(), 'Content-Type': 'text/csv', Accept: 'application/json' },
      data: body
    });
    return { status: response.status(), variant: response.headers()['x-amzn-invoked-production-variant'] ?? null };
  }

  /** Deletes these endpoint configs and models, each may be missing (the endpoint gone first). */
  async removeConfigsAndModels(configs: string[], models: string[]): Promise<void> {
    const del = async (path: string): Promise<void> => {
      const response = await this.request.delete(`${this.lab.base}${path}`, { headers: this.headers() });
      expect([204, 404, 409], `DELETE ${path}: ${await response.text()}`).toContain(response.status());
    };
    for (const c of configs) {
      await del(`/atelier/api/endpoint-configs/${encodeURIComponent(c)}`);
    }
    for (const m of models) {
      await del(`/atelier/api/models/${encodeURIComponent(m)}`);
    }
  }

  /** A variant's scaling policy, or null when it has none. */
  async scaling(name: string, variant: string): Promise<Record<string, any> | null> {
    const path = `/atelier/api/endpoints/${encodeURIComponent(name)}/variants/${encodeURIComponent(variant)}/scaling`;
    const response = await this.request.get(`${this.lab.base}${path}`, { headers: this.headers() });
    if (response.status() === 404) {
      return null;
    }
    expect(response.status(), `GET ${path}: ${await response.text()}`).toBe(200);
    return (await response.json()) as Record<string, any>;
  }

  /** Deletes the endpoint (waiting until it is gone), its config and its model; each may be missing. */
  async removeAll(name: string): Promise<void> {
    const del = async (path: string): Promise<void> => {
      const response = await this.request.delete(`${this.lab.base}${path}`, { headers: this.headers() });
      expect([202, 204, 404, 409], `DELETE ${path}: ${await response.text()}`).toContain(response.status());
    };
    const encoded = encodeURIComponent(name);
    await del(`/atelier/api/endpoints/${encoded}`);
    await expect
      .poll(() => this.status(name), { message: `endpoint ${name} left`, timeout: 60_000 })
      .toBe('gone');
    await del(`/atelier/api/endpoint-configs/${encoded}`);
    await del(`/atelier/api/models/${encoded}`);
  }
}
