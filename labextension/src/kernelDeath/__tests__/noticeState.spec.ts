import { IKernelHealth } from '../health';
import { NoticeState } from '../noticeState';

const K = 'k-1';

function health(reason: string | null, count = 1): IKernelHealth {
  return {
    reason,
    restartCount: count,
    restartLimit: 5,
    lastDeath: {
      at: null,
      reason: 'the kernel process was killed by signal 9 (SIGKILL)',
      signal: 9,
      exitCode: null,
      oomKilled: false,
      restarted: reason === null
    }
  };
}

describe('NoticeState', () => {
  it('shows "restarted" with the cause on an automatic restart, then updates it on the next one', () => {
    const state = new NoticeState();
    expect(state.status(K, 'idle', false)).toEqual({ type: 'none' });
    // The status message's metadata arrives before JupyterLab's status change.
    expect(state.health(K, health(null, 1))).toEqual({ type: 'none' });
    expect(state.status(K, 'restarting', false)).toEqual({ type: 'none' });
    expect(state.status(K, 'autorestarting', false)).toEqual({
      type: 'show',
      notice: { kind: 'restarted', kernelId: K, health: health(null, 1) }
    });
    expect(state.status(K, 'idle', false)).toEqual({ type: 'none' });
    expect(state.health(K, health(null, 2))).toEqual({
      type: 'update',
      notice: { kind: 'restarted', kernelId: K, health: health(null, 2) }
    });
    expect(state.status(K, 'autorestarting', false)).toEqual({ type: 'none' });
  });

  it('says nothing about a restart the user asked for', () => {
    const state = new NoticeState();
    state.status(K, 'idle', false);
    expect(state.status(K, 'restarting', true)).toEqual({ type: 'none' });
    expect(state.status(K, 'autorestarting', true)).toEqual({ type: 'none' });
    expect(state.notice).toBeNull();
  });

  it('shows "dead" until the kernel answers again', () => {
    const state = new NoticeState();
    state.status(K, 'idle', false);
    state.health(K, health('left dead'));
    expect(state.status(K, 'dead', false)).toEqual({
      type: 'show',
      notice: { kind: 'dead', kernelId: K, health: health('left dead') }
    });
    // The new connection to the dead kernel: nothing answers yet.
    expect(state.status(K, 'unknown', false)).toEqual({ type: 'none' });
    expect(state.status(K, 'dead', false)).toEqual({ type: 'none' });
    expect(state.status(K, 'restarting', true)).toEqual({ type: 'none' });
    expect(state.status(K, 'idle', true)).toEqual({ type: 'dismiss' });
    expect(state.notice).toBeNull();
  });

  it('shows "dead" from Atelier\'s model when JupyterLab does not see the kernel answer', () => {
    const state = new NoticeState();
    state.status(K, 'unknown', false);
    expect(
      state.model(K, 'dead', health('its instance was stopped', 0))
    ).toEqual({
      type: 'show',
      notice: {
        kind: 'dead',
        kernelId: K,
        health: health('its instance was stopped', 0)
      }
    });
    expect(
      state.model(K, 'dead', health('its instance was stopped', 0))
    ).toEqual({ type: 'none' });
  });

  it('ignores a model that lags behind a kernel JupyterLab sees answering', () => {
    const state = new NoticeState();
    state.status(K, 'idle', false);
    expect(state.model(K, 'dead', health('gone'))).toEqual({ type: 'none' });
    expect(state.model('other', 'dead', health('gone'))).toEqual({
      type: 'none'
    });
  });

  it('keeps the reason of the status message when the model has none', () => {
    const state = new NoticeState();
    state.status(K, 'busy', false);
    state.health(K, health('its instance was stopped', 0));
    state.status(K, 'dead', false);
    expect(
      state.model(K, 'dead', {
        reason: null,
        restartCount: 0,
        restartLimit: 5,
        lastDeath: null
      })
    ).toEqual({
      type: 'none'
    });
    expect(state.notice?.health?.reason).toBe('its instance was stopped');
  });

  it('dismisses the notice when the notebook gets another kernel, not when it reconnects to the same one', () => {
    const state = new NoticeState();
    state.status(K, 'dead', false);
    expect(state.kernelChanged(null)).toEqual({ type: 'none' });
    expect(state.kernelChanged(K)).toEqual({ type: 'none' });
    expect(state.kernelChanged('k-2')).toEqual({ type: 'dismiss' });
    expect(state.notice).toBeNull();
  });

  it('forgets a notice the user closed, and shows the next death again', () => {
    const state = new NoticeState();
    state.status(K, 'dead', false);
    state.dismissed();
    expect(state.notice).toBeNull();
    state.status(K, 'idle', false);
    expect(state.status(K, 'dead', false).type).toBe('show');
  });
});
