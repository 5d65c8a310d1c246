import {
  DEFAULT_USAGE_PERIOD,
  isUsagePeriod,
  periodRange,
  USAGE_PERIODS,
  usageEndpoint
} from '../period';

const NOW = new Date('2026-05-25T16:52:07.360Z');

describe('periodRange', () => {
  it('ends now and starts 24 hours, 7 or 30 days before', () => {
    expect(periodRange('day', NOW)).toEqual({
      from: '2026-05-24T16:52:07.360Z',
      to: '2026-05-25T16:52:07.360Z'
    });
    expect(periodRange('week', NOW).from).toBe('2026-05-18T16:52:07.360Z');
    expect(periodRange('month', NOW).from).toBe('2026-04-25T16:52:07.360Z');
  });

  it('starts this month at local midnight of its first day', () => {
    const { from, to } = periodRange('thisMonth', NOW);
    const start = new Date(from);
    expect(start.getDate()).toBe(1);
    expect(start.getMonth()).toBe(NOW.getMonth());
    expect([start.getHours(), start.getMinutes(), start.getSeconds()]).toEqual([
      0, 0, 0
    ]);
    expect(to).toBe(NOW.toISOString());
  });

  it('never gives the server an empty period', () => {
    const midnight = new Date(2026, 5, 1, 0, 0, 0, 0);
    const { from, to } = periodRange('thisMonth', midnight);
    expect(Date.parse(to) - Date.parse(from)).toBe(1000);
  });

  it('offers the four periods, the server default first shown', () => {
    expect(USAGE_PERIODS.map(p => p.label)).toEqual([
      'Last 24 hours',
      'Last 7 days',
      'Last 30 days',
      'This month'
    ]);
    expect(DEFAULT_USAGE_PERIOD).toBe('month');
    expect(isUsagePeriod('week')).toBe(true);
    expect(isUsagePeriod('year')).toBe(false);
  });
});

describe('usageEndpoint', () => {
  it('puts the range in the query, encoded', () => {
    const endpoint = usageEndpoint(periodRange('day', NOW));
    expect(endpoint).toBe(
      'usage?from=2026-05-24T16%3A52%3A07.360Z&to=2026-05-25T16%3A52%3A07.360Z'
    );
    const query = new URLSearchParams(endpoint.split('?')[1]);
    expect(query.get('from')).toBe('2026-05-24T16:52:07.360Z');
  });
});
