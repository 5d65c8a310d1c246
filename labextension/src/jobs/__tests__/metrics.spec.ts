import {
  chartData,
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
    expect(formatMetricValue(0.00001234)).toBe('1.23e-5');
    expect(formatMetricValue(undefined)).toBe('—');
    expect(chartData(series['validation:accuracy'])).toEqual([[2], [0.91234]]);
  });
});
