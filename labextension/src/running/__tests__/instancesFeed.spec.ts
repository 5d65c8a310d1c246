import { IInstancesResponse } from '../tokens';
import { CoalescingRunner, InstancesFeed } from '../instancesFeed';
import { InstancesModel } from '../instancesModel';
import { instance } from './fixtures';

/** A promise the test settles. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CoalescingRunner', () => {
  it('runs once more after a burst of calls during a run', async () => {
    const runs: Array<ReturnType<typeof deferred<void>>> = [];
    const runner = new CoalescingRunner(() => {
      const run = deferred<void>();
      runs.push(run);
      return run.promise;
    });
    const first = runner.run();
    const second = runner.run();
    const third = runner.run();
    expect(second).toBe(third);
    expect(runs).toHaveLength(1);
    runs[0].resolve();
    await first;
    await Promise.resolve();
    expect(runs).toHaveLength(2);
    runs[1].resolve();
    await second;
    expect(runner.running).toBe(false);
  });

  it('runs the queued call after a failed run', async () => {
    let calls = 0;
    const runner = new CoalescingRunner(async () => {
      calls++;
      if (calls === 1) {
        throw new Error('down');
      }
    });
    const first = runner.run();
    const second = runner.run();
    await expect(first).rejects.toThrow('down');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});

describe('InstancesFeed', () => {
  let model: InstancesModel;
  let fetchInstances: jest.Mock<Promise<IInstancesResponse>, []>;
  let onError: jest.Mock;
  let feed: InstancesFeed;

  beforeEach(() => {
    model = new InstancesModel();
    fetchInstances = jest.fn(async () => ({
      instances: [instance({ id: 'i1' })]
    }));
    onError = jest.fn();
    feed = new InstancesFeed({ model, fetchInstances, onError });
  });

  afterEach(() => {
    feed.dispose();
    model.dispose();
  });

  it('puts fetched instances into the model', async () => {
    await feed.refresh();
    expect(model.instances.map(i => i.id)).toEqual(['i1']);
    expect(model.error).toBeNull();
  });

  it('passes the server word on Docker to the model, and clears it once Docker answers', async () => {
    const changed = jest.fn();
    model.changed.connect(changed);
    fetchInstances.mockResolvedValue({
      instances: [],
      docker: {
        available: false,
        problem: 'the Docker engine is not reachable: Connection refused'
      }
    });
    await feed.refresh();
    expect(model.dockerNotice).toBe(
      'Docker is unavailable: the Docker engine is not reachable: Connection refused. ' +
        'Notebooks run in local processes.'
    );
    const calls = changed.mock.calls.length;
    await feed.refresh();
    expect(changed.mock.calls.length).toBe(calls);

    fetchInstances.mockResolvedValue({
      instances: [],
      docker: { available: true, problem: null }
    });
    await feed.refresh();
    expect(model.dockerNotice).toBeNull();
  });

  it('reports the first error of a streak and records it', async () => {
    fetchInstances.mockRejectedValue(new Error('Atelier server unavailable'));
    await expect(feed.refresh()).rejects.toThrow('Atelier server unavailable');
    await expect(feed.refresh()).rejects.toThrow();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(model.error).toBe('Atelier server unavailable');

    fetchInstances.mockResolvedValue({ instances: [] });
    await feed.refresh();
    expect(model.error).toBeNull();
    fetchInstances.mockRejectedValue(new Error('again'));
    feed.trigger();
    await expect(feed.refresh()).rejects.toThrow('again');
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('fetches nothing once disposed', async () => {
    feed.dispose();
    await feed.refresh();
    expect(fetchInstances).not.toHaveBeenCalled();
  });
});
