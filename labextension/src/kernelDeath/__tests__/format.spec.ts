import {
  noticeDetails,
  noticeMessage,
  noticeTitle,
  TOAST_MAX_LENGTH
} from '../format';
import { IKernelHealth } from '../health';

const killed: IKernelHealth = {
  reason: null,
  restartCount: 1,
  restartLimit: 5,
  lastDeath: {
    at: '2026-12-02T08:00:00.000000Z',
    reason: 'the kernel process was killed by signal 9 (SIGKILL)',
    signal: 9,
    exitCode: null,
    oomKilled: false,
    restarted: true
  }
};

const stopped: IKernelHealth = {
  reason: 'its instance ml.m5.large · local was stopped',
  restartCount: 0,
  restartLimit: 5,
  lastDeath: null
};

describe('notice texts', () => {
  it('says a restarted kernel died, why, and that its variables are gone', () => {
    expect(noticeMessage('restarted', 'work/train.ipynb', killed)).toBe(
      'The kernel of train.ipynb died and was restarted: the kernel process was killed by signal 9 (SIGKILL).'
    );
    expect(noticeDetails('restarted', 'work/train.ipynb', killed)).toBe(
      'The kernel of work/train.ipynb died and was restarted automatically (automatic restart 1 of 5 in a row): ' +
        'the kernel process was killed by signal 9 (SIGKILL). Its variables are lost: run the cells you need again.'
    );
    expect(noticeTitle('restarted')).toBe('Kernel Restarted');
  });

  it('says a dead kernel is dead, why, and to restart it', () => {
    expect(noticeMessage('dead', 'train.ipynb', stopped)).toBe(
      'The kernel of train.ipynb is dead: its instance ml.m5.large · local was stopped.'
    );
    expect(noticeDetails('dead', 'train.ipynb', stopped)).toContain(
      'Restart the kernel (Kernel > Restart Kernel) to go on'
    );
    expect(noticeTitle('dead')).toBe('Kernel Dead');
  });

  it('ends the sentence once whatever the reason ends with', () => {
    const health = {
      ...stopped,
      reason: 'it was restarted 5 times in a row and died each time; '
    };
    expect(noticeMessage('dead', 'a.ipynb', health)).toBe(
      'The kernel of a.ipynb is dead: it was restarted 5 times in a row and died each time.'
    );
  });

  it('says the server gave no reason when it did not', () => {
    expect(noticeMessage('dead', 'a.ipynb', null)).toBe(
      'The kernel of a.ipynb is dead: the server did not say why.'
    );
    expect(noticeDetails('restarted', 'a.ipynb', null)).toContain(
      'restarted automatically: the server did not say why.'
    );
  });

  it("names a dead kernel's last death when its reason is not set", () => {
    expect(
      noticeMessage('dead', 'a.ipynb', { ...killed, restartCount: 0 })
    ).toBe(
      'The kernel of a.ipynb is dead: the kernel process was killed by signal 9 (SIGKILL).'
    );
  });
  it('keeps an out-of-memory cause with its limit whole within what a toast shows', () => {
    const oom: IKernelHealth = {
      reason: null,
      restartCount: 1,
      restartLimit: 5,
      lastDeath: {
        at: '2026-12-02T13:57:00Z',
        reason:
          'the kernel ran out of memory (instance type ml.t3.medium allows 4096 MiB) and was killed',
        signal: 9,
        exitCode: null,
        oomKilled: true,
        restarted: true
      }
    };
    const short = noticeMessage('restarted', 'oom.ipynb', oom);
    expect(short).toBe(
      'The kernel of oom.ipynb died and was restarted: the kernel ran out of memory (instance type ml.t3.medium allows 4096 MiB) and was killed.'
    );
    const long = noticeMessage(
      'restarted',
      'work/out-of-memory-1796219857892.ipynb',
      oom
    );
    expect(long.length).toBeLessThanOrEqual(TOAST_MAX_LENGTH);
    expect(long).toMatch(/^out-of-memory-.*…: kernel restarted, /);
    expect(long).toContain(
      '(instance type ml.t3.medium allows 4096 MiB) and was killed.'
    );
  });
});
