import {
  compareRows,
  formatRelativeTime,
  normalizeState,
  parseTimestamp,
  restartsLabel,
  shutdownAllLines,
  shutdownAllSummary,
  shutdownOneText,
  toRow
} from '../format';
import { kernel, NOW } from './fixtures';

describe('parseTimestamp', () => {
  it('accepts microsecond ISO-8601 UTC timestamps', () => {
    expect(parseTimestamp('2026-05-25T16:51:55.360609Z')).toBe(
      Date.UTC(2026, 4, 25, 16, 51, 55, 360)
    );
  });

  it('returns null for missing or invalid values', () => {
    expect(parseTimestamp(null)).toBeNull();
    expect(parseTimestamp('')).toBeNull();
    expect(parseTimestamp('yesterday')).toBeNull();
  });
});

describe('formatRelativeTime', () => {
  const at = (seconds: number) =>
    formatRelativeTime(new Date(NOW - seconds * 1000).toISOString(), NOW);

  it('formats seconds, minutes, hours and days', () => {
    expect(at(0)).toBe('just now');
    expect(at(12)).toBe('12 s ago');
    expect(at(59)).toBe('59 s ago');
    expect(at(60)).toBe('1 min ago');
    expect(at(3599)).toBe('59 min ago');
    expect(at(2 * 3600)).toBe('2 h ago');
    expect(at(3 * 86400 + 5)).toBe('3 d ago');
  });

  it('reads the server format', () => {
    expect(formatRelativeTime('2026-05-25T16:51:55.360609Z', NOW)).toBe(
      '12 s ago'
    );
  });

  it('treats future timestamps (clock skew) as just now', () => {
    expect(at(-30)).toBe('just now');
  });

  it('shows a dash when unknown', () => {
    expect(formatRelativeTime(null, NOW)).toBe('—');
    expect(formatRelativeTime('garbage', NOW)).toBe('—');
  });
});

describe('normalizeState', () => {
  it('keeps the known states', () => {
    for (const state of ['idle', 'busy', 'starting', 'restarting', 'dead']) {
      expect(normalizeState(state)).toBe(state);
    }
  });

  it('maps other values', () => {
    expect(normalizeState('BUSY')).toBe('busy');
    expect(normalizeState('autorestarting')).toBe('restarting');
    expect(normalizeState('connected')).toBe('unknown');
    expect(normalizeState(null)).toBe('unknown');
  });
});

describe('toRow', () => {
  it('computes the display fields', () => {
    const row = toRow(kernel({ connections: 3 }), NOW);
    expect(row).toMatchObject({
      pathLabel: 'analysis/train.ipynb',
      label: 'analysis/train.ipynb',
      displayName: 'Python 3 (ipykernel)',
      state: 'idle',
      lastActivityLabel: '12 s ago',
      connections: 3,
      reason: null
    });
  });

  it('labels kernels without a notebook by name and short id', () => {
    const row = toRow(kernel({ path: null }), NOW);
    expect(row.pathLabel).toBe('—');
    expect(row.label).toBe('Python 3 (ipykernel) 5f4a0d8e');
  });

  it('keeps the reason of a dead kernel only', () => {
    const dead = toRow(
      kernel({ execution_state: 'dead', reason: 'Out of memory' }),
      NOW
    );
    expect(dead.state).toBe('dead');
    expect(dead.reason).toBe('Out of memory');
    const idle = toRow(kernel({ reason: 'stale reason' }), NOW);
    expect(idle.reason).toBeNull();
  });
});

describe('restarts', () => {
  const killed = {
    at: '2026-05-25T16:51:00.000000Z',
    reason: 'the kernel process was killed by signal 9 (SIGKILL)',
    signal: 9,
    exit_code: null,
    oom_killed: false,
    restarted: true
  };

  it('reads the restart count and the last death of the kernel model', () => {
    const row = toRow(
      kernel({ restart_count: 2, restart_limit: 5, last_death: killed }),
      NOW
    );
    expect(row).toMatchObject({
      restartCount: 2,
      restartLimit: 5,
      lastDeathReason: 'the kernel process was killed by signal 9 (SIGKILL)',
      lastDeathAt: '2026-05-25T16:51:00.000000Z',
      lastDeathRestarted: true
    });
    expect(restartsLabel(row)).toBe(
      'restarted 2 times in a row: the kernel process was killed by signal 9 (SIGKILL)'
    );
  });

  it('says once for a single restart, and names the exit code when the server gave no words', () => {
    const row = toRow(
      kernel({
        restart_count: 1,
        last_death: { exit_code: 3, restarted: true }
      }),
      NOW
    );
    expect(restartsLabel(row)).toBe(
      'restarted once: the kernel process exited with code 3'
    );
  });

  it('says nothing for a kernel never restarted, or dead (its reason says it)', () => {
    expect(restartsLabel(toRow(kernel(), NOW))).toBeNull();
    const dead = toRow(
      kernel({
        execution_state: 'dead',
        reason: 'its instance was stopped',
        restart_count: 0,
        last_death: { ...killed, restarted: false }
      }),
      NOW
    );
    expect(dead.reason).toBe('its instance was stopped');
    expect(restartsLabel(dead)).toBeNull();
  });

  it('is not fooled by malformed fields', () => {
    const row = toRow(
      kernel({ restart_count: -3, restart_limit: NaN, last_death: null }),
      NOW
    );
    expect(row).toMatchObject({
      restartCount: 0,
      restartLimit: 0,
      lastDeathReason: null,
      lastDeathRestarted: false
    });
  });
});

describe('compareRows', () => {
  it('sorts by path, unknown paths last, numbers naturally', () => {
    const rows = [
      kernel({ id: 'a', path: null, display_name: 'R' }),
      kernel({ id: 'b', path: 'nb10.ipynb' }),
      kernel({ id: 'c', path: 'nb2.ipynb' }),
      kernel({ id: 'd', path: null, display_name: 'Julia' }),
      kernel({ id: 'e', path: 'Alpha.ipynb' })
    ].map(k => toRow(k, NOW));
    expect(rows.sort(compareRows).map(r => r.id)).toEqual([
      'e',
      'c',
      'b',
      'd',
      'a'
    ]);
  });
});

describe('confirmation texts', () => {
  it('lists every kernel that "Shut down all" stops', () => {
    const rows = [
      toRow(kernel({ id: '1', path: 'a.ipynb' }), NOW),
      toRow(kernel({ id: '2', path: null, display_name: 'R', name: 'ir' }), NOW)
    ];
    expect(shutdownAllLines(rows)).toEqual([
      'a.ipynb — Python 3 (ipykernel)',
      'R (no notebook, id 2)'
    ]);
    expect(shutdownAllSummary(2)).toBe('These 2 kernels will be shut down:');
    expect(shutdownAllSummary(1)).toBe('This kernel will be shut down:');
  });

  it('names the notebook when shutting one kernel down', () => {
    expect(shutdownOneText(toRow(kernel(), NOW))).toBe(
      'Shut down the Python 3 (ipykernel) kernel of analysis/train.ipynb?'
    );
    const orphan = toRow(kernel({ path: null, id: 'abc' }), NOW);
    expect(shutdownOneText(orphan)).toContain('abc');
    expect(shutdownOneText(orphan)).toContain('no known notebook');
  });
});
