import { IExperimentsClient, IRunPages } from '../client';
import { FIRST_PAGE, NEXT_PAGE } from '../model';
import { ExperimentsModel } from '../model';
import { IRun } from '../tokens';

function run(
  id: string,
  status: IRun['info']['status'] = 'RUNNING',
  experiment = '1'
): IRun {
  return {
    info: {
      run_id: id,
      experiment_id: experiment,
      status,
      start_time: Number(id.slice(1))
    }
  };
}

function client(
  runs: IRun[],
  fail?: string
): IExperimentsClient & IRunPages & { calls: string[]; release: () => void } {
  const calls: string[] = [];
  // Pages after the first wait until the test releases them.
  let release = (): void => undefined;
  const held = new Promise<void>(resolve => (release = resolve));
  return {
    calls,
    release: () => release(),
    experiments: async () => [
      { experiment_id: '1', name: 'one' },
      { experiment_id: '2', name: 'two' }
    ],
    runs: async () => {
      throw new Error('the table loads pages');
    },
    runsPage: async request => {
      const offset = Number(request.pageToken ?? 0);
      calls.push(
        `${request.experimentId}|${request.filter}|${request.orderBy.join(',')}|${offset}`
      );
      if (fail) {
        throw new Error(fail);
      }
      if (offset > 0) {
        await held;
      }
      const mine = runs.filter(
        r => r.info.experiment_id === request.experimentId
      );
      const end = offset + request.maxResults;
      return {
        runs: mine.slice(offset, end),
        next_page_token: end < mine.length ? String(end) : undefined
      };
    },
    runCounts: async () => {
      const counts: Record<string, number> = {};
      for (const r of runs) {
        counts[r.info.experiment_id] = (counts[r.info.experiment_id] ?? 0) + 1;
      }
      return counts;
    },
    run: async () => runs[0],
    history: async () => [],
    summaries: async () => new Map(),
    artifacts: async () => ({ files: [] }),
    artifactUrl: () => ''
  };
}

describe('ExperimentsModel', () => {
  it('loads the first experiment and counts its runs', async () => {
    const c = client([run('r1'), run('r2'), run('r3', 'FINISHED', '2')]);
    const model = new ExperimentsModel(c);
    await model.loadExperiments();
    await model.loadRuns();
    expect(model.experimentId).toBe('1');
    expect(model.total).toBe(2);
    expect(model.counts.get('1')).toBe(2);
    expect(model.rows.map(r => r.id)).toEqual(['r2', 'r1']);
  });

  it('applies run frames in place without loading again', async () => {
    const c = client([run('r1'), run('r2')]);
    const model = new ExperimentsModel(c);
    await model.loadExperiments();
    await model.loadRuns();
    model.applyRun(run('r1', 'FINISHED'));
    model.applyRun(run('r5'));
    model.applyRun(run('r9', 'RUNNING', '2'));
    expect(c.calls).toHaveLength(1);
    expect(model.total).toBe(3);
    // Counts come from the experiment frames, not from guesses.
    expect(model.counts.get('1')).toBe(2);
    model.applyExperiment({ experiment_id: '1', name: 'one' }, 3);
    expect(model.counts.get('1')).toBe(3);
    expect(model.rows.map(r => `${r.id}:${r.status}`)).toEqual([
      'r5:RUNNING',
      'r2:RUNNING',
      'r1:FINISHED'
    ]);
    model.applyRun({ info: { ...run('r5').info, lifecycle_stage: 'deleted' } });
    expect(model.total).toBe(2);
  });

  it('adds a new run only when it passes the quick filters and no typed filter is set', async () => {
    const model = new ExperimentsModel(client([]));
    await model.loadExperiments();
    model.statuses = ['FINISHED'];
    await model.loadRuns();
    model.applyRun(run('r1', 'RUNNING'));
    model.applyRun(run('r2', 'FINISHED'));
    expect(model.rows.map(r => r.id)).toEqual(['r2']);
    model.typedFilter = 'metrics.a > 1';
    model.applyRun(run('r3', 'FINISHED'));
    expect(model.total).toBe(1);
  });

  it('keeps the rows and shows where a malformed filter fails', async () => {
    const model = new ExperimentsModel(
      client(
        [],
        'Invalid search expression "metrics.a >": at the end (position 11): expected a value'
      )
    );
    await model.loadExperiments();
    model.typedFilter = 'metrics.a >';
    await model.loadRuns();
    expect(model.error?.position).toBe(11);
    expect(model.loading).toBe(false);
  });

  it('selects one, toggles, and selects a range in display order', async () => {
    const model = new ExperimentsModel(
      client([run('r1'), run('r2'), run('r3'), run('r4')])
    );
    await model.loadExperiments();
    await model.loadRuns();
    model.select('r4', 'only');
    model.select('r2', 'range');
    expect([...model.selection].sort()).toEqual(['r2', 'r3', 'r4']);
    model.select('r3', 'toggle');
    expect([...model.selection].sort()).toEqual(['r2', 'r4']);
    model.select('r1', 'only');
    expect([...model.selection]).toEqual(['r1']);
  });

  it('sorts by a column, then the other way', async () => {
    const model = new ExperimentsModel(client([run('r1'), run('r2')]));
    await model.loadExperiments();
    await model.loadRuns();
    model.setSort('start');
    expect(model.rows.map(r => r.id)).toEqual(['r1', 'r2']);
    model.setSort('name');
    expect(model.sort).toEqual({ column: 'name', descending: false });
  });

  it('draws the first page at once, then appends the rest', async () => {
    const many = Array.from({ length: FIRST_PAGE + NEXT_PAGE + 10 }, (_, i) =>
      run(`r${i + 1}`)
    );
    const c = client(many);
    const model = new ExperimentsModel(c);
    await model.loadExperiments();
    expect(model.counts.get('1')).toBe(many.length);
    expect(model.counts.get('2')).toBe(0);
    await model.loadRuns();
    expect(model.total).toBe(FIRST_PAGE);
    expect(model.complete).toBe(false);
    // A run logged meanwhile comes by a frame; its page later does not double it.
    model.applyRun(run(`r${many.length}`, 'FINISHED'));
    c.release();
    await model.settled;
    expect(model.complete).toBe(true);
    expect(model.total).toBe(many.length);
    expect(c.calls).toEqual([
      '1||attributes.start_time DESC|0',
      `1||attributes.start_time DESC|${FIRST_PAGE}`,
      `1||attributes.start_time DESC|${FIRST_PAGE + NEXT_PAGE}`
    ]);
  });

  it('asks the server for the order while pages are missing, sorts here once all are in', async () => {
    const many = Array.from({ length: FIRST_PAGE + 5 }, (_, i) =>
      run(`r${i + 1}`)
    );
    const c = client(many);
    const model = new ExperimentsModel(c);
    await model.loadExperiments();
    await model.loadRuns();
    model.setSort('metric:rmse');
    c.release();
    await model.settled;
    expect(c.calls.filter(x => x.endsWith('|0'))).toEqual([
      '1||attributes.start_time DESC|0',
      '1||metrics.`rmse` ASC|0'
    ]);
    const before = c.calls.length;
    model.setSort('metric:rmse');
    expect(model.sort).toEqual({ column: 'metric:rmse', descending: true });
    model.setSort('duration');
    expect(c.calls).toHaveLength(before);
    expect(model.rows).toHaveLength(many.length);
  });
});
