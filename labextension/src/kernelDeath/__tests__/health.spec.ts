import { deathCause, parseHealth, parseLastDeath } from '../health';

describe('parseHealth', () => {
  it('reads the fields of a status message or kernel model', () => {
    expect(
      parseHealth({
        reason: null,
        restart_count: 2,
        restart_limit: 5,
        last_death: {
          at: '2026-12-02T08:00:00.000000Z',
          reason: 'the kernel process was killed by signal 9 (SIGKILL)',
          signal: 9,
          exit_code: null,
          oom_killed: false,
          restarted: true
        }
      })
    ).toEqual({
      reason: null,
      restartCount: 2,
      restartLimit: 5,
      lastDeath: {
        at: '2026-12-02T08:00:00.000000Z',
        reason: 'the kernel process was killed by signal 9 (SIGKILL)',
        signal: 9,
        exitCode: null,
        oomKilled: false,
        restarted: true
      }
    });
  });

  it('is null for metadata without them (a status of the kernel itself)', () => {
    expect(parseHealth({})).toBeNull();
    expect(parseHealth(null)).toBeNull();
    expect(parseHealth(undefined)).toBeNull();
  });

  it('drops malformed values instead of showing them', () => {
    expect(
      parseHealth({
        reason: '  ',
        restart_count: -1,
        restart_limit: 'x',
        last_death: 'no'
      })
    ).toEqual({
      reason: null,
      restartCount: 0,
      restartLimit: 0,
      lastDeath: null
    });
  });
});

describe('deathCause', () => {
  it("prefers the server's words", () => {
    const death = parseLastDeath({
      reason:
        'the kernel ran out of memory (instance type ml.t3.medium allows 4096 MiB) and was killed',
      oom_killed: true,
      signal: 9
    });
    expect(deathCause(death)).toBe(
      'the kernel ran out of memory (instance type ml.t3.medium allows 4096 MiB) and was killed'
    );
  });

  it('says out of memory, the signal or the exit code when the server gave no words', () => {
    expect(deathCause(parseLastDeath({ oom_killed: true, signal: 9 }))).toBe(
      'the kernel ran out of memory and was killed'
    );
    expect(deathCause(parseLastDeath({ signal: 11 }))).toBe(
      'the kernel process was killed by signal 11'
    );
    expect(deathCause(parseLastDeath({ exit_code: 3 }))).toBe(
      'the kernel process exited with code 3'
    );
    expect(deathCause(parseLastDeath({ restarted: true }))).toBeNull();
    expect(deathCause(null)).toBeNull();
  });
});
