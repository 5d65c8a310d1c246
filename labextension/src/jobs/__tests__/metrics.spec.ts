import {
  chartData,
  flatValueRange,
  formatFigure,
  formatMetricValue,
  latest,
  mergeSeries,
  metricNames,
  timeRange
} from '../metrics';

describe('timeRange', () => {
  it('spans the samples at different times', () => {
    expect(timeRange([100, 130, 160], 100, 160)).toEqual([100, 160]);
  });

  it('puts a minute around a lone sample, whatever uPlot proposes', () => {
    // uPlot proposes min + 86400 / 1e-3 for one time in seconds.
    expect(timeRange([1000], 1000, 1000 + 86400000)).toEqual([970, 1030]);
    expect(timeRange([1000, 1000], 1000, 1000)).toEqual([970, 1030]);
  });

  it('leaves an empty chart alone', () => {
    expect(timeRange([], null, null)).toEqual([null, null]);
  });
});

describe('mergeSeries', () => {
  it('adds new samples in time order and replaces a timestamp value', () => {
    const known = {
      loss: [
        { timestamp: 1, value: 0.9 },
        { timestamp: 3, value: 0.5 }
      ]
    };
    const merged = mergeSeries(known, {
      loss: [
        { timestamp: 2, value: 0.7 },
        { timestamp: 3, value: 0.45 }
      ],
      acc: [{ timestamp: 2, value: 0.8 }]
    });
    expect(merged.loss).toEqual([
      { timestamp: 1, value: 0.9 },
      { timestamp: 2, value: 0.7 },
      { timestamp: 3, value: 0.45 }
    ]);
    expect(merged.acc).toEqual([{ timestamp: 2, value: 0.8 }]);
    expect(known.loss.length).toBe(2);
  });

  it('keeps metrics missing from an answer, and unchanged series by identity', () => {
    const first = mergeSeries(
      {},
      { a: [{ timestamp: 1, value: 1 }], b: [{ timestamp: 1, value: 2 }] }
    );
    const second = mergeSeries(first, { a: [{ timestamp: 1, value: 1 }] });
    expect(second.b).toBe(first.b);
    expect(second.a).toBe(first.a);
  });

  it('ignores malformed samples and answers', () => {
    expect(mergeSeries({}, null)).toEqual({});
    const merged = mergeSeries(
      {},
      {
        a: [
          { timestamp: 1, value: NaN },
          { timestamp: 2, value: 3 },
          null as any
        ],
        b: 'x' as any
      }
    );
    expect(merged).toEqual({ a: [{ timestamp: 2, value: 3 }] });
  });

  it('gives names, latest values and chart columns', () => {
    const series = {
      'validation:accuracy': [{ timestamp: 2000, value: 0.91234 }],
      'train:accuracy': []
    };
    expect(metricNames(series)).toEqual([
      'train:accuracy',
      'validation:accuracy'
    ]);
    expect(latest(series['validation:accuracy'])?.value).toBe(0.91234);
    expect(latest([])).toBeNull();
    expect(formatMetricValue(0.91234)).toBe('0.9123');
    expect(formatMetricValue(undefined)).toBe('—');
    expect(chartData(series['validation:accuracy'])).toEqual([[2], [0.91234]]);
  });
});

describe('formatMetricValue', () => {
  it('keeps four significant digits with their trailing zeros', () => {
    expect(formatMetricValue(0.25)).toBe('0.2500');
    expect(formatMetricValue(1)).toBe('1.000');
    expect(formatMetricValue(0.9667)).toBe('0.9667');
    expect(formatMetricValue(0.96666)).toBe('0.9667');
    expect(formatMetricValue(0)).toBe('0.000');
    expect(formatMetricValue(-2.5)).toBe('-2.500');
    expect(formatMetricValue(123.456)).toBe('123.5');
  });

  it('writes tiny and huge values with an exponent, large ones whole', () => {
    expect(formatMetricValue(0.00001234)).toBe('1.234e-5');
    expect(formatMetricValue(12345.6)).toBe('12346');
    expect(formatMetricValue(2.5e7)).toBe('2.500e7');
  });

  it('says a dash for no value', () => {
    expect(formatMetricValue(null)).toBe('—');
    expect(formatMetricValue(NaN)).toBe('—');
    expect(formatMetricValue(Infinity)).toBe('—');
  });
});

describe('formatFigure', () => {
  it('keeps whole numbers whole', () => {
    expect(formatFigure(1)).toBe('1');
    expect(formatFigure(0)).toBe('0');
    expect(formatFigure(1500)).toBe('1500');
  });

  it('reads other values as metric values', () => {
    expect(formatFigure(0.5)).toBe('0.5000');
    expect(formatFigure(1234.56)).toBe('1235');
    expect(formatFigure(undefined)).toBe('—');
  });
});

describe('flatValueRange', () => {
  it('gives a lone value or equal values an axis of the value ±5%', () => {
    expect(flatValueRange([1])).toEqual([0.95, 1.05]);
    const [low, high] = flatValueRange([0.5, 0.5, null, 0.5]) ?? [0, 0];
    expect(low).toBeCloseTo(0.475, 10);
    expect(high).toBeCloseTo(0.525, 10);
    expect(flatValueRange([-20])).toEqual([-21, -19]);
  });

  it('puts ±1 around a flat zero', () => {
    expect(flatValueRange([0, 0])).toEqual([-1, 1]);
  });

  it('leaves series that vary, and empty ones, to their own range', () => {
    expect(flatValueRange([0.5, 0.25])).toBeNull();
    expect(flatValueRange([])).toBeNull();
    expect(flatValueRange([null, undefined])).toBeNull();
  });
});
