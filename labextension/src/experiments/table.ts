import { IRun, RunStatus, SOURCE_NAME_TAG, SOURCE_TYPE_TAG } from './tokens';

/** One run as a row of the runs table. */
export interface IRunRow {
  id: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  start: number | null;
  end: number | null;
  /** `<type>:<name>` from the `atelier.source.*` tags, or "". */
  source: string;
  sourceType: string;
  params: Record<string, string>;
  /** Each metric's latest value. */
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

/** A column of the table: a run attribute, or a param, metric or tag key. */
export interface IColumn {
  id: string;
  label: string;
  kind: 'attribute' | 'param' | 'metric' | 'tag';
  /** Numbers sort as numbers and align right. */
  numeric: boolean;
}

export const BASE_COLUMNS: ReadonlyArray<IColumn> = [
  { id: 'name', label: 'Name', kind: 'attribute', numeric: false },
  { id: 'status', label: 'Status', kind: 'attribute', numeric: false },
  { id: 'start', label: 'Start', kind: 'attribute', numeric: true },
  { id: 'duration', label: 'Duration', kind: 'attribute', numeric: true },
  { id: 'source', label: 'Source', kind: 'attribute', numeric: false }
];

/** A run of the MLflow API as a row. */
export function toRow(run: IRun): IRunRow {
  const params: Record<string, string> = {};
  const metrics: Record<string, number> = {};
  const tags: Record<string, string> = {};
  for (const p of run.data?.params ?? []) {
    params[p.key] = p.value;
  }
  for (const m of run.data?.metrics ?? []) {
    metrics[m.key] = Number(m.value);
  }
  for (const t of run.data?.tags ?? []) {
    tags[t.key] = t.value;
  }
  const type = tags[SOURCE_TYPE_TAG] ?? '';
  const name = tags[SOURCE_NAME_TAG] ?? '';
  return {
    id: run.info.run_id,
    experimentId: run.info.experiment_id,
    name: run.info.run_name || tags['mlflow.runName'] || run.info.run_id,
    status: run.info.status,
    start: run.info.start_time ?? null,
    end: run.info.end_time ?? null,
    source: type ? `${type}:${name}` : '',
    sourceType: type,
    params,
    metrics,
    tags
  };
}

/** The param, metric and tag columns the rows have, each kind sorted by key. */
export function keyColumns(rows: ReadonlyArray<IRunRow>): IColumn[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  for (const row of rows) {
    for (const k in row.params) {
      params.add(k);
    }
    for (const k in row.metrics) {
      metrics.add(k);
    }
    for (const k in row.tags) {
      tags.add(k);
    }
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return [
    ...sorted(metrics).map(k => column('metric', k)),
    ...sorted(params).map(k => column('param', k)),
    ...sorted(tags).map(k => column('tag', k))
  ];
}

export function column(kind: 'param' | 'metric' | 'tag', key: string): IColumn {
  return { id: `${kind}:${key}`, label: key, kind, numeric: kind === 'metric' };
}

/** A cell's value: a number, a string, or null when the run has none. */
export function cellValue(
  row: IRunRow,
  id: string,
  now: number
): number | string | null {
  switch (id) {
    case 'name':
      return row.name;
    case 'status':
      return row.status;
    case 'start':
      return row.start;
    case 'duration':
      if (row.start === null) {
        return null;
      }
      return (
        (row.end ?? (row.status === 'RUNNING' ? now : row.start)) - row.start
      );
    case 'source':
      return row.source || null;
  }
  const colon = id.indexOf(':');
  const kind = id.slice(0, colon);
  const key = id.slice(colon + 1);
  const bag =
    kind === 'metric' ? row.metrics : kind === 'param' ? row.params : row.tags;
  const value = bag[key];
  return value === undefined ? null : value;
}

export interface ISort {
  column: string;
  descending: boolean;
}

/**
 * The rows in `sort` order: values of one column extracted once, numbers
 * compared as numbers (params too when both parse), missing values last
 * either way, ties kept in their previous order.
 */
export function sortRows(
  rows: ReadonlyArray<IRunRow>,
  sort: ISort | null,
  now: number
): IRunRow[] {
  if (!sort) {
    return rows.slice();
  }
  const n = rows.length;
  const keys = new Array<number | string | null>(n);
  for (let i = 0; i < n; i++) {
    const v = cellValue(rows[i], sort.column, now);
    keys[i] =
      typeof v === 'string' && v !== '' && isFinite(Number(v)) ? Number(v) : v;
  }
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    order[i] = i;
  }
  const sign = sort.descending ? -1 : 1;
  order.sort((a, b) => {
    const x = keys[a];
    const y = keys[b];
    if (x === null || (typeof x === 'number' && isNaN(x))) {
      return y === null || (typeof y === 'number' && isNaN(y)) ? a - b : 1;
    }
    if (y === null || (typeof y === 'number' && isNaN(y))) {
      return -1;
    }
    let c: number;
    if (typeof x === 'number' && typeof y === 'number') {
      c = x - y;
    } else if (typeof x === 'number') {
      c = -1;
    } else if (typeof y === 'number') {
      c = 1;
    } else {
      c = x < y ? -1 : x > y ? 1 : 0;
    }
    return c === 0 ? a - b : sign * c;
  });
  return order.map(i => rows[i]);
}

/**
 * The sort as MLflow's `order_by` (the server orders the pages it sends),
 * or null for a column the server cannot order by (duration, a key with a
 * backquote).
 */
export function serverOrder(sort: ISort | null): string[] | null {
  if (!sort) {
    return [];
  }
  const dir = sort.descending ? 'DESC' : 'ASC';
  const attribute: Record<string, string> = {
    name: 'run_name',
    status: 'status',
    start: 'start_time',
    source: 'source'
  };
  if (sort.column in attribute) {
    return [`attributes.${attribute[sort.column]} ${dir}`];
  }
  const colon = sort.column.indexOf(':');
  if (colon < 0) {
    return null;
  }
  const kind = sort.column.slice(0, colon);
  const key = sort.column.slice(colon + 1);
  if (key.includes('`')) {
    // MLflow's grammar cannot quote it: sorted here, over what is loaded.
    return null;
  }
  const entity =
    kind === 'metric' ? 'metrics' : kind === 'param' ? 'params' : 'tags';
  return [`${entity}.\`${key}\` ${dir}`];
}

/** The filter the server is asked for: the typed one and the quick filters, ANDed. */
export function combinedFilter(
  typed: string,
  statuses: ReadonlyArray<string>,
  sourceTypes: ReadonlyArray<string>
): string {
  const parts: string[] = [];
  if (typed.trim()) {
    parts.push(typed.trim());
  }
  if (statuses.length === 1) {
    parts.push(`attributes.status = '${statuses[0]}'`);
  } else if (statuses.length > 1) {
    parts.push(
      `attributes.status IN (${statuses.map(s => `'${s}'`).join(', ')})`
    );
  }
  if (sourceTypes.length === 1) {
    parts.push(`tags."${SOURCE_TYPE_TAG}" = '${sourceTypes[0]}'`);
  } else if (sourceTypes.length > 1) {
    parts.push(
      `tags."${SOURCE_TYPE_TAG}" IN (${sourceTypes.map(s => `'${s}'`).join(', ')})`
    );
  }
  return parts.join(' AND ');
}

/**
 * Where the server's "Invalid search expression" message points in the
 * typed filter (it reports a position in the filter it was sent, which
 * starts with the typed text), or null.
 */
export function errorPosition(message: string, typed: string): number | null {
  const match = /position (\d+)/.exec(message);
  if (!match) {
    return null;
  }
  const offset = typed.length - typed.trimStart().length;
  const position = Number(match[1]) + offset;
  return Math.min(position, typed.length);
}

/** The value as it shows in a cell and in the CSV. */
export function formatCell(id: string, value: number | string | null): string {
  if (value === null) {
    return '';
  }
  if (id === 'start') {
    return new Date(value as number)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 19);
  }
  if (id === 'duration') {
    return formatDuration(value as number);
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? String(value)
      : value.toPrecision(6).replace(/\.?0+$/, '');
  }
  return value;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) {
    return `${s}s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m}m ${s % 60}s`;
  }
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** The table as CSV (RFC 4180): the shown columns, run id first; numbers exact. */
export function toCsv(
  rows: ReadonlyArray<IRunRow>,
  columns: ReadonlyArray<IColumn>,
  now: number
): string {
  const quote = (s: string) =>
    /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  const header = [
    'run_id',
    ...columns.map(c =>
      c.kind === 'attribute' ? c.id : c.id.replace(':', 's.')
    )
  ];
  const lines = [header.map(quote).join(',')];
  for (const row of rows) {
    const cells = [row.id];
    for (const c of columns) {
      const v = cellValue(row, c.id, now);
      cells.push(
        v === null
          ? ''
          : c.id === 'start'
            ? new Date(v as number).toISOString()
            : String(v)
      );
    }
    lines.push(cells.map(quote).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
