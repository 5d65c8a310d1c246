import { IExperimentsClient } from '../client';
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
): IExperimentsClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    experiments: async () => [
      { experiment_id: '1', name: 'one' },
      { experiment_id: '2', name: 'two' }
    ],
    runs: async (id, filter) => {
      calls.push(`${id}|${filter}`);
      if (fail) {
        throw new Error(fail);
      }
      return runs.filter(r => r.info.experiment_id === id);
    },
    run: async () => runs[0],
    history: async () => [],
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
});
