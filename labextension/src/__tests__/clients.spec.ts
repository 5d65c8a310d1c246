/**
 * @jest-environment node
 */
import { ServerConnection } from '@jupyterlab/services';

import { createEndpointsClient } from '../endpoints/client';
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

  it('objects: list, an object URL without the token, download tickets', async () => {
    const { settings, last } = recording({ Contents: [] });
    const client = createObjectsClient(settings);
    await client.listObjects('s3://atelier/data/');
    expect(last()).toBe(
      'GET /base/atelier/api/objects/list?prefix=s3%3A%2F%2Fatelier%2Fdata%2F'
    );
    expect(client.objectURL('s3://b/k')).toBe(
      'http://127.0.0.1:8888/base/atelier/api/objects?uri=s3%3A%2F%2Fb%2Fk'
    );
    await client.downloadTicket({ prefix: 's3://b/out/' });
    expect(last()).toBe('POST /base/atelier/api/objects/tickets');
  });

  it('objects: a download follows a ticket link that carries no token', async () => {
    const { settings, last } = recording({
      ticket: 'atls1.abc.sig',
      url: '/atelier/api/objects/download?ticket=atls1.abc.sig',
      expires_at: '2026-12-02T05:24:30Z',
      file_name: 'summary.zip'
    });
    // The page, as far as a download needs it: a link that is clicked once.
    const clicked: Array<{ href: string; download: string }> = [];
    const link = {
      href: '',
      download: '',
      rel: '',
      style: {} as Record<string, string>,
      click(): void {
        clicked.push({ href: this.href, download: this.download });
      },
      remove: jest.fn()
    };
    const page = globalThis as any;
    page.document = {
      cookie: '',
      createElement: () => link,
      body: { appendChild: jest.fn() }
    };
    try {
      await createObjectsClient(settings).download({ prefix: 's3://b/out' });
    } finally {
      delete page.document;
    }
    expect(link.remove).toHaveBeenCalled();
    expect(last()).toBe('POST /base/atelier/api/objects/tickets');
    expect(clicked).toEqual([
      {
        href: 'http://127.0.0.1:8888/base/atelier/api/objects/download?ticket=atls1.abc.sig',
        download: 'summary.zip'
      }
    ]);
    expect(clicked[0].href).not.toContain('secret');
  });

  it('endpoints: list, describe, weights, metrics, delete, create', async () => {
    const { settings, last } = recording({
      Endpoints: [{ EndpointName: 'e' }]
    });
    const client = createEndpointsClient(settings);
    expect(await client.listEndpoints()).toEqual([{ EndpointName: 'e' }]);
    expect(last()).toBe('GET /base/atelier/api/endpoints');
    await client.describe('e 1');
    expect(last()).toBe('GET /base/atelier/api/endpoints/e%201');
    await client.updateWeightsAndCapacities('e', []);
    expect(last()).toBe(
      'POST /base/atelier/api/endpoints/e/weights-and-capacities'
    );
    await client.metrics('e', 60);
    expect(last()).toBe('GET /base/atelier/api/endpoints/e/metrics?minutes=60');
    await client.deleteEndpoint('e');
    expect(last()).toBe('DELETE /base/atelier/api/endpoints/e');
    await client.createModel({ ModelName: 'm', FromTrainingJob: 'j' });
    expect(last()).toBe('POST /base/atelier/api/models');
    await client.createEndpointConfig({
      EndpointConfigName: 'c',
      ProductionVariants: []
    });
    expect(last()).toBe('POST /base/atelier/api/endpoint-configs');
    await client.createEndpoint({ EndpointName: 'e', EndpointConfigName: 'c' });
    expect(last()).toBe('POST /base/atelier/api/endpoints');
  });

  it('endpoints: an invocation with its headers, answer, variant and time', async () => {
    const requests: Request[] = [];
    const answers = [
      new Response('{"predictions": [1]}', {
        status: 200,
        headers: {
          'Content-Type': 'application/json',
          'X-Amzn-Invoked-Production-Variant': 'AllTraffic'
        }
      }),
      new Response(
        JSON.stringify({ ErrorCode: 'ModelError', message: 'bad input' }),
        { status: 424, headers: { 'Content-Type': 'application/json' } }
      )
    ];
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://127.0.0.1:8888/',
      wsUrl: 'ws://127.0.0.1:8888/',
      token: 'secret',
      fetch: (async (request: Request) => {
        requests.push(request);
        return answers.shift()!;
      }) as any
    });
    let now = 100;
    const client = createEndpointsClient(settings, () => (now += 25));
    const ok = await client.invoke('e', {
      body: '1,2',
      contentType: 'text/csv',
      accept: 'application/json',
      targetVariant: 'AllTraffic'
    });
    expect(ok).toEqual({
      ok: true,
      status: 200,
      body: '{"predictions": [1]}',
      contentType: 'application/json',
      variant: 'AllTraffic',
      millis: 25
    });
    const sent = requests[0];
    expect(new URL(sent.url).pathname).toBe(
      '/atelier/api/endpoints/e/invocations'
    );
    expect(sent.headers.get('Content-Type')).toBe('text/csv');
    expect(sent.headers.get('Accept')).toBe('application/json');
    expect(sent.headers.get('X-Amzn-SageMaker-Target-Variant')).toBe(
      'AllTraffic'
    );
    expect(await sent.text()).toBe('1,2');

    const refused = await client.invoke('e', {
      body: 'x',
      contentType: 'text/csv',
      accept: '*/*'
    });
    expect(refused.ok).toBe(false);
    expect(refused.status).toBe(424);
    expect(refused.body).toBe('bad input');
    expect(refused.variant).toBeNull();
    expect(requests[1].headers.has('X-Amzn-SageMaker-Target-Variant')).toBe(
      false
    );
  });
});
