import { formatHours, instancesKey, toUsageTable } from '../usageFormat';

describe('formatHours', () => {
  it('shows seconds, then minutes, then hours', () => {
    expect(formatHours(0)).toBe('0 s');
    expect(formatHours(5 / 3600)).toBe('5 s');
    expect(formatHours(59 / 3600)).toBe('59 s');
    expect(formatHours(0.2068 / 2.5)).toBe('5.0 min');
    expect(formatHours(0.2068)).toBe('12 min');
    expect(formatHours(59 / 60)).toBe('59 min');
    expect(formatHours(3.256)).toBe('3.26 h');
    expect(formatHours(1234.6)).toBe('1235 h');
  });

  it('reads negative and unknown hours as zero', () => {
    expect(formatHours(-1)).toBe('0 s');
    expect(formatHours(NaN)).toBe('0 s');
  });
});

describe('toUsageTable', () => {
  it('lists types by cost, with labels and totals', () => {
    const table = toUsageTable({
      from: '2026-04-25T16:52:07Z',
      to: '2026-05-25T16:52:07Z',
      total_cost: 0.233,
      usage: [
        {
          instance_type: 'ml.t3.medium',
          seconds: 3600,
          hours: 1,
          price_per_hour: 0.05,
          cost: 0.05
        },
        {
          instance_type: 'ml.m5.large',
          seconds: 5729,
          hours: 1.591389,
          price_per_hour: 0.115,
          cost: 0.183
        }
      ]
    });
    expect(table.rows.map(r => r.instanceType)).toEqual([
      'ml.m5.large',
      'ml.t3.medium'
    ]);
    expect(table.rows[0]).toEqual({
      instanceType: 'ml.m5.large',
      hours: 1.591389,
      hoursLabel: '1.59 h',
      priceLabel: '$0.115/h',
      cost: 0.183,
      costLabel: '$0.1830'
    });
    expect(table.totalHoursLabel).toBe('2.59 h');
    expect(table.totalCostLabel).toBe('$0.2330');
  });

  it('copes with an empty or odd answer', () => {
    const table = toUsageTable({ usage: [{}] } as any);
    expect(table.rows).toEqual([]);
    expect(table.totalCost).toBe(0);
    expect(table.totalCostLabel).toBe('$0.0000');
  });
});

describe('instancesKey', () => {
  it('changes with the set of instances, not their order', () => {
    const a = { id: 'a', state: 'running' };
    const b = { id: 'b', state: 'running' };
    expect(instancesKey([a, b])).toBe(instancesKey([b, a]));
    expect(instancesKey([a])).not.toBe(instancesKey([a, b]));
    expect(instancesKey([a])).not.toBe(
      instancesKey([{ ...a, state: 'stopping' }])
    );
  });
});
