import { EventStream } from '../../events/stream';
import { FakeSocket } from '../../events/__tests__/fakeSocket';
import { EndpointsFeed } from '../feed';
import { EndpointsListModel } from '../listModel';
import { endpoint, variant } from './fixtures';

const settle = () => jest.advanceTimersByTimeAsync(0);

describe('EndpointsListModel', () => {
  it('keeps the newest first and counts a change once', () => {
    const model = new EndpointsListModel();
    const changed = jest.fn();
    model.changed.connect(changed);
    model.update([
      endpoint('old', 'InService', { CreationTime: '2026-12-01T00:00:00Z' }),
      endpoint('new', 'Creating', { CreationTime: '2026-12-03T00:00:00Z' })
    ]);
    expect(model.endpoints.map(e => e.EndpointName)).toEqual(['new', 'old']);
    expect(model.loaded).toBe(true);
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('merges a frame into what it knows and removes a deleted one', () => {
    const model = new EndpointsListModel();
    model.update([
      endpoint('a', 'Creating', { FailureReason: null, EndpointArn: 'arn:a' })
    ]);
    model.upsert({
      EndpointName: 'a',
      EndpointStatus: 'InService',
      ProductionVariants: [variant('AllTraffic')]
    });
    const a = model.find('a')!;
    expect(a.EndpointStatus).toBe('InService');
    expect(a.EndpointArn).toBe('arn:a');
    expect(a.ProductionVariants).toHaveLength(1);

    model.upsert(endpoint('b', 'Creating'));
    expect(model.endpoints).toHaveLength(2);
    model.upsert(endpoint('a', 'Deleting'), true);
    expect(model.endpoints.map(e => e.EndpointName)).toEqual(['b']);
    // Deleting what it does not know changes nothing.
    const changed = jest.fn();
    model.changed.connect(changed);
    model.upsert(endpoint('zz'), true);
    expect(changed).not.toHaveBeenCalled();
  });

  it('ignores frames without a name', () => {
    const model = new EndpointsListModel();
    model.upsert({} as any);
    model.upsert(null as any);
    expect(model.endpoints).toEqual([]);
  });
});

describe('EndpointsFeed', () => {
  let stream: EventStream;
  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.instances = [];
    stream = new EventStream({
      url: 'ws://x/atelier/api/events',
      createSocket: url => new FakeSocket(url),
      reconnectDelay: 1000
    });
  });
  afterEach(() => {
    stream.dispose();
    jest.useRealTimers();
  });

  it('fetches on show, then follows endpoint frames without polling', async () => {
    const model = new EndpointsListModel();
    const fetchEndpoints = jest.fn(async () => [endpoint('a', 'Creating')]);
    const feed = new EndpointsFeed({ model, fetchEndpoints, events: stream });
    feed.show();
    FakeSocket.last.open();
    await settle();
    expect(fetchEndpoints).toHaveBeenCalledTimes(1);
    expect(model.find('a')?.EndpointStatus).toBe('Creating');

    FakeSocket.last.send(
      JSON.stringify({ type: 'endpoint', endpoint: endpoint('a', 'InService') })
    );
    expect(model.find('a')?.EndpointStatus).toBe('InService');
    FakeSocket.last.send(
      JSON.stringify({
        type: 'endpoint',
        endpoint: endpoint('a', 'Deleting'),
        deleted: true
      })
    );
    expect(model.find('a')).toBeUndefined();

    // No timer fetches the list again.
    await jest.advanceTimersByTimeAsync(120_000);
    expect(fetchEndpoints).toHaveBeenCalledTimes(1);
    feed.dispose();
    expect(stream.holders).toBe(0);
  });

  it('fetches again after a drop, and lets go of the stream when hidden', async () => {
    const model = new EndpointsListModel();
    const fetchEndpoints = jest.fn(async () => []);
    const feed = new EndpointsFeed({ model, fetchEndpoints, events: stream });
    feed.show();
    FakeSocket.last.open();
    await settle();
    FakeSocket.last.drop();
    await jest.advanceTimersByTimeAsync(1000);
    FakeSocket.last.open();
    await settle();
    expect(fetchEndpoints).toHaveBeenCalledTimes(2);

    feed.hide();
    expect(stream.holders).toBe(0);
    FakeSocket.last.send(
      JSON.stringify({ type: 'endpoint', endpoint: endpoint('late') })
    );
    expect(model.find('late')).toBeUndefined();
  });

  it('shows the error of a failed fetch', async () => {
    const model = new EndpointsListModel();
    const onError = jest.fn();
    const feed = new EndpointsFeed({
      model,
      fetchEndpoints: async () => {
        throw new Error('down');
      },
      onError,
      events: stream
    });
    feed.show();
    await settle();
    expect(model.error).toBe('down');
    expect(onError).toHaveBeenCalledTimes(1);
    feed.dispose();
  });
});
