import {
  compareInstances,
  formatCost,
  formatDeadline,
  formatDuration,
  formatMemory,
  formatPrice,
  limitsNotice,
  nextDeadline,
  notebookName,
  serverNow,
  shutdownAllInstancesSummary,
  shutdownInstanceSummary,
  shutdownInstancesLines,
  toInstanceRow
} from '../instanceFormat';
import { instance, NOW } from './fixtures';

describe('formatDuration', () => {
  it('formats seconds, minutes, hours and days', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45.9)).toBe('45 s');
    expect(formatDuration(60)).toBe('1 min 00 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3600 + 120)).toBe('1 h 02 min');
    expect(formatDuration(2 * 86400 + 3 * 3600)).toBe('2 d 03 h');
  });

  it('reads negative and unknown durations as zero', () => {
    expect(formatDuration(-5)).toBe('0 s');
    expect(formatDuration(NaN)).toBe('0 s');
  });
});

describe('money and sizes', () => {
  it('formats costs with four decimals below ten dollars', () => {
    expect(formatCost(0)).toBe('$0.0000');
    expect(formatCost(0.001736)).toBe('$0.0017');
    expect(formatCost(12.345)).toBe('$12.35');
    expect(formatCost(-1)).toBe('$0.0000');
  });

  it('formats hourly prices without trailing zeros', () => {
    expect(formatPrice(0.05)).toBe('$0.05/h');
    expect(formatPrice(0.115)).toBe('$0.115/h');
    expect(formatPrice(0.7364)).toBe('$0.7364/h');
    expect(formatPrice(NaN)).toBe('—');
  });

  it('formats memory in GiB', () => {
    expect(formatMemory(4 * 1024 ** 3)).toBe('4 GiB');
    expect(formatMemory(512 * 1024 ** 2)).toBe('0.5 GiB');
    expect(formatMemory(0)).toBe('—');
  });

  it('names notebooks by their file name', () => {
    expect(notebookName('analysis/train.ipynb')).toBe('train.ipynb');
    expect(notebookName('train.ipynb')).toBe('train.ipynb');
    expect(notebookName(null)).toBeNull();
    expect(notebookName('')).toBeNull();
  });
});

describe('deadlines', () => {
  it('picks the nearer of the grace stop and the idle shutdown', () => {
    expect(nextDeadline(instance())).toBeNull();
    expect(
      nextDeadline(
        instance({
          stops_at: '2026-05-25T16:53:00Z',
          idle_shutdown_at: '2026-05-25T17:00:00Z'
        })
      )
    ).toEqual({ kind: 'stop', at: Date.parse('2026-05-25T16:53:00Z') });
    expect(
      nextDeadline(instance({ idle_shutdown_at: '2026-05-25T17:00:00Z' }))
    ).toEqual({ kind: 'idle', at: Date.parse('2026-05-25T17:00:00Z') });
  });

  it("estimates the server's clock from started plus uptime", () => {
    // The browser's clock is 10 minutes behind the server's.
    const received = NOW - 10 * 60 * 1000;
    const server = serverNow(instance(), received, received + 3000);
    expect(server).toBe(Date.parse('2026-05-25T16:52:07.360Z') + 3000);
  });

  it('says what happens and when', () => {
    expect(formatDeadline('stop', 45)).toBe('stops in 45 s');
    expect(formatDeadline('idle', 3540)).toBe('idle shutdown in 59 min 00 s');
    expect(formatDeadline('stop', 0)).toBe('stopping…');
    expect(formatDeadline(null, null)).toBe('—');
  });
});

