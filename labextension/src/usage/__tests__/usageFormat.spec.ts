import {
  formatHours,
  instancesKey,
  liveUsageTable,
  toUsageTable
} from '../usageFormat';

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
      pricePerHour: 0.115,
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

describe('liveUsageTable', () => {
  const answer = toUsageTable({
    from: '2026-04-25T16:52:07Z',
    to: '2026-05-25T16:52:07Z',
    total_cost: 0.05,
    usage: [
      {
        instance_type: 'ml.t3.medium',
        seconds: 3600,
        hours: 1,
        price_per_hour: 0.05,
        cost: 0.05
      }
    ]
  });

  it('adds the seconds since the answer to each running instance’s type, at its price', () => {
    const live = liveUsageTable(
      answer,
      [
        { instanceType: 'ml.t3.medium', pricePerHour: 0.05 },
        { instanceType: 'ml.m5.large', pricePerHour: 0.115 }
      ],
      1800
    );
    expect(live.rows.map(r => [r.instanceType, r.hours])).toEqual([
      ['ml.t3.medium', 1.5],
      ['ml.m5.large', 0.5]
    ]);
    expect(live.rows[0].cost).toBeCloseTo(0.075, 10);
    expect(live.rows[0].hoursLabel).toBe('1.50 h');
    expect(live.rows[1].hoursLabel).toBe('30 min');
    expect(live.rows[1].costLabel).toBe('$0.0575');
    expect(live.totalHours).toBeCloseTo(2, 10);
    expect(live.totalCost).toBeCloseTo(0.05 + 0.025 + 0.0575, 10);
  });

  it('counts two instances of a type twice', () => {
    const live = liveUsageTable(
      answer,
      [
        { instanceType: 'ml.t3.medium', pricePerHour: 0.05 },
        { instanceType: 'ml.t3.medium', pricePerHour: 0.05 }
      ],
      360
    );
    expect(live.rows[0].hours).toBeCloseTo(1.2, 10);
  });

  it('is the answer itself while nothing runs or no time passed', () => {
    expect(liveUsageTable(answer, [], 600)).toBe(answer);
    expect(
      liveUsageTable(
        answer,
        [{ instanceType: 'ml.t3.medium', pricePerHour: 0.05 }],
        0
      )
    ).toBe(answer);
  });
});
