import { IMetricSample } from './tokens';

/** The samples of every metric, each sorted by time. */
export type MetricSeries = Record<string, IMetricSample[]>;

/**
 * Merge an answer of `/metrics` into the known series: samples are keyed by
 * timestamp (a new value for a timestamp replaces the old), sorted by time;
 * metrics missing from the answer are kept.
 */
export function mergeSeries(
  known: MetricSeries,
  incoming: Record<string, IMetricSample[]> | null | undefined
): MetricSeries {
  const merged: MetricSeries = { ...known };
  for (const [name, samples] of Object.entries(incoming ?? {})) {
    if (!Array.isArray(samples)) {
      continue;
    }
    const byTime = new Map<number, number>();
    for (const s of merged[name] ?? []) {
      byTime.set(s.timestamp, s.value);
    }
    for (const s of samples) {
      if (
        s &&
        Number.isFinite(s.timestamp) &&
        typeof s.value === 'number' &&
        !Number.isNaN(s.value)
      ) {
        byTime.set(s.timestamp, s.value);
      }
    }
    const next = [...byTime.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([timestamp, value]) => ({ timestamp, value }));
    // Unchanged series keep their identity, so their charts do not redraw.
    merged[name] = sameSamples(merged[name], next) ? merged[name] : next;
  }
  return merged;
}

/** Metric names in display order (alphabetical). */
export function metricNames(series: MetricSeries): string[] {
  return Object.keys(series).sort((a, b) => a.localeCompare(b));
}

/** The last sample of a series, or null. */
export function latest(
  samples: ReadonlyArray<IMetricSample>
): IMetricSample | null {
  return samples.length ? samples[samples.length - 1] : null;
}

/**
 * A value for a chart's header: four significant digits with trailing zeros
 * kept, so that the values of one chart share a precision (`0.2500`, `0.9667`,
 * `1.000`). Tiny values read in exponent form (`1.234e-5`), large ones as
 * whole numbers up to a million.
 */
export function formatMetricValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  const size = Math.abs(value);
  if (value !== 0 && (size < 1e-3 || size >= 1e6)) {
    return value.toExponential(3).replace('e+', 'e');
  }
  if (size >= 1e4) {
    return String(Math.round(value));
  }
  return value.toPrecision(4);
}

/**
 * A figure that counts (invocations, errors) stays a whole number (`1`, not
 * `1.000`); any other value reads as {@link formatMetricValue}.
 */
export function formatFigure(value: number | null | undefined): string {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    Math.abs(value) < 1e15
  ) {
    return String(value);
  }
  return formatMetricValue(value);
}

/** Share of the value given on each side of a flat series' y axis. */
export const FLAT_SERIES_MARGIN = 0.05;

/**
 * The y axis of a flat series (a single point, or all values equal): the
 * value ±5% (±1 around 0), where uPlot alone would draw 0 to 2 for an
 * accuracy of 1 and leave the chart mostly empty. Null for a series that
 * varies: its own range applies.
 */
export function flatValueRange(
  values: ReadonlyArray<number | null | undefined>
): [number, number] | null {
  const known = values.filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v)
  );
  if (known.length === 0) {
    return null;
  }
  const first = known[0];
  if (known.some(v => v !== first)) {
    return null;
  }
  const margin = first === 0 ? 1 : Math.abs(first) * FLAT_SERIES_MARGIN;
  return [first - margin, first + margin];
}

/** Seconds shown on each side of a lone sample (or samples at one time). */
export const LONE_SAMPLE_SPAN = 30;

/**
 * The time axis range of a chart (uPlot's x scale range, in seconds) from
 * the samples' times: their own span, or a minute around them when they all
 * share one time. uPlot alone widens a single time to `min + 86400 / ms`
 * (86,400,000 s, years, with times in seconds), so the times are read here
 * rather than the range it proposes.
 */
export function timeRange(
  times: ReadonlyArray<number | null | undefined>,
  min: number | null,
  max: number | null
): [number | null, number | null] {
  const known = times.filter(
    (t): t is number => typeof t === 'number' && Number.isFinite(t)
  );
  if (known.length === 0) {
    return [min, max];
  }
  const first = Math.min(...known);
  const last = Math.max(...known);
  if (last - first < 1e-6) {
    return [first - LONE_SAMPLE_SPAN, last + LONE_SAMPLE_SPAN];
  }
  return [first, last];
}

/** uPlot's columns: x in seconds (uPlot's time scale), then y. */
export function chartData(
  samples: ReadonlyArray<IMetricSample>
): [number[], number[]] {
  return [samples.map(s => s.timestamp / 1000), samples.map(s => s.value)];
}

/** True when two series hold the same samples (no redraw needed). */
export function sameSamples(
  a: ReadonlyArray<IMetricSample> | undefined,
  b: ReadonlyArray<IMetricSample> | undefined
): boolean {
  if (a === b) {
    return true;
  }
  if (!a || !b || a.length !== b.length) {
    return false;
  }
  return a.every(
    (s, i) => s.timestamp === b[i].timestamp && s.value === b[i].value
  );
}
