import { IMetric } from '../../tokens';
import {
  chooseXAxis,
  formatNumber,
  historyData,
  metricValue,
  summarize
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

describe('summarize', () => {
  it('computes last, min, max, count, mean and population stddev', () => {
    const s = summarize('loss', [p(4, 0), p(2, 1), p(6, 2), p(8, 3)])!;
    expect(s.last).toBe(8);
    expect(s.lastStep).toBe(3);
    expect(s.min).toBe(2);
    expect(s.max).toBe(8);
    expect(s.count).toBe(4);
    expect(s.avg).toBe(5);
    expect(s.stddev).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('takes the latest by step, then timestamp, whatever the order', () => {
    const s = summarize('loss', [
      p(1, 5, 10),
      p(9, 2, 99),
      p(3, 5, 20),
      p(7, 5, 15)
    ])!;
    expect(s.last).toBe(3);
    expect(s.lastStep).toBe(5);
  });

  it('leaves NaN out of the aggregates but can report it as the last value', () => {
    const s = summarize('loss', [p(1, 0), p(3, 1), p('NaN', 2)])!;
    expect(s.last).toBeNaN();
    expect(s.count).toBe(2);
    expect(s.points).toBe(3);
    expect(s.avg).toBe(2);
    expect(s.min).toBe(1);
  });

  it('has no aggregates for a metric of NaN only, and nothing for no points', () => {
    const s = summarize('loss', [p('NaN', 0)])!;
    expect(s.count).toBe(0);
    expect(s.avg).toBeNull();
    expect(s.stddev).toBeNull();
    expect(s.min).toBeNull();
    expect(summarize('loss', [])).toBeNull();
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
