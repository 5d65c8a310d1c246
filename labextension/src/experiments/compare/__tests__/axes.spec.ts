import { IRunRow } from '../../table';
import { IMetric } from '../../tokens';
import { alignHistories, chooseCompareAxis } from '../align';
import {
  axisFor,
  axisTicks,
  fieldsOf,
  normalized,
  parallelData,
  scatterData
} from '../axes';

const row = (
  id: string,
  params: Record<string, string>,
  metrics: Record<string, number>
): IRunRow => ({
  id,
  experimentId: '1',
  name: id,
  status: 'FINISHED',
  start: 0,
  end: 0,
  source: '',
  sourceType: '',
  params,
  metrics,
  tags: {}
});

const rows = [
  row('a', { lr: '0.1', opt: 'adam' }, { loss: 0.5, acc: 0.9 }),
  row('b', { lr: '0.01', opt: 'sgd' }, { loss: 0.2 }),
  row('c', { lr: '0.001', opt: 'adam' }, { loss: 0.9, acc: 0.7 }),
  row('d', { opt: 'rmsprop' }, {})
];

describe('axisFor', () => {
  it('is numeric when every value is a number', () => {
    expect(axisFor(['0.1', '0.01', undefined, 3])).toEqual({
      kind: 'numeric',
      min: 0.01,
      max: 3
    });
  });

  it('is categorical otherwise, numbers first in order', () => {
    expect(axisFor(['b', '10', 'a', '2', 'b'])).toEqual({
      kind: 'category',
      categories: ['2', '10', 'a', 'b']
    });
  });

  it('places values from 0 to 1, a single value in the middle', () => {
    const axis = axisFor([1, 3]);
    expect(normalized(axis, 2)).toBe(0.5);
    expect(normalized(axisFor([4, 4]), 4)).toBe(0.5);
    expect(normalized(axisFor(['x', 'y', 'z']), 'z')).toBe(1);
    expect(normalized(axis, undefined)).toBeNull();
  });

  it('labels categories all and numbers in quarters', () => {
    expect(axisTicks(axisFor(['x', 'y']), String)).toEqual([
      [0, 'x'],
      [1, 'y']
    ]);
    expect(axisTicks(axisFor([0, 4]), String).map(t => t[1])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4'
    ]);
  });
});

describe('fields', () => {
  it('lists params and metrics of the rows by key', () => {
    expect(fieldsOf(rows)).toEqual({
      params: ['param:lr', 'param:opt'],
      metrics: ['metric:acc', 'metric:loss']
    });
  });
});

describe('scatterData', () => {
  it('keeps runs with both fields, x ascending', () => {
    const s = scatterData(rows, 'param:lr', 'metric:loss');
    expect(s.x).toEqual([0.001, 0.01, 0.1]);
    expect(s.y).toEqual([0.9, 0.2, 0.5]);
    expect(s.runIds).toEqual(['c', 'b', 'a']);
  });

  it('puts a text param on category positions', () => {
    const s = scatterData(rows, 'param:opt', 'metric:acc');
    expect(s.xAxis).toEqual({
      kind: 'category',
      categories: ['adam', 'rmsprop', 'sgd']
    });
    expect(s.x).toEqual([0, 0]);
  });
});

describe('parallelData', () => {
  it('places every run on every axis, missing values as null', () => {
    const p = parallelData(rows, ['param:lr', 'param:opt', 'metric:loss']);
    expect(p.axes[1]).toEqual({
      kind: 'category',
      categories: ['adam', 'rmsprop', 'sgd']
    });
    const d = p.lines.find(l => l.runId === 'd')!;
    expect(d.values).toEqual([null, 0.5, null]);
    const c = p.lines.find(l => l.runId === 'c')!;
    expect(c.values[0]).toBe(0);
    expect(c.values[2]).toBe(1);
  });
});

describe('alignHistories', () => {
  const m = (
    value: number | string,
    step: number,
    timestamp = step
  ): IMetric => ({ key: 'loss', value, step, timestamp });

  it('joins the runs on the union of their steps, gaps where a run has none', () => {
    const a = alignHistories(
      [
        { runId: 'a', history: [m(1, 0), m(2, 2)] },
        { runId: 'b', history: [m(5, 1), m(6, 2), m('NaN', 3)] }
      ],
      'step'
    );
    expect(Array.from(a.x)).toEqual([0, 1, 2, 3]);
    expect(a.ys.map(y => Array.from(y))).toEqual([
      [1, NaN, 2, NaN],
      [NaN, 5, 6, NaN]
    ]);
    expect(a.points).toBe(5);
  });

  it('keeps the latest logged value of a step', () => {
    const a = alignHistories(
      [{ runId: 'a', history: [m(1, 0, 20), m(2, 0, 10)] }],
      'step'
    );
    expect(Array.from(a.ys[0])).toEqual([1]);
  });

  it('chooses time only when no run has differing steps', () => {
    expect(
      chooseCompareAxis([{ runId: 'a', history: [m(1, 0, 1), m(1, 0, 2)] }])
    ).toBe('time');
    expect(
      chooseCompareAxis([
        { runId: 'a', history: [m(1, 0, 1), m(1, 0, 2)] },
        { runId: 'b', history: [m(1, 0), m(1, 1)] }
      ])
    ).toBe('step');
  });
});
