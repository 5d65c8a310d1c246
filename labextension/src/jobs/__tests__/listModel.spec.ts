import { EventStream } from '../../events/stream';
import { JobsFeed, parseJobEvent } from '../listFeed';
import {
  ACTIVE_POLL_INTERVAL,
  IDLE_POLL_INTERVAL,
  JobsListModel
} from '../listModel';
import { IJobSummary } from '../tokens';

const job = (
  name: string,
  status: string,
  created = '2026-01-01T00:00:00Z'
): IJobSummary => ({
  Kind: 'training',
  Name: name,
  Status: status,
  CreationTime: created
});

describe('JobsListModel', () => {
  it('keeps the newest first and polls faster while a job runs', () => {
    const model = new JobsListModel();
    model.update([
      job('old', 'Completed'),
      job('new', 'Completed', '2026-02-01T00:00:00Z')
    ]);
    expect(model.jobs.map(j => j.Name)).toEqual(['new', 'old']);
    expect(model.pollInterval).toBe(IDLE_POLL_INTERVAL);
    model.upsert(job('old', 'InProgress'));
    expect(model.hasActive).toBe(true);
    expect(model.pollInterval).toBe(ACTIVE_POLL_INTERVAL);
  });

  it('merges pushed jobs under the filters', () => {
    const model = new JobsListModel();
    model.update([job('a', 'InProgress')]);
    model.setFilters({ status: 'InProgress' });
    model.upsert(job('b', 'InProgress', '2026-03-01T00:00:00Z'));
    expect(model.jobs.map(j => j.Name)).toEqual(['b', 'a']);
    // It finished: it no longer passes the filter.
    model.upsert(job('a', 'Completed'));
    expect(model.jobs.map(j => j.Name)).toEqual(['b']);
  });

  it('only emits on a tick while a duration moves', () => {
    const model = new JobsListModel();
    const seen: number[] = [];
    model.changed.connect(() => seen.push(1));
    model.update([job('a', 'Completed')]);
    model.tick();
    expect(seen.length).toBe(1);
    model.upsert(job('a', 'InProgress'));
    model.tick();
    expect(seen.length).toBe(3);
  });
});

describe('parseJobEvent', () => {
  it('takes job frames and ignores others', () => {
    const j = job('a', 'InProgress');
    expect(parseJobEvent(JSON.stringify({ type: 'job', job: j }))).toEqual(j);
    expect(
      parseJobEvent(JSON.stringify({ type: 'kernels', kernels: [] }))
    ).toBeNull();
    expect(parseJobEvent('{"job": not json')).toBeNull();
    expect(parseJobEvent(new ArrayBuffer(2))).toBeNull();
  });
});

describe('JobsFeed', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fetches with the filters when shown, polls by activity, stops when hidden', async () => {
    const model = new JobsListModel();
    const fetchJobs = jest.fn(async () => [job('a', 'InProgress')]);
    const feed = new JobsFeed({ model, fetchJobs });
    expect(fetchJobs).not.toHaveBeenCalled();
    feed.show();
    await Promise.resolve();
    await Promise.resolve();
    expect(fetchJobs).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(ACTIVE_POLL_INTERVAL);
    expect(fetchJobs).toHaveBeenCalledTimes(2);
    feed.hide();
    await jest.advanceTimersByTimeAsync(IDLE_POLL_INTERVAL * 2);
    expect(fetchJobs).toHaveBeenCalledTimes(2);
    feed.show();
    await Promise.resolve();
    model.setFilters({ kind: 'processing' });
    await Promise.resolve();
    expect(fetchJobs).toHaveBeenLastCalledWith(
      expect.objectContaining({ kind: 'processing' })
    );
    feed.dispose();
  });

  it('merges job frames of the events socket', () => {
    const model = new JobsListModel();
    const socket: any = { close: jest.fn() };
    const events = new EventStream({
      url: 'ws://127.0.0.1:8888/atelier/api/events',
      createSocket: () => socket
    });
    const feed = new JobsFeed({
      model,
      fetchJobs: async () => [],
      events
    });
    feed.show();
    socket.onopen({});
    expect(feed.live).toBe(true);
    socket.onmessage({
      data: JSON.stringify({ type: 'job', job: job('pushed', 'InProgress') })
    });
    expect(model.jobs.map(j => j.Name)).toEqual(['pushed']);
    feed.hide();
    expect(socket.close).toHaveBeenCalled();
    expect(feed.live).toBe(false);
    feed.dispose();
  });
});
