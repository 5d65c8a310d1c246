import { IRunRow } from '../table';

/** A compared quantity: `param:<key>` or `metric:<key>` (a metric's latest value). */
export type FieldId = string;

/** The value of a field in a row, as text (params) or a number (metrics); undefined when missing. */
export function fieldValue(
  row: IRunRow,
  field: FieldId
): string | number | undefined {
  const colon = field.indexOf(':');
  const kind = field.slice(0, colon);
  const key = field.slice(colon + 1);
  if (kind === 'metric') {
    const v = row.metrics[key];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }
  if (kind === 'param') {
    return row.params[key];
  }
  return undefined;
}

/** The label of a field: its key. */
export function fieldLabel(field: FieldId): string {
  return field.slice(field.indexOf(':') + 1);
}

/** Every param and metric field of the rows: params first, each kind by key. */
export function fieldsOf(rows: ReadonlyArray<IRunRow>): {
  params: FieldId[];
  metrics: FieldId[];
} {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const row of rows) {
    Object.keys(row.params).forEach(k => params.add(k));
    Object.keys(row.metrics).forEach(k => metrics.add(k));
  }
  const sorted = (s: Set<string>, kind: string): FieldId[] =>
    [...s].sort((a, b) => a.localeCompare(b)).map(k => `${kind}:${k}`);
  return {
    params: sorted(params, 'param'),
    metrics: sorted(metrics, 'metric')
  };
}

/** How an axis places values: by number, or by category (text params). */
export type Axis =
  | { kind: 'numeric'; min: number; max: number }
  | { kind: 'category'; categories: string[] };

/**
 * The axis of a field's values: numeric when every present value reads as
 * a finite number, else its distinct values as categories (numbers first,
 * in order, then text).
 */
export function axisFor(
  values: ReadonlyArray<string | number | undefined>
): Axis {
  const present = values.filter(
    (v): v is string | number => v !== undefined && v !== ''
  );
  const numbers = present.map(v => (typeof v === 'number' ? v : Number(v)));
  if (numbers.every(v => Number.isFinite(v))) {
    if (numbers.length === 0) {
      return { kind: 'numeric', min: 0, max: 1 };
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of numbers) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return { kind: 'numeric', min, max };
  }
  const distinct = [...new Set(present.map(String))];
  distinct.sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    const fa = Number.isFinite(na);
    const fb = Number.isFinite(nb);
    if (fa && fb) {
      return na - nb;
    }
    return fa ? -1 : fb ? 1 : a.localeCompare(b);
  });
  return { kind: 'category', categories: distinct };
}

/** A value's position on an axis: a number (categories are 0, 1, ...); null when missing. */
export function position(
  axis: Axis,
  value: string | number | undefined
): number | null {
  if (value === undefined || value === '') {
    return null;
  }
  if (axis.kind === 'category') {
    const i = axis.categories.indexOf(String(value));
    return i < 0 ? null : i;
  }
  const v = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(v) ? v : null;
}

/** A value's place on an axis from 0 (bottom) to 1 (top); a single value sits in the middle. */
export function normalized(
  axis: Axis,
  value: string | number | undefined
): number | null {
  const p = position(axis, value);
  if (p === null) {
    return null;
  }
  const [lo, hi] =
    axis.kind === 'category'
      ? [0, axis.categories.length - 1]
      : [axis.min, axis.max];
  return hi > lo ? (p - lo) / (hi - lo) : 0.5;
}

/** Points of a scatter: x ascending (uPlot's order), with the run of each. */
export interface IScatter {
  x: number[];
  y: number[];
  runIds: string[];
  xAxis: Axis;
  yAxis: Axis;
}

/** The runs that have both fields, as a scatter of `yField` against `xField`. */
export function scatterData(
  rows: ReadonlyArray<IRunRow>,
  xField: FieldId,
  yField: FieldId
): IScatter {
  const xAxis = axisFor(rows.map(r => fieldValue(r, xField)));
  const yAxis = axisFor(rows.map(r => fieldValue(r, yField)));
  const points: Array<[number, number, string]> = [];
  for (const row of rows) {
    const x = position(xAxis, fieldValue(row, xField));
    const y = position(yAxis, fieldValue(row, yField));
    if (x !== null && y !== null) {
      points.push([x, y, row.id]);
    }
  }
  points.sort((a, b) => a[0] - b[0]);
  return {
    x: points.map(p => p[0]),
    y: points.map(p => p[1]),
    runIds: points.map(p => p[2]),
    xAxis,
    yAxis
  };
}

/** Parallel coordinates: an axis per field, and each run's place on every axis (0..1 or null). */
export interface IParallel {
  fields: FieldId[];
  axes: Axis[];
  lines: Array<{ runId: string; values: Array<number | null> }>;
}

export function parallelData(
  rows: ReadonlyArray<IRunRow>,
  fields: ReadonlyArray<FieldId>
): IParallel {
  const axes = fields.map(f => axisFor(rows.map(r => fieldValue(r, f))));
  return {
    fields: [...fields],
    axes,
    lines: rows.map(row => ({
      runId: row.id,
      values: fields.map((f, i) => normalized(axes[i], fieldValue(row, f)))
    }))
  };
}

/** The labels along an axis, bottom to top, at their 0..1 places (categories all, numbers 5). */
export function axisTicks(
  axis: Axis,
  format: (v: number) => string
): Array<[number, string]> {
  if (axis.kind === 'category') {
    const n = axis.categories.length;
    return axis.categories.map((c, i) => [n > 1 ? i / (n - 1) : 0.5, c]);
  }
  if (!(axis.max > axis.min)) {
    return [[0.5, format(axis.min)]];
  }
  return [0, 0.25, 0.5, 0.75, 1].map(t => [
    t,
    format(axis.min + t * (axis.max - axis.min))
  ]);
}
