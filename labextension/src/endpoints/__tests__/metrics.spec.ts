import {
  ENDPOINT_CHARTS,
  chartSeries,
  latestFigure,
  metricVariants,
  minuteSeconds,
  totals
} from '../metrics';
import { IEndpointMetrics } from '../tokens';

const spec = (field: string) => ENDPOINT_CHARTS.find(c => c.field === field)!;

const METRICS: IEndpointMetrics = {
  Period: 60,
  Variants: {
    blue: [
      {
        Timestamp: '2026-12-03T10:00:00Z',
        Invocations: 4,
        Invocation4XXErrors: 1,
        Invocation5XXErrors: 0,
        ModelLatency: 2000,
        OverheadLatency: 500
      },
      {
        Timestamp: '2026-12-03T10:01:00Z',
        Invocations: 2,
        ModelLatency: 4000
      }
    ],
    AllTraffic: [
      {
        Timestamp: Date.parse('2026-12-03T10:01:00Z'),
        Invocations: 6,
        ModelLatency: 1000
      }
    ]
  }
};

const T0 = Date.parse('2026-12-03T10:00:00Z') / 1000;

describe('endpoint metrics', () => {
  it('reads ISO and epoch millisecond timestamps as epoch seconds', () => {
    expect(minuteSeconds('2026-12-03T10:00:00Z')).toBe(T0);
    expect(minuteSeconds(T0 * 1000)).toBe(T0);
    expect(minuteSeconds('nope')).toBeNull();
  });

  it('charts every variant over the union of their minutes', () => {
    expect(metricVariants(METRICS)).toEqual(['AllTraffic', 'blue']);
    expect(chartSeries(METRICS, spec('Invocations'))).toEqual([
      [T0, T0 + 60],
      [null, 6],
      [4, 2]
    ]);
  });

  it('shows latencies in milliseconds, and a variant without minutes as gaps', () => {
    expect(
      chartSeries(METRICS, spec('ModelLatency'), ['blue', 'green'])
    ).toEqual([
      [T0, T0 + 60],
      [2, 4],
      [null, null]
    ]);
    expect(chartSeries(null, spec('Invocations'), ['a'])).toEqual([[], []]);
    // A minute without the field keeps its place: every chart spans the same minutes.
    expect(chartSeries(METRICS, spec('OverheadLatency'))).toEqual([
      [T0, T0 + 60],
      [null, null],
      [0.5, null]
    ]);
  });

  it('sums counts and averages latencies of the newest minute', () => {
    const counts = chartSeries(METRICS, spec('Invocations'));
    expect(latestFigure(counts, 'sum')).toBe(8);
    const latency = chartSeries(METRICS, spec('ModelLatency'));
    expect(latestFigure(latency, 'mean')).toBe(2.5);
    expect(latestFigure([[]], 'sum')).toBeNull();
  });

  it('totals a counter per variant', () => {
    expect(totals(METRICS, 'Invocations')).toEqual({ AllTraffic: 6, blue: 6 });
  });
});
