import { JobsFeed } from '../../jobs/listFeed';
import { JobsListModel } from '../../jobs/listModel';
import { IJobSummary } from '../../jobs/tokens';
import { KernelsFeed } from '../../running/kernelsFeed';
import { kernel } from '../../running/__tests__/fixtures';
import { parseFrame } from '../frames';
import { EventStream } from '../stream';
import { EventsStatus, IKernelDeathEvent, IKernelsEvent } from '../tokens';
import { FakeSocket } from './fakeSocket';

const URL = 'ws://127.0.0.1:8888/atelier/api/events?token=t';

const job = (name: string, status = 'InProgress'): IJobSummary => ({
  Kind: 'training',
  Name: name,
  Status: status,
  CreationTime: '2026-01-01T00:00:00Z'
});

/** Let pending promise callbacks run. */
const settle = () => jest.advanceTimersByTimeAsync(0);

describe('EventStream', () => {
  let stream: EventStream;

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.instances = [];
    stream = new EventStream({
      url: URL,
      createSocket: url => new FakeSocket(url),
      reconnectDelay: 1000,
      reconnectMaxDelay: 8000
    });
  });

  afterEach(() => {
    stream.dispose();
    jest.useRealTimers();
  });

  it('opens one connection for the Running and Jobs panels together', async () => {
    const kernels = jest.fn();
    const running = new KernelsFeed({
      events: stream,
      fetchKernels: async () => [],
      onKernels: kernels,
      standby: 'never'
    });
    const model = new JobsListModel();
    const fetchJobs = jest.fn(async () => [] as IJobSummary[]);
    const jobs = new JobsFeed({ model, fetchJobs, events: stream });

    running.start();
    jobs.show();
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.last.url).toBe(URL);
    expect(stream.holders).toBe(2);
    await settle();

    FakeSocket.last.open();
    expect(running.status).toBe('live');
    expect(jobs.live).toBe(true);
    const list = [kernel({ id: 'k1' })];
    FakeSocket.last.send(JSON.stringify({ type: 'kernels', kernels: list }));
    FakeSocket.last.send(JSON.stringify({ type: 'job', job: job('j1') }));
    expect(kernels).toHaveBeenCalledTimes(1);
    expect(kernels).toHaveBeenCalledWith(list);
    expect(model.jobs.map(j => j.Name)).toEqual(['j1']);

    // Hiding the Jobs panel keeps the socket the Running panel still uses.
    jobs.hide();
    expect(jobs.live).toBe(false);
    expect(FakeSocket.last.closed).toBe(false);
    FakeSocket.last.send(JSON.stringify({ type: 'job', job: job('j2') }));
    expect(model.jobs.map(j => j.Name)).toEqual(['j1']);

    // Shown again: no second socket.
    jobs.show();
    expect(FakeSocket.instances).toHaveLength(1);
    expect(jobs.live).toBe(true);

    jobs.dispose();
    expect(FakeSocket.last.closed).toBe(false);
    running.dispose();
    expect(FakeSocket.last.closed).toBe(true);
    expect(stream.status).toBe('idle');
    await jest.advanceTimersByTimeAsync(60000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('emits each frame on the signal of its type only', () => {
    const seen: string[] = [];
    stream
      .frame('kernels')
      .connect((_, f: IKernelsEvent) =>
        seen.push(`kernels:${f.kernels.length}`)
      );
    stream.frame('job').connect((_, f) => seen.push(`job:${f.job.Name}`));
    stream
      .frame('kernel_death')
      .connect((_, f: IKernelDeathEvent) =>
        seen.push(`death:${f.action}:${f.kernel.id}`)
      );
    stream
      .frame('instance_stopped')
      .connect((_, f) =>
        seen.push(`stopped:${f.instance.id}:${f.notebooks.join(',')}`)
      );
    expect(stream.frame('job')).toBe(stream.frame('job'));

    const hold = stream.acquire();
    FakeSocket.last.open();
    const send = (frame: unknown) =>
      FakeSocket.last.send(JSON.stringify(frame));
    send({ type: 'kernels', kernels: [kernel(), kernel({ id: 'k2' })] });
    send({ type: 'job', job: job('train-1') });
    send({
      type: 'kernel_death',
      action: 'dead',
      kernel: kernel({ id: 'k3' })
    });
    send({
      type: 'instance_stopped',
      reason: 'idle',
      instance: { id: 'i1', instance_type: 'ml.t3.medium', image: 'local' },
      notebooks: ['a.ipynb'],
      message: 'The ml.t3.medium instance (local) was stopped by its idle rule'
    });
    // Unknown types and frames without what their type carries are skipped.
    send({ type: 'endpoint', endpoint: { Name: 'e' } });
    send({ type: 'job', job: { Status: 'InProgress' } });
    send({ type: 'kernel_death', action: 'exploded', kernel: kernel() });
    send({ type: 'instance_stopped', instance: { id: 'i2' }, notebooks: [] });
    send({ kernels: [] });
    send(['kernels']);
    send(null);
    expect(seen).toEqual([
      'kernels:2',
      'job:train-1',
      'death:dead:k3',
      'stopped:i1:a.ipynb'
    ]);
    hold.dispose();
  });

  it('ignores a malformed frame and keeps the connection', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const jobs: string[] = [];
    stream.frame('job').connect((_, f) => jobs.push(f.job.Name));
    const hold = stream.acquire();
    FakeSocket.last.open();
    FakeSocket.last.send('{"type": "job", "job": ');
    FakeSocket.last.send(new ArrayBuffer(4));
    FakeSocket.last.send(JSON.stringify({ type: 'job', job: job('after') }));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(jobs).toEqual(['after']);
    expect(stream.status).toBe('open');
    expect(FakeSocket.last.closed).toBe(false);
    expect(FakeSocket.instances).toHaveLength(1);
    warn.mockRestore();
    hold.dispose();
  });

  it('reconnects with a doubling delay, capped, reset once open', async () => {
    const statuses: EventsStatus[] = [];
    stream.statusChanged.connect((_, s) => statuses.push(s));
    const reconnected = jest.fn();
    stream.reconnected.connect(reconnected);
    const hold = stream.acquire();
    FakeSocket.last.open();
    expect(reconnected).not.toHaveBeenCalled();

    FakeSocket.last.drop();
    expect(stream.status).toBe('reconnecting');
    for (const delay of [1000, 2000, 4000, 8000, 8000]) {
      const before = FakeSocket.instances.length;
      await jest.advanceTimersByTimeAsync(delay - 1);
      expect(FakeSocket.instances).toHaveLength(before);
      await jest.advanceTimersByTimeAsync(1);
      expect(FakeSocket.instances).toHaveLength(before + 1);
      FakeSocket.last.drop();
    }
    expect(stream.reconnectDelay).toBe(8000);

    await jest.advanceTimersByTimeAsync(8000);
    FakeSocket.last.open();
    expect(stream.status).toBe('open');
    expect(stream.reconnectDelay).toBe(1000);
    expect(reconnected).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);

    // A socket that failed earlier cannot disturb the current one.
    FakeSocket.instances[0].onclose?.({});
    expect(stream.status).toBe('open');
    hold.dispose();
  });

  it('resyncs the Jobs list when the stream comes back', async () => {
    const model = new JobsListModel();
    const fetchJobs = jest.fn(async () => [job('listed')]);
    const feed = new JobsFeed({ model, fetchJobs, events: stream });
    feed.show();
    await settle();
    FakeSocket.last.open();
    expect(fetchJobs).toHaveBeenCalledTimes(1);

    FakeSocket.last.drop();
    expect(feed.live).toBe(false);
    await jest.advanceTimersByTimeAsync(1000);
    FakeSocket.last.open();
    await settle();
    expect(feed.live).toBe(true);
    expect(fetchJobs).toHaveBeenCalledTimes(2);
    feed.dispose();
  });

  it('stops trying once no one holds it, and starts afresh on the next hold', async () => {
    const first = stream.acquire();
    FakeSocket.last.drop();
    await jest.advanceTimersByTimeAsync(1000);
    FakeSocket.last.drop();
    expect(stream.reconnectDelay).toBe(4000);
    first.dispose();
    first.dispose(); // a second release of the same hold is a no-op
    expect(stream.holders).toBe(0);
    expect(stream.status).toBe('idle');
    await jest.advanceTimersByTimeAsync(60000);
    expect(FakeSocket.instances).toHaveLength(2);

    const second = stream.acquire();
    expect(stream.status).toBe('connecting');
    expect(stream.reconnectDelay).toBe(1000);
    expect(FakeSocket.instances).toHaveLength(3);
    second.dispose();
  });

  it('takes up the Running panel late with a fetch of its own', async () => {
    const other = stream.acquire();
    FakeSocket.last.open();
    const fetchKernels = jest.fn(async () => [kernel({ id: 'fetched' })]);
    const onKernels = jest.fn();
    const running = new KernelsFeed({
      events: stream,
      fetchKernels,
      onKernels,
      standby: 'never'
    });
    running.start();
    expect(running.status).toBe('live');
    await settle();
    expect(onKernels).toHaveBeenCalledWith([kernel({ id: 'fetched' })]);
    expect(FakeSocket.instances).toHaveLength(1);
    running.dispose();
    other.dispose();
  });
});

describe('parseFrame', () => {
  it('decodes known frames and rejects the rest', () => {
    const frame = { type: 'job', job: job('a') };
    expect(parseFrame(JSON.stringify(frame))).toEqual(frame);
    expect(parseFrame('{"type":"kernels","kernels":[]}')).toEqual({
      type: 'kernels',
      kernels: []
    });
    expect(parseFrame('{"type":"kernels"}')).toBeNull();
    expect(parseFrame('{"type":"toString"}')).toBeNull();
    expect(parseFrame('not json')).toBeNull();
    expect(parseFrame(42)).toBeNull();
  });
});
