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
