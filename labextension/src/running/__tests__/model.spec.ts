import { RunningModel } from '../model';
import { kernel, NOW } from './fixtures';

describe('RunningModel', () => {
  let now: number;
  let model: RunningModel;
  let emitted: number;

  beforeEach(() => {
    now = NOW;
    model = new RunningModel({ now: () => now });
    emitted = 0;
    model.changed.connect(() => {
      emitted++;
    });
  });

  afterEach(() => {
    model.dispose();
  });

  it('starts empty and not loaded', () => {
    expect(model.kernels).toEqual([]);
    expect(model.loaded).toBe(false);
    expect(model.feedStatus).toBe('connecting');
  });

  it('emits on the first snapshot even when empty', () => {
    expect(model.update([])).toBe(true);
    expect(model.loaded).toBe(true);
    expect(emitted).toBe(1);
    expect(model.update([])).toBe(false);
    expect(emitted).toBe(1);
  });

  it('adds, updates and removes kernels from full snapshots', () => {
    model.update([
      kernel({ id: 'k1', path: 'b.ipynb' }),
      kernel({ id: 'k2', path: 'a.ipynb' })
    ]);
    expect(model.kernels.map(k => k.id)).toEqual(['k2', 'k1']);

    model.update([
      kernel({ id: 'k1', path: 'b.ipynb', execution_state: 'busy' }),
      kernel({ id: 'k3', path: 'c.ipynb' })
    ]);
    expect(model.kernels.map(k => k.id)).toEqual(['k1', 'k3']);
    expect(model.get('k1')?.state).toBe('busy');
    expect(model.get('k2')).toBeUndefined();
    expect(emitted).toBe(2);
  });

  it('keeps unchanged rows and does not emit for identical snapshots', () => {
    const snapshot = [
      kernel({ id: 'k1', path: 'a.ipynb' }),
      kernel({ id: 'k2', path: 'b.ipynb' })
    ];
    model.update(snapshot);
    const [first, second] = model.kernels;
    expect(model.update(snapshot.map(k => ({ ...k })))).toBe(false);
    expect(emitted).toBe(1);

    model.update([snapshot[0], { ...snapshot[1], connections: 4 }]);
    expect(model.kernels[0]).toBe(first);
    expect(model.kernels[1]).not.toBe(second);
    expect(model.kernels[1].connections).toBe(4);
    expect(emitted).toBe(2);
  });

  it('ignores duplicate ids and malformed entries', () => {
    model.update([
      kernel({ id: 'k1', path: 'a.ipynb' }),
      kernel({ id: 'k1', path: 'z.ipynb' }),
      null as any,
      { path: 'x' } as any
    ]);
    expect(model.kernels).toHaveLength(1);
    expect(model.kernels[0].path).toBe('a.ipynb');
  });

  it('sorts by path with unknown paths last', () => {
    model.update([
      kernel({ id: 'k1', path: null }),
      kernel({ id: 'k2', path: 'z.ipynb' }),
      kernel({ id: 'k3', path: 'a.ipynb' })
    ]);
    expect(model.kernels.map(k => k.pathLabel)).toEqual([
      'a.ipynb',
      'z.ipynb',
      '—'
    ]);
  });

  it('shows the reason of a dead kernel', () => {
    model.update([
      kernel({ id: 'k1', execution_state: 'dead', reason: 'Killed (OOM)' })
    ]);
    expect(model.kernels[0].state).toBe('dead');
    expect(model.kernels[0].reason).toBe('Killed (OOM)');
  });

  it('refreshes relative times on tick, emitting only on change', () => {
    model.update([kernel({ id: 'k1' })]);
    expect(model.kernels[0].lastActivityLabel).toBe('12 s ago');
    expect(model.tick()).toBe(false);
    now += 500;
    expect(model.tick()).toBe(false);
    now += 1000;
    expect(model.tick()).toBe(true);
    expect(model.kernels[0].lastActivityLabel).toBe('13 s ago');
    now += 60 * 1000;
    model.tick();
    expect(model.kernels[0].lastActivityLabel).toBe('1 min ago');
    expect(emitted).toBe(3);
  });

  it('removes a kernel at once', () => {
    model.update([kernel({ id: 'k1' }), kernel({ id: 'k2', path: 'b' })]);
    expect(model.remove('k1')).toBe(true);
    expect(model.kernels.map(k => k.id)).toEqual(['k2']);
    expect(model.remove('k1')).toBe(false);
  });

  it('records the feed status and error', () => {
    model.setFeed('polling', 'Server down');
    expect(model.feedStatus).toBe('polling');
    expect(model.feedError).toBe('Server down');
    model.setFeed('polling', 'Server down');
    expect(emitted).toBe(1);
    model.setFeed('live');
    expect(model.feedError).toBeNull();
    expect(emitted).toBe(2);
  });

  it('stops emitting once disposed', () => {
    model.dispose();
    model.update([kernel()]);
    expect(emitted).toBe(0);
    expect(model.isDisposed).toBe(true);
  });

  it('counts down to a kernel idle shutdown on tick', () => {
    const at = new Date(NOW + 90_000).toISOString();
    model.update([kernel({ idle_shutdown_at: at })]);
    expect(model.kernels[0].idleShutdownAt).toBe(NOW + 90_000);
    expect(model.kernels[0].idleShutdownLabel).toBe('in 1 min 30 s');
    now = NOW + 30_000;
    expect(model.tick()).toBe(true);
    expect(model.kernels[0].idleShutdownLabel).toBe('in 1 min 00 s');
    now = NOW + 95_000;
    model.tick();
    expect(model.kernels[0].idleShutdownLabel).toBe('due now');
  });

  it('shows no idle shutdown for a kernel without one', () => {
    model.update([kernel({ idle_shutdown_at: null })]);
    expect(model.kernels[0].idleShutdownAt).toBeNull();
    expect(model.kernels[0].idleShutdownLabel).toBeNull();
  });
});
