import { IMetric } from '../../tokens';
import {
  chooseXAxis,
  formatNumber,
  historyData,
  metricValue,
  movedSince,
  summaryOf
} from '../series';

const p = (
  value: number | string,
  step: number,
  timestamp = 1000 + step
): IMetric => ({
  key: 'loss',
  value,
  step,
  timestamp
});

describe('metricValue', () => {
  it('reads the MLflow API non-finite values', () => {
    expect(metricValue('NaN')).toBeNaN();
    expect(metricValue('Infinity')).toBe(Infinity);
    expect(metricValue('-Infinity')).toBe(-Infinity);
    expect(metricValue(0.5)).toBe(0.5);
    expect(metricValue('2.5')).toBe(2.5);
  });
});

describe('summaryOf', () => {
  it('reads the server summary, non-finite values and missing aggregates included', () => {
    expect(
      summaryOf({
        key: 'loss',
        last: 'NaN',
        last_step: 3,
        last_timestamp: 1003,
        min: 1,
        max: 'Infinity',
        count: 2,
        avg: 2.5,
        stddev: null
      })
    ).toEqual({
      key: 'loss',
      last: NaN,
      lastStep: 3,
      lastTimestamp: 1003,
      min: 1,
      max: Infinity,
      count: 2,
      avg: 2.5,
      stddev: null
    });
  });
});

describe('movedSince', () => {
  const known = summaryOf({
    key: 'loss',
    last: 0.5,
    last_step: 2,
    last_timestamp: 1002,
    min: 0.5,
    max: 1,
    count: 3,
    avg: 0.7,
    stddev: 0.2
  });

  it('is false only for the same latest point', () => {
    expect(movedSince(known, p(0.5, 2))).toBe(false);
    expect(movedSince(known, p(0.4, 2))).toBe(true);
    expect(movedSince(known, p(0.5, 3, 1002))).toBe(true);
    expect(movedSince(known, p(0.5, 2, 1005))).toBe(true);
    expect(movedSince(null, p(0.5, 2))).toBe(true);
  });

  it('takes NaN as the same NaN', () => {
    const nan = { ...known, last: NaN };
    expect(movedSince(nan, p('NaN', 2))).toBe(false);
  });
});

describe('chooseXAxis', () => {
  it('uses steps when they differ', () => {
    expect(chooseXAxis([p(1, 0), p(2, 1)])).toBe('step');
  });

  it('uses time when every point is at one step but at different times', () => {
    expect(chooseXAxis([p(1, 0, 1000), p(2, 0, 2000)])).toBe('time');
  });

  it('uses steps for a single point or identical points', () => {
    expect(chooseXAxis([p(1, 0)])).toBe('step');
    expect(chooseXAxis([p(1, 0, 5), p(2, 0, 5)])).toBe('step');
  });
});

describe('historyData', () => {
  it('sorts by x, keeps the latest logged of one x, and makes non-finite values gaps', () => {
    const [xs, ys] = historyData(
      [p(3, 2), p(1, 0), p('Infinity', 1), p(5, 2, 5000), p(4, 2, 100)],
      'step'
    );
    expect(xs).toEqual([0, 1, 2]);
    expect(ys).toEqual([1, null, 5]);
  });

  it('puts times in seconds on the time axis', () => {
    const [xs] = historyData([p(1, 0, 2000), p(2, 0, 1000)], 'time');
    expect(xs).toEqual([1, 2]);
  });
});

describe('formatNumber', () => {
  it('shows numbers briefly and marks missing and non-finite ones', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('−∞');
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
  });
});
