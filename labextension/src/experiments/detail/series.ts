import { IMetric } from '../tokens';

/**
 * A metric's summary over its points, as the server keeps it and SageMaker
 * reports it: the latest point (greatest step, then timestamp, then value)
 * and min, max, count, mean and population standard deviation of the
 * points that are not NaN.
 */
export interface IMetricSummary {
  key: string;
  last: number;
  lastStep: number;
  min: number | null;
  max: number | null;
  count: number;
  avg: number | null;
  stddev: number | null;
  /** Every point, NaN included. */
  points: number;
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

/** True when `a` is later than `b` by MLflow's rule for a metric's latest value. */
function later(a: IMetric, av: number, b: IMetric, bv: number): boolean {
  const as = a.step ?? 0;
  const bs = b.step ?? 0;
  if (as !== bs) {
    return as > bs;
  }
  const at = a.timestamp ?? 0;
  const bt = b.timestamp ?? 0;
  if (at !== bt) {
    return at > bt;
  }
  // Java's Double.compare: NaN is the greatest.
  if (Number.isNaN(av)) {
    return !Number.isNaN(bv);
  }
  return !Number.isNaN(bv) && av > bv;
}

/** The summary of a metric's history (null when it has no points). */
export function summarize(
  key: string,
  history: ReadonlyArray<IMetric>
): IMetricSummary | null {
  if (history.length === 0) {
    return null;
  }
  let latest = history[0];
  let latestValue = metricValue(latest.value);
  let min: number | null = null;
  let max: number | null = null;
  let count = 0;
  let sum = 0;
  let squares = 0;
  for (const point of history) {
    const v = metricValue(point.value);
    if (point !== latest && later(point, v, latest, latestValue)) {
      latest = point;
      latestValue = v;
    }
    if (Number.isNaN(v)) {
      continue;
    }
    min = min === null ? v : Math.min(min, v);
    max = max === null ? v : Math.max(max, v);
    count++;
    sum += v;
    squares += v * v;
  }
  const avg = count ? sum / count : null;
  const stddev =
    avg === null ? null : Math.sqrt(Math.max(0, squares / count - avg * avg));
  return {
    key,
    last: latestValue,
    lastStep: latest.step ?? 0,
    min,
    max,
    count,
    avg,
    stddev: Number.isNaN(stddev) ? null : stddev,
    points: history.length
  };
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
