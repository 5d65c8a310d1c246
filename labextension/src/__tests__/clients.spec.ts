/**
 * @jest-environment node
 */
import { ServerConnection } from '@jupyterlab/services';

import { createJobsClient } from '../jobs/client';
import { EMPTY_FILTERS } from '../jobs/filters';
import { createObjectsClient } from '../objects/client';
import { createInstancesClient } from '../running/client';
import { createUsageClient } from '../usage/client';

/** Settings whose fetch answers `body` and records each request. */
function recording(body: unknown = {}, status = 200) {
  const requests: Request[] = [];
  const fetch = jest.fn(async (request: Request) => {
    requests.push(request);
    return new Response(body === undefined ? '' : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' }
    });
  });
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://127.0.0.1:8888/base/',
    wsUrl: 'ws://127.0.0.1:8888/base/',
    token: 'secret',
    fetch: fetch as any
  });
  const last = () => {
    const request = requests[requests.length - 1];
    // JupyterLab adds a timestamp to GETs against caches: not the client's.
    const url = new URL(request.url.replace(/[?&]\d+$/, ''));
    return `${request.method} ${url.pathname}${url.search}`;
  };
  return { settings, last };
}

describe('capability clients', () => {
  it('instances: kernels, instances, stop, catalogs', async () => {
    const { settings, last } = recording({ kernels: [{ id: 'k' }] });
    const client = createInstancesClient(settings);
    expect(await client.kernels()).toEqual([{ id: 'k' }]);
    expect(last()).toBe('GET /base/atelier/api/kernels');
    await client.instances();
    expect(last()).toBe('GET /base/atelier/api/instances');
    await client.stopInstance('i-ml t3/1');
    expect(last()).toBe('DELETE /base/atelier/api/instances/i-ml%20t3%2F1');
    await client.instanceTypes();
    expect(last()).toBe('GET /base/atelier/api/instance-types');
    await client.images();
    expect(last()).toBe('GET /base/atelier/api/images');
  });

  it('instances: an empty kernels answer is an empty list', async () => {
    const { settings } = recording(undefined);
    expect(await createInstancesClient(settings).kernels()).toEqual([]);
  });

  it('usage: usage, idle rules', async () => {
    const { settings, last } = recording({
      policies: [{ instance_type: 't' }]
    });
    const client = createUsageClient(settings);
    expect(await client.idlePolicies()).toEqual([{ instance_type: 't' }]);
    expect(last()).toBe('GET /base/atelier/api/idle-policy');
    await client.putIdlePolicy('ml.t3.medium', {
      kernel_idle_minutes: 5,
      instance_idle_minutes: 0
    });
    expect(last()).toBe('PUT /base/atelier/api/idle-policy/ml.t3.medium');
    await client.usage({
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00Z'
    });
    expect(last()).toBe(
      'GET /base/atelier/api/usage?from=2026-01-01T00%3A00%3A00Z&to=2026-01-02T00%3A00%3A00Z'
    );
  });

  it('jobs: list with filters, stop, create', async () => {
    const { settings, last } = recording({ Jobs: [{ Name: 'a' }] });
    const client = createJobsClient(settings);
    expect(
      await client.listJobs({ ...EMPTY_FILTERS, kind: 'processing' })
    ).toEqual([{ Name: 'a' }]);
    expect(last()).toMatch(/^GET \/base\/atelier\/api\/jobs\?.*processing/);
    await client.stop('processing', 'p 1');
    expect(last()).toBe('POST /base/atelier/api/processing-jobs/p%201/stop');
    await client.createTrainingJob({ TrainingJobName: 't' } as any);
    expect(last()).toBe('POST /base/atelier/api/training-jobs');
  });

  it('objects: list, download URL with the token', async () => {
    const { settings, last } = recording({ Contents: [] });
    const client = createObjectsClient(settings);
    await client.listObjects('s3://atelier/data/');
    expect(last()).toBe(
      'GET /base/atelier/api/objects/list?prefix=s3%3A%2F%2Fatelier%2Fdata%2F'
    );
    expect(client.objectURL('s3://b/k')).toBe(
      'http://127.0.0.1:8888/base/atelier/api/objects?uri=s3%3A%2F%2Fb%2Fk&token=secret'
    );
  });
});
