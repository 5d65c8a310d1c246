import { IExperimentsClient } from '../../client';
import { CompareModel } from '../../compare/model';
import { toRow } from '../../table';
import { IMetric, IRun } from '../../tokens';
import { IMetricSummary } from '../series';
import { RELOAD_MS, RunDetailModel, eachLimited } from '../model';

function run(id: string, metrics: Record<string, [number, number]>): IRun {
  return {
    info: { run_id: id, experiment_id: '1', status: 'RUNNING' },
    data: {
      metrics: Object.entries(metrics).map(([key, [value, step]]) => ({
        key,
        value,
        step,
        timestamp: step
      })),
      params: [{ key: 'lr', value: '0.1' }]
    }
  };
}

/** A summary the fake server reports (the panel computes none itself). */
const summary = (
  key: string,
  last: number,
  lastStep: number,
  count: number
): IMetricSummary => ({
  key,
  last,
  lastStep,
  lastTimestamp: lastStep,
  min: 0,
  max: 9,
  count,
  avg: 4,
  stddev: 1.5
});

function client(
  runs: Map<string, IRun>,
  histories: Map<string, IMetric[]>,
  summaries = new Map<string, IMetricSummary[]>()
) {
  const calls: string[] = [];
  const fake: IExperimentsClient = {
    experiments: async () => [],
    runs: async () => [...runs.values()],
    run: async id => {
      calls.push(`run ${id}`);
      const r = runs.get(id);
      if (!r) {
        throw new Error(`Run '${id}' not found.`);
      }
      return r;
    },
    history: async (id, key) => {
      calls.push(`history ${id} ${key}`);
      return histories.get(`${id}/${key}`) ?? [];
    },
    summaries: async (ids, keys = []) => {
      calls.push(`summaries ${ids.join(',')} ${keys.join(',')}`);
      const out = new Map<string, Map<string, IMetricSummary>>();
      for (const id of ids) {
        const mine = (summaries.get(id) ?? []).filter(
          s => keys.length === 0 || keys.includes(s.key)
        );
        out.set(id, new Map(mine.map(s => [s.key, s])));
      }
      return out;
    },
    artifacts: async () => ({ files: [] }),
    artifactUrl: (e, r, p) => `/${e}/${r}/${p}`
  };
  return { fake, calls };
}

const points = (key: string, values: number[]): IMetric[] =>
  values.map((value, step) => ({ key, value, step, timestamp: step }));

describe('eachLimited', () => {
  it('runs every item with at most `limit` at once', async () => {
    let now = 0;
    let most = 0;
    const done: number[] = [];
    await eachLimited([1, 2, 3, 4, 5, 6, 7], 3, async i => {
      now++;
      most = Math.max(most, now);
      await new Promise(r => setTimeout(r, 1));
      done.push(i);
      now--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });
});

describe('RunDetailModel', () => {
  afterEach(() => jest.useRealTimers());

  it('loads the run, the server summaries and the history of each metric', async () => {
    const runs = new Map([['r1', run('r1', { loss: [1, 2], acc: [0.9, 2] })]]);
    const histories = new Map([
      ['r1/loss', points('loss', [3, 2, 1])],
      ['r1/acc', points('acc', [0.5, 0.7, 0.9])]
    ]);
    const { fake, calls } = client(
      runs,
      histories,
      new Map([['r1', [summary('loss', 1, 2, 3), summary('acc', 0.9, 2, 3)]]])
    );
    const model = new RunDetailModel(fake, 'r1');
    await model.load();
    expect(model.metricKeys).toEqual(['acc', 'loss']);
    expect(calls.filter(c => c.startsWith('history')).sort()).toEqual([
      'history r1 acc',
      'history r1 loss'
    ]);
    // One request for every metric's summary, as the server computed it.
    expect(calls.filter(c => c.startsWith('summaries'))).toEqual([
      'summaries r1 '
    ]);
    expect(model.summary('loss')).toEqual(summary('loss', 1, 2, 3));
    expect(model.summary('nope')).toBeNull();
  });

  it('shows the error of a run that does not exist', async () => {
    const { fake } = client(new Map(), new Map());
    const model = new RunDetailModel(fake, 'nope');
    await model.load();
    expect(model.run).toBeNull();
    expect(model.error).toContain("Run 'nope' not found");
  });

  it('reloads a history and the summaries after a frame moves a latest point, at most once a second', async () => {
    const runs = new Map([['r1', run('r1', { loss: [1, 1] })]]);
    const histories = new Map([['r1/loss', points('loss', [2, 1])]]);
    const summaries = new Map([['r1', [summary('loss', 1, 1, 2)]]]);
    const { fake, calls } = client(runs, histories, summaries);
    const model = new RunDetailModel(fake, 'r1');
    await model.load();
    jest.useFakeTimers();
    const count = () => calls.filter(c => c === 'history r1 loss').length;
    expect(count()).toBe(1);
    // Same latest point: nothing to load.
    model.applyRun(run('r1', { loss: [1, 1] }));
    // Other runs are not this one's.
    model.applyRun(run('r2', { loss: [5, 9] }));
    jest.advanceTimersByTime(RELOAD_MS * 2);
    expect(count()).toBe(1);
    histories.set('r1/loss', points('loss', [2, 1, 0.5]));
    summaries.set('r1', [summary('loss', 0.5, 2, 3)]);
    model.applyRun(run('r1', { loss: [0.5, 2] }));
    model.applyRun(run('r1', { loss: [0.5, 2] }));
    jest.advanceTimersByTime(RELOAD_MS);
    expect(count()).toBe(2);
    expect(calls.filter(c => c.startsWith('summaries'))).toHaveLength(2);
    jest.useRealTimers();
    await new Promise(r => setTimeout(r, 0));
    expect(model.summary('loss')).toMatchObject({ last: 0.5, count: 3 });
    // The frame now matches what the server reported: nothing more to load.
    model.applyRun(run('r1', { loss: [0.5, 2] }));
    expect(calls.filter(c => c.startsWith('summaries'))).toHaveLength(2);
    model.dispose();
  });
});

describe('CompareModel', () => {
  it('loads the first metric of every run and picks scatter and parallel fields', async () => {
    const runs = new Map([
      ['a', run('a', { loss: [1, 1] })],
      ['b', run('b', { loss: [2, 1] })]
    ]);
    const histories = new Map([
      ['a/loss', points('loss', [3, 1])],
      ['b/loss', points('loss', [4, 2])]
    ]);
    const { fake, calls } = client(
      runs,
      histories,
      new Map([
        ['a', [summary('loss', 1, 1, 2), summary('acc', 1, 1, 1)]],
        ['b', [summary('loss', 2, 1, 2)]]
      ])
    );
    const model = new CompareModel(fake, [...runs.values()].map(toRow));
    expect(model.metric).toBe('loss');
    expect(model.scatterX).toBe('param:lr');
    expect(model.scatterY).toBe('metric:loss');
    expect(model.parallel).toEqual(['param:lr', 'metric:loss']);
    await model.load();
    expect(model.histories.get('b')).toHaveLength(2);
    expect(calls.filter(c => c.startsWith('history'))).toHaveLength(2);
    // Every run's summary of the overlaid metric in one request.
    expect(calls.filter(c => c.startsWith('summaries'))).toEqual([
      'summaries a,b loss'
    ]);
    expect(model.summaries.get('a')).toEqual(summary('loss', 1, 1, 2));
    expect(model.summaries.get('b')?.last).toBe(2);
    model.dispose();
  });
});
