import { InstancesModel } from '../instancesModel';
import { instance, NOW } from './fixtures';

describe('InstancesModel', () => {
  let now: number;
  let model: InstancesModel;
  let emitted: number;

  beforeEach(() => {
    now = NOW;
    model = new InstancesModel({ now: () => now });
    emitted = 0;
    model.changed.connect(() => {
      emitted++;
    });
  });

  afterEach(() => {
    model.dispose();
  });

  it('emits on the first snapshot even when empty', () => {
    expect(model.loaded).toBe(false);
    expect(model.update([])).toBe(true);
    expect(model.loaded).toBe(true);
    expect(model.update([])).toBe(false);
    expect(emitted).toBe(1);
  });

  it('replaces the list with each snapshot, sorted', () => {
    model.update([
      instance({ id: 'i2', instance_type: 'ml.t3.medium' }),
      instance({ id: 'i1', instance_type: 'ml.m5.large' })
    ]);
    expect(model.instances.map(i => i.id)).toEqual(['i1', 'i2']);
    model.update([instance({ id: 'i3' })]);
    expect(model.instances.map(i => i.id)).toEqual(['i3']);
    expect(model.get('i1')).toBeUndefined();
    expect(emitted).toBe(2);
  });

  it('keeps unchanged rows and ignores duplicates and malformed entries', () => {
    const snapshot = [instance({ id: 'i1' })];
    model.update(snapshot);
    const first = model.instances[0];
    expect(model.update([{ ...snapshot[0] }, snapshot[0], null as any])).toBe(
      false
    );
    expect(model.instances).toHaveLength(1);
    expect(model.instances[0]).toBe(first);
  });

  it('ticks uptime and cost every second between snapshots', () => {
    model.update([instance({ id: 'i1' })]);
    expect(model.instances[0].uptimeLabel).toBe('2 min 05 s');
    now += 400;
    expect(model.tick()).toBe(false);
    now += 600;
    expect(model.tick()).toBe(true);
    expect(model.instances[0].uptimeLabel).toBe('2 min 06 s');
    expect(emitted).toBe(2);
  });

  it('asks for a new snapshot once an instance is past its stop time', () => {
    model.update([
      instance({ id: 'i1', kernels: [], stops_at: '2026-05-25T16:52:10.360Z' })
    ]);
    expect(model.instances[0].deadlineLabel).toBe('stops in 3 s');
    now += 2000;
    model.tick();
    expect(model.refreshDue).toBe(false);
    now += 1000;
    model.tick();
    expect(model.instances[0].deadlineLabel).toBe('stopping…');
    expect(model.refreshDue).toBe(true);
    model.update([]);
    expect(model.refreshDue).toBe(false);
  });

  it('removes an instance at once and records errors', () => {
    model.update([instance({ id: 'i1' }), instance({ id: 'i2' })]);
    expect(model.remove('i1')).toBe(true);
    expect(model.remove('i1')).toBe(false);
    expect(model.instances.map(i => i.id)).toEqual(['i2']);
    model.setError('Atelier server unavailable');
    expect(model.error).toBe('Atelier server unavailable');
    model.setError(null);
    expect(model.error).toBeNull();
  });
});
