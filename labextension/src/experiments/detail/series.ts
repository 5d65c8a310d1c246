import { IMetric, IMetricSummaryJson } from '../tokens';

/**
 * A metric's summary as the server computes it and SageMaker reports it:
 * the latest point (greatest step, then timestamp, then value) and min,
 * max, count, mean and population standard deviation of the points that are
 * not NaN (null when there are none).
 */
export interface IMetricSummary {
  key: string;
  last: number;
  lastStep: number;
  lastTimestamp: number;
  min: number | null;
  max: number | null;
  count: number;
  avg: number | null;
  stddev: number | null;
}

/** A metric value as the MLflow API sends it: a number, or "NaN", "Infinity", "-Infinity". */
export function metricValue(value: number | string | null | undefined): number {
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'Infinity' || value === 'inf') {
    return Infinity;
  }
  if (value === '-Infinity' || value === '-inf') {
    return -Infinity;
  }
  if (value === null || value === undefined || value === '') {
    return NaN;
  }
  return Number(value);
}

const optional = (v: number | string | null | undefined): number | null =>
  v === null || v === undefined ? null : metricValue(v);

/** A summary as the server sent it. */
export function summaryOf(json: IMetricSummaryJson): IMetricSummary {
  return {
    key: json.key,
    last: metricValue(json.last),
    lastStep: json.last_step ?? 0,
    lastTimestamp: json.last_timestamp ?? 0,
    min: optional(json.min),
    max: optional(json.max),
    count: json.count ?? 0,
    avg: optional(json.avg),
    stddev: optional(json.stddev)
  };
}

/** True when the run's latest value of a metric is no longer the one `known` has. */
export function movedSince(
  known: IMetricSummary | null | undefined,
  latest: IMetric
): boolean {
  return (
    !known ||
    known.lastStep !== (latest.step ?? 0) ||
    known.lastTimestamp !== (latest.timestamp ?? 0) ||
    !Object.is(known.last, metricValue(latest.value))
  );
}

/** What a metric chart's x axis shows. */
export type XAxis = 'step' | 'time';

/**
 * The x axis of a metric's chart: its steps when they tell the points
 * apart, else the time (a metric logged without steps has them all at 0).
 */
export function chooseXAxis(history: ReadonlyArray<IMetric>): XAxis {
  if (history.length < 2) {
    return 'step';
  }
  const steps = new Set<number>();
  const times = new Set<number>();
  for (const p of history) {
    steps.add(p.step ?? 0);
    times.add(p.timestamp ?? 0);
    if (steps.size > 1) {
      return 'step';
    }
  }
  return times.size > 1 ? 'time' : 'step';
}

/** The x of a point on an axis: its step, or its time in seconds (uPlot's time scale). */
export function xOf(point: IMetric, axis: XAxis): number {
  return axis === 'step' ? (point.step ?? 0) : (point.timestamp ?? 0) / 1000;
}

/**
 * uPlot's columns of one metric: x ascending, and y, where a value a
 * canvas cannot place (NaN, an infinity) is a gap. Of several points at one
 * x the latest logged one is kept.
 */
export function historyData(
  history: ReadonlyArray<IMetric>,
  axis: XAxis
): [number[], (number | null)[]] {
  const sorted = [...history].sort(
    (a, b) =>
      xOf(a, axis) - xOf(b, axis) || (a.timestamp ?? 0) - (b.timestamp ?? 0)
  );
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  for (const p of sorted) {
    const x = xOf(p, axis);
    const v = metricValue(p.value);
    const y = Number.isFinite(v) ? v : null;
    if (xs.length && xs[xs.length - 1] === x) {
      ys[ys.length - 1] = y;
    } else {
      xs.push(x);
      ys.push(y);
    }
  }
  return [xs, ys];
}

/** A number for a table cell: up to 6 significant digits; "—" for none. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '∞' : '−∞';
  }
  if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e9)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(6)));
}
