import { IUsageEntry, IUsageResponse } from './tokens';
import { formatCost, formatPrice } from '../running/instanceFormat';

/** A line of the usage table. */
export interface IUsageRow {
  instanceType: string;
  hours: number;
  /** "45 s", "12 min", "3.25 h". */
  hoursLabel: string;
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
  const totalHours = rows.reduce((sum, row) => sum + row.hours, 0);
  const totalCost =
    typeof response?.total_cost === 'number'
      ? finite(response.total_cost)
      : rows.reduce((sum, row) => sum + row.cost, 0);
  return {
    rows,
    totalHours,
    totalHoursLabel: formatHours(totalHours),
    totalCost,
    totalCostLabel: formatCost(totalCost)
  };
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
