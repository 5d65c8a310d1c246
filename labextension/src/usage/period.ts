/** The periods the usage view offers. */
export type UsagePeriod = 'day' | 'week' | 'month' | 'thisMonth';

/** The periods in picker order, with their labels. */
export const USAGE_PERIODS: ReadonlyArray<{
  value: UsagePeriod;
  label: string;
}> = [
  { value: 'day', label: 'Last 24 hours' },
  { value: 'week', label: 'Last 7 days' },
  { value: 'month', label: 'Last 30 days' },
  { value: 'thisMonth', label: 'This month' }
];

/** The server's own default period, so the first view matches it. */
export const DEFAULT_USAGE_PERIOD: UsagePeriod = 'month';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/** A period as the usage API takes it: ISO 8601 UTC instants. */
export interface IUsageRange {
  from: string;
  to: string;
}

/** True for a value of `UsagePeriod`. */
export function isUsagePeriod(value: unknown): value is UsagePeriod {
  return USAGE_PERIODS.some(period => period.value === value);
}

/**
 * The instants a period covers, ending `now`. "This month" starts at
 * midnight of the first day of the month in the browser's time zone, as a
 * user reads "this month"; at that very instant it spans one second, since
 * the server refuses an empty period.
 */
export function periodRange(period: UsagePeriod, now: Date): IUsageRange {
  const to = now.getTime();
  let from: number;
  switch (period) {
    case 'day':
      from = to - DAY;
      break;
    case 'week':
      from = to - 7 * DAY;
      break;
    case 'month':
      from = to - 30 * DAY;
      break;
    case 'thisMonth':
      from = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
      break;
  }
  from = Math.min(from, to - 1000);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString()
  };
}

/** The endpoint of `GET atelier/api/usage` for a range. */
export function usageEndpoint(range: IUsageRange): string {
  const query = new URLSearchParams({ from: range.from, to: range.to });
  return `usage?${query.toString()}`;
}
