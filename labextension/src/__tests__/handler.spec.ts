/**
 * @jest-environment node
 */
import { ServerConnection } from '@jupyterlab/services';

import { errorMessage, eventsURL, requestAPI } from '../handler';

function settingsWith(
  fetch: jest.Mock,
  token = 'secret'
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://127.0.0.1:8888/base/',
    wsUrl: 'ws://127.0.0.1:8888/base/',
    token,
    fetch
  });
}

describe('requestAPI', () => {
  it('requests {baseUrl}atelier/api/<endpoint> and decodes JSON', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(JSON.stringify({ kernels: [] }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' }
        })
    );
    const data = await requestAPI<{ kernels: unknown[] }>(
      'kernels',
      {},
      settingsWith(fetch)
    );
    expect(data).toEqual({ kernels: [] });
    const request = (fetch.mock.calls[0] as unknown[])[0] as Request;
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(
      'http://127.0.0.1:8888/base/atelier/api/kernels'
    );
    expect(request.headers.get('Authorization')).toBe('token secret');
  });

  it('throws a ResponseError carrying the server message', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            reason: 'Service Unavailable',
            message: 'Kernel gateway is restarting'
          }),
          { status: 503, statusText: 'Service Unavailable' }
        )
    );
    const promise = requestAPI('kernels', {}, settingsWith(fetch));
    await expect(promise).rejects.toBeInstanceOf(
      ServerConnection.ResponseError
    );
    await expect(
      requestAPI('kernels', {}, settingsWith(fetch))
    ).rejects.toThrow('Kernel gateway is restarting');
  });

  it('wraps connection failures in a NetworkError', async () => {
    const fetch = jest.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(
      requestAPI('kernels', {}, settingsWith(fetch))
    ).rejects.toBeInstanceOf(ServerConnection.NetworkError);
  });
});

describe('errorMessage', () => {
  const response = new Response(null, { status: 500, statusText: 'Oops' });

  it('prefers message, then reason', () => {
    expect(errorMessage(response, { reason: 'r', message: 'm' })).toBe('m');
    expect(errorMessage(response, { reason: 'r', message: null })).toBe('r');
  });

  it('uses a plain-text body but not an HTML page', () => {
    expect(errorMessage(response, 'plain failure\n')).toBe('plain failure');
    expect(errorMessage(response, '<html>error</html>')).toBe(
      'Atelier API request failed: 500 Oops'
    );
    expect(errorMessage(response, undefined)).toBe(
      'Atelier API request failed: 500 Oops'
    );
  });
});

describe('eventsURL', () => {
  it('appends the token when one is set', () => {
    expect(eventsURL(settingsWith(jest.fn()))).toBe(
      'ws://127.0.0.1:8888/base/atelier/api/events?token=secret'
    );
    expect(eventsURL(settingsWith(jest.fn(), 'a b&c'))).toBe(
      'ws://127.0.0.1:8888/base/atelier/api/events?token=a%20b%26c'
    );
  });

  it('leaves the URL alone without a token', () => {
    expect(eventsURL(settingsWith(jest.fn(), ''))).toBe(
      'ws://127.0.0.1:8888/base/atelier/api/events'
    );
  });
});
