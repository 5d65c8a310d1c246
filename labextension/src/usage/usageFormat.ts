import { IUsageEntry, IUsageResponse } from './tokens';
import { formatCost, formatPrice } from '../running/instanceFormat';

/** A line of the usage table. */
export interface IUsageRow {
  instanceType: string;
  hours: number;
  /** "45 s", "12 min", "3.25 h". */
  hoursLabel: string;
  /** US dollars an hour. */
  pricePerHour: number;
  /** "$0.05/h". */
  priceLabel: string;
  cost: number;
  /** "$0.0006". */
  costLabel: string;
}

/** The usage table: one row per type, and the totals. */
export interface IUsageTable {
  rows: IUsageRow[];
  totalHours: number;
  totalHoursLabel: string;
  totalCost: number;
  totalCostLabel: string;
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.max(0, value)
    : 0;
}

/**
 * Instance time as people read it: seconds below a minute, minutes (one
 * decimal below ten) below an hour, then hours with two decimals up to a
 * thousand, then whole hours.
 */
export function formatHours(hours: number): string {
  const value = finite(hours);
  const seconds = value * 3600;
  if (seconds < 59.5) {
    return `${Math.round(seconds)} s`;
  }
  const minutes = seconds / 60;
  if (minutes < 9.95) {
    return `${minutes.toFixed(1)} min`;
  }
  if (minutes < 59.5) {
    return `${Math.round(minutes)} min`;
  }
  if (value < 1000) {
    return `${value.toFixed(2)} h`;
  }
  return `${Math.round(value)} h`;
}

function toUsageRow(entry: IUsageEntry): IUsageRow {
  const hours = finite(entry.hours);
  const cost = finite(entry.cost);
  return {
    instanceType: entry.instance_type,
    hours,
    hoursLabel: formatHours(hours),
    pricePerHour: finite(entry.price_per_hour),
    priceLabel: formatPrice(entry.price_per_hour),
    cost,
    costLabel: formatCost(cost)
  };
}

/** The table of a usage answer: rows by cost (highest first), then type. */
export function toUsageTable(response: IUsageResponse): IUsageTable {
  const entries = Array.isArray(response?.usage) ? response.usage : [];
  const rows = entries
    .filter(entry => entry && typeof entry.instance_type === 'string')
    .map(toUsageRow)
    .sort(
      (a, b) =>
        b.cost - a.cost ||
        a.instanceType.localeCompare(b.instanceType, undefined, {
          numeric: true
        })
    );
  const totalCost =
    typeof response?.total_cost === 'number'
      ? finite(response.total_cost)
      : rows.reduce((sum, row) => sum + row.cost, 0);
  return withTotals(rows, totalCost);
}

function withTotals(rows: IUsageRow[], totalCost: number): IUsageTable {
  const totalHours = rows.reduce((sum, row) => sum + row.hours, 0);
  return {
    rows,
    totalHours,
    totalHoursLabel: formatHours(totalHours),
    totalCost,
    totalCostLabel: formatCost(totalCost)
  };
}

/** An instance the meter counts now: its type and hourly price. */
export interface IMeteredInstance {
  instanceType: string;
  pricePerHour: number;
}

/** The instances the server's meter counts: those running (not starting or stopping). */
export function meteredInstances(
  rows: ReadonlyArray<{
    state?: string;
    instanceType: string;
    pricePerHour: number;
  }>
): IMeteredInstance[] {
  return rows
    .filter(row => row.state === 'running')
    .map(row => ({
      instanceType: row.instanceType,
      pricePerHour: row.pricePerHour
    }));
}

/**
 * The usage as of now: the server's answer counts running instances up to
 * the moment it answered; each instance still running adds the seconds since
 * (`elapsedSeconds`, by the browser's clock) to its type's time, at its
 * type's price, as the server's meter does. Types the answer lacks are added
 * after the others. The answer itself is returned while nothing runs.
 */
export function liveUsageTable(
  table: IUsageTable,
  running: ReadonlyArray<IMeteredInstance>,
  elapsedSeconds: number
): IUsageTable {
  const elapsed = finite(elapsedSeconds);
  if (running.length === 0 || elapsed === 0) {
    return table;
  }
  const added = new Map<string, { hours: number; price: number }>();
  for (const instance of running) {
    const known = added.get(instance.instanceType);
    added.set(instance.instanceType, {
      hours: (known?.hours ?? 0) + elapsed / 3600,
      price: finite(instance.pricePerHour)
    });
  }
  const grow = (row: IUsageRow, hours: number, price: number): IUsageRow => {
    const nextHours = row.hours + hours;
    const cost = row.cost + hours * price;
    return {
      ...row,
      hours: nextHours,
      hoursLabel: formatHours(nextHours),
      cost,
      costLabel: formatCost(cost)
    };
  };
  const rows = table.rows.map(row => {
    const more = added.get(row.instanceType);
    added.delete(row.instanceType);
    return more ? grow(row, more.hours, more.price) : row;
  });
  for (const [instanceType, more] of added) {
    const empty: IUsageRow = {
      instanceType,
      hours: 0,
      hoursLabel: formatHours(0),
      pricePerHour: more.price,
      priceLabel: formatPrice(more.price),
      cost: 0,
      costLabel: formatCost(0)
    };
    rows.push(grow(empty, more.hours, more.price));
  }
  const extraCost =
    rows.reduce((sum, row) => sum + row.cost, 0) -
    table.rows.reduce((sum, row) => sum + row.cost, 0);
  return withTotals(rows, table.totalCost + extraCost);
}

/** A key that changes when the set of running instances changes. */
export function instancesKey(
  rows: ReadonlyArray<{ id: string; state?: string }>
): string {
  return rows
    .map(row => `${row.id}:${row.state ?? ''}`)
    .sort()
    .join(',');
}