describe('toInstanceRow', () => {
  it('builds the display fields from a snapshot', () => {
    const row = toInstanceRow(instance(), NOW, NOW);
    expect(row).toMatchObject({
      instanceType: 'ml.t3.medium',
      image: 'local',
      specLabel: '2 vCPU · 4 GiB',
      notebooks: ['train.ipynb'],
      uptimeSeconds: 125,
      uptimeLabel: '2 min 05 s',
      costLabel: '$0.0017',
      deadlineKind: null,
      secondsLeft: null,
      deadlineLabel: '—'
    });
  });

  it('advances uptime, cost and the countdown with the clock', () => {
    const info = instance({
      kernels: [],
      stops_at: '2026-05-25T16:53:07.360Z',
      price_per_hour: 3.6
    });
    const first = toInstanceRow(info, NOW, NOW);
    expect(first.secondsLeft).toBe(60);
    expect(first.deadlineLabel).toBe('stops in 1 min 00 s');
    expect(first.costLabel).toBe('$0.1250');
    const later = toInstanceRow(info, NOW, NOW + 15_000);
    expect(later.uptimeLabel).toBe('2 min 20 s');
    expect(later.secondsLeft).toBe(45);
    expect(later.costLabel).toBe('$0.1400');
    expect(toInstanceRow(info, NOW, NOW + 90_000).deadlineLabel).toBe(
      'stopping…'
    );
  });

  it('lists kernels with a notebook first, by path', () => {
    const row = toInstanceRow(
      instance({
        kernels: [
          { id: 'k3', path: null, execution_state: 'idle' },
          { id: 'k2', path: 'z/b.ipynb', execution_state: 'busy' },
          { id: 'k1', path: 'a.ipynb', execution_state: 'idle' }
        ]
      }),
      NOW,
      NOW
    );
    expect(row.kernels.map(k => k.id)).toEqual(['k1', 'k2', 'k3']);
    expect(row.notebooks).toEqual([
      'a.ipynb',
      'b.ipynb',
      'kernel k3 (no notebook)'
    ]);
  });

  it('sorts instances by type, then image', () => {
    const rows = [
      instance({ id: 'a', instance_type: 'ml.m5.large', image: 'local' }),
      instance({ id: 'b', instance_type: 'ml.c5.large', image: 'x' }),
      instance({ id: 'c', instance_type: 'ml.c5.large', image: 'a' })
    ].map(info => toInstanceRow(info, NOW, NOW));
    expect(rows.sort(compareInstances).map(r => r.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('shut down texts', () => {
  const busy = toInstanceRow(
    instance({
      instance_type: 'ml.m5.large',
      kernels: [
        { id: 'k1', path: 'a.ipynb', execution_state: 'idle' },
        { id: 'k2', path: 'b.ipynb', execution_state: 'idle' }
      ]
    }),
    NOW,
    NOW
  );
  const empty = toInstanceRow(instance({ kernels: [] }), NOW, NOW);

  it('names the instance and what stops with it', () => {
    expect(shutdownInstanceSummary(busy)).toBe(
      'Shutting down the ml.m5.large · local instance stops these 2 kernels; unsaved notebook state (variables) is lost:'
    );
    expect(shutdownInstanceSummary(empty)).toBe(
      'The ml.t3.medium · local instance runs no kernel. It stops now, and its billing with it.'
    );
  });

  it('lists every instance with its kernels', () => {
    expect(shutdownInstancesLines([busy, empty])).toEqual([
      'ml.m5.large · local — 2 kernels: a.ipynb, b.ipynb',
      'ml.t3.medium · local — no kernels'
    ]);
    expect(shutdownAllInstancesSummary([busy, empty])).toBe(
      'These 2 instances and their 2 kernels will be shut down:'
    );
  });
});

describe('limitsNotice', () => {
  it('says why limits are not enforced, and nothing when they are or while unknown', () => {
    expect(
      limitsNotice(
        instance({
          limits: { enforced: false, problem: 'no cgroup memory controller.' }
        })
      )
    ).toBe(
      "Limits not enforced: no cgroup memory controller. Its kernels may use all of the host's CPU and memory."
    );
    expect(
      limitsNotice(instance({ limits: { enforced: false, problem: null } }))
    ).toBe(
      "Limits not enforced. Its kernels may use all of the host's CPU and memory."
    );
    expect(
      limitsNotice(instance({ limits: { enforced: true, problem: null } }))
    ).toBeNull();
    expect(
      limitsNotice(instance({ limits: { enforced: null, problem: null } }))
    ).toBeNull();
    expect(limitsNotice(instance())).toBeNull();
  });
});
