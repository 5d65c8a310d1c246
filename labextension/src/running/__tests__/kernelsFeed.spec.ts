import { IWebSocketLike, EventStream } from '../../events/stream';
import { FakeSocket } from '../../events/__tests__/fakeSocket';
import { IKernelInfo } from '../tokens';
import { KernelsFeed } from '../kernelsFeed';
import { kernel } from './fixtures';

describe('KernelsFeed', () => {
  let fetchKernels: jest.Mock<Promise<IKernelInfo[]>, []>;
  let onKernels: jest.Mock<void, [IKernelInfo[]]>;
  let onStatus: jest.Mock;
  let onError: jest.Mock;
  let events: EventStream;
  let client: KernelsFeed;

  const make = (
    options: { createSocket?: (url: string) => IWebSocketLike } = {}
  ) => {
    events = new EventStream({
      url: 'ws://127.0.0.1:8888/atelier/api/events?token=t',
      createSocket: options.createSocket ?? (url => new FakeSocket(url)),
      reconnectDelay: 1000,
      reconnectMaxDelay: 8000
    });
    return new KernelsFeed({
      events,
      fetchKernels,
      onKernels,
      onStatus,
      onError,
      pollInterval: 3000,
      standby: 'never'
    });
  };

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.instances = [];
    fetchKernels = jest.fn(async () => [kernel({ id: 'polled' })]);
    onKernels = jest.fn();
    onStatus = jest.fn();
    onError = jest.fn();
    client = make();
  });

  afterEach(() => {
    client.dispose();
    events.dispose();
    jest.useRealTimers();
  });

  it('connects to the events URL and goes live on open', () => {
    client.start();
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.last.url).toBe(
      'ws://127.0.0.1:8888/atelier/api/events?token=t'
    );
    expect(client.status).toBe('connecting');
    FakeSocket.last.open();
    expect(client.status).toBe('live');
    expect(onStatus).toHaveBeenLastCalledWith('live', null);
  });

  it('delivers kernels events and ignores other frames', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    client.start();
    FakeSocket.last.open();
    const kernels = [kernel({ id: 'k1' })];
    FakeSocket.last.send(JSON.stringify({ type: 'kernels', kernels }));
    FakeSocket.last.send(JSON.stringify({ type: 'other', kernels }));
    FakeSocket.last.send('{not json');
    FakeSocket.last.send(JSON.stringify({ type: 'kernels' }));
    expect(onKernels).toHaveBeenCalledTimes(1);
    expect(onKernels).toHaveBeenCalledWith(kernels);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('does not poll while the socket is live', async () => {
    client.start();
    FakeSocket.last.open();
    await jest.advanceTimersByTimeAsync(20000);
    expect(fetchKernels).not.toHaveBeenCalled();
    expect(client.isPolling).toBe(false);
  });

  it('polls at once and every interval while the socket is down', async () => {
    client.start();
    FakeSocket.last.open();
    FakeSocket.last.drop();
    expect(client.status).toBe('polling');
    await jest.advanceTimersByTimeAsync(0);
    expect(fetchKernels).toHaveBeenCalledTimes(1);
    expect(onKernels).toHaveBeenLastCalledWith([kernel({ id: 'polled' })]);
    // Keep the socket from coming back so that polling goes on.
    FakeSocket.instances.forEach(s => (s.onopen = null));
    await jest.advanceTimersByTimeAsync(3000);
    expect(fetchKernels).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(3000);
    expect(fetchKernels).toHaveBeenCalledTimes(3);
  });

  it('reconnects with exponential backoff, capped', async () => {
    client.start();
    FakeSocket.last.drop(); // never opened: connection refused
    expect(FakeSocket.instances).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(999);
    expect(FakeSocket.instances).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(FakeSocket.instances).toHaveLength(2);

    FakeSocket.last.drop();
    await jest.advanceTimersByTimeAsync(1999);
    expect(FakeSocket.instances).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(FakeSocket.instances).toHaveLength(3);

    FakeSocket.last.drop(); // next delay 4 s
    await jest.advanceTimersByTimeAsync(4000);
    FakeSocket.last.drop(); // next delay 8 s (the cap)
    expect(client.reconnectDelay).toBe(8000);
    await jest.advanceTimersByTimeAsync(8000);
    FakeSocket.last.drop();
    expect(client.reconnectDelay).toBe(8000);
    expect(FakeSocket.instances).toHaveLength(5);
  });

  it('stops polling and resets the backoff once reconnected', async () => {
    client.start();
    FakeSocket.last.drop();
    await jest.advanceTimersByTimeAsync(1000);
    FakeSocket.last.drop();
    expect(client.reconnectDelay).toBe(4000);
    await jest.advanceTimersByTimeAsync(2000);
    const calls = fetchKernels.mock.calls.length;
    expect(calls).toBeGreaterThan(0);

    FakeSocket.last.open();
    expect(client.status).toBe('live');
    expect(client.reconnectDelay).toBe(1000);
    expect(client.isPolling).toBe(false);
    await jest.advanceTimersByTimeAsync(30000);
    expect(fetchKernels).toHaveBeenCalledTimes(calls);
  });

  it('treats a socket error like a drop, once', async () => {
    client.start();
    FakeSocket.last.open();
    const socket = FakeSocket.last;
    socket.onerror?.({});
    socket.onclose?.({});
    expect(client.status).toBe('polling');
    expect(socket.closed).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('falls back to polling when the socket cannot be created', async () => {
    client.dispose();
    let attempts = 0;
    client = make({
      createSocket: url => {
        attempts++;
        if (attempts === 1) {
          throw new Error('blocked');
        }
        return new FakeSocket(url);
      }
    });
    client.start();
    expect(client.status).toBe('polling');
    await jest.advanceTimersByTimeAsync(0);
    expect(fetchKernels).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1000);
    FakeSocket.last.open();
    expect(client.status).toBe('live');
  });

  it('reports poll errors once per streak and backs off', async () => {
    fetchKernels.mockRejectedValue(new Error('Atelier server unavailable'));
    client.start();
    FakeSocket.instances.forEach(s => (s.onopen = null));
    FakeSocket.last.drop();
    await jest.advanceTimersByTimeAsync(0);
    expect(fetchKernels).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onStatus).toHaveBeenLastCalledWith(
      'polling',
      'Atelier server unavailable'
    );

    // Lumino's Poll backs off after a rejection: the next try comes later
    // than the 3 s interval.
    await jest.advanceTimersByTimeAsync(3000);
    const afterInterval = fetchKernels.mock.calls.length;
    await jest.advanceTimersByTimeAsync(60000);
    expect(fetchKernels.mock.calls.length).toBeGreaterThan(afterInterval);
    expect(fetchKernels.mock.calls.length).toBeLessThan(1 + 60000 / 3000);
    expect(onError).toHaveBeenCalledTimes(1);

    // Recovery clears the error; a new failure is reported again.
    fetchKernels.mockResolvedValue([]);
    await jest.advanceTimersByTimeAsync(30000);
    expect(onStatus).toHaveBeenLastCalledWith('polling', null);
    fetchKernels.mockRejectedValue(new Error('again'));
    await jest.advanceTimersByTimeAsync(30000);
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('refresh() fetches now and rejects with the error', async () => {
    await client.refresh();
    expect(onKernels).toHaveBeenCalledWith([kernel({ id: 'polled' })]);
    fetchKernels.mockRejectedValueOnce(new Error('boom'));
    await expect(client.refresh()).rejects.toThrow('boom');
  });

  it('stops everything when disposed', async () => {
    client.start();
    FakeSocket.last.drop();
    const socket = FakeSocket.last;
    client.dispose();
    const calls = fetchKernels.mock.calls.length;
    await jest.advanceTimersByTimeAsync(60000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(fetchKernels).toHaveBeenCalledTimes(calls);
    expect(socket.closed).toBe(true);
    expect(client.isDisposed).toBe(true);
  });

  it('applies a new poll interval', async () => {
    client.pollInterval = 10000;
    client.start();
    FakeSocket.instances.forEach(s => (s.onopen = null));
    FakeSocket.last.drop();
    await jest.advanceTimersByTimeAsync(0);
    expect(fetchKernels).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(9000);
    expect(fetchKernels).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(fetchKernels).toHaveBeenCalledTimes(2);
  });
});
