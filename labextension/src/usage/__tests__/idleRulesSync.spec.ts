import { Signal } from '@lumino/signaling';

import { IIdlePolicy } from '../tokens';
import { IdleRulesSync } from '../idleRulesSync';
import { IdleBody, readIdleRules, withIdleRule } from '../idleSettings';

/** Settings as JupyterLab's behave: `set` saves, then `changed` fires. */
class FakeSettings {
  constructor(public values: Record<string, any>) {}

  readonly changed = new Signal<this, void>(this);

  get(key: string): { composite: unknown } {
    return { composite: this.values[key] };
  }

  async set(key: string, value: any): Promise<void> {
    await Promise.resolve();
    this.values = { ...this.values, [key]: value };
    this.changed.emit();
  }
}

/** A server with the real one's validation of type names. */
class FakeServer {
  constructor(policies: IIdlePolicy[]) {
    for (const p of policies) {
      this.rules.set(p.instance_type, p);
    }
  }

  rules = new Map<string, IIdlePolicy>();
  puts: Array<[string, IdleBody]> = [];

  fetchIdlePolicies = jest.fn(async () => [...this.rules.values()]);

  putIdlePolicy = jest.fn(async (type: string, body: IdleBody) => {
    this.puts.push([type, body]);
    if (!type.startsWith('ml.')) {
      throw new Error(
        `unknown instance type '${type}'; valid types: ml.t3.medium, ml.m5.large`
      );
    }
    const policy = { instance_type: type, ...body };
    this.rules.set(type, policy);
    return policy;
  });
}

const rule = (kernel: number, instance: number) => ({
  kernelIdleMinutes: kernel,
  instanceIdleMinutes: instance
});

const flush = async () => {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
};

describe('idle rules in the settings', () => {
  it('reads rules as request bodies, a missing field being off', () => {
    expect([
      ...readIdleRules({ 'ml.t3.medium': { kernelIdleMinutes: 60 } })
    ]).toEqual([
      ['ml.t3.medium', { kernel_idle_minutes: 60, instance_idle_minutes: 0 }]
    ]);
    expect(readIdleRules(undefined).size).toBe(0);
    expect(readIdleRules([1, 2]).size).toBe(0);
  });

  it('replaces one type and keeps the others', () => {
    expect(
      withIdleRule({ 'ml.m5.large': rule(5, 6) }, 'ml.t3.medium', {
        kernel_idle_minutes: 1,
        instance_idle_minutes: 2
      })
    ).toEqual({ 'ml.m5.large': rule(5, 6), 'ml.t3.medium': rule(1, 2) });
  });
});

describe('IdleRulesSync', () => {
  let server: FakeServer;
  let notify: { saved: jest.Mock; failed: jest.Mock };
  let sync: IdleRulesSync;
  let applied: IIdlePolicy[];

  beforeEach(() => {
    server = new FakeServer([
      {
        instance_type: 'ml.t3.medium',
        kernel_idle_minutes: 0,
        instance_idle_minutes: 0
      },
      {
        instance_type: 'ml.m5.large',
        kernel_idle_minutes: 10,
        instance_idle_minutes: 20
      }
    ]);
    notify = { saved: jest.fn(), failed: jest.fn() };
    sync = new IdleRulesSync({ server, notify });
    applied = [];
    sync.applied.connect((_, policy) => applied.push(policy));
  });

  afterEach(() => sync.dispose());

  it('on load sends only the rules the server does not have yet', async () => {
    const settings = new FakeSettings({
      idleRules: { 'ml.t3.medium': rule(60, 120), 'ml.m5.large': rule(10, 20) }
    });
    await sync.attach(settings);
    expect(server.puts).toEqual([
      ['ml.t3.medium', { kernel_idle_minutes: 60, instance_idle_minutes: 120 }]
    ]);
    expect(notify.saved).toHaveBeenCalledTimes(1);
    expect(applied).toEqual([
      {
        instance_type: 'ml.t3.medium',
        kernel_idle_minutes: 60,
        instance_idle_minutes: 120
      }
    ]);
  });

  it('follows changes: an edited rule is sent, other settings send nothing, a removed type is turned off', async () => {
    const settings = new FakeSettings({
      pollInterval: 3000,
      idleRules: { 'ml.m5.large': rule(10, 20) }
    });
    await sync.attach(settings);
    expect(server.puts).toEqual([]);

    await settings.set('idleRules', { 'ml.m5.large': rule(15, 20) });
    await flush();
    expect(server.puts).toEqual([
      ['ml.m5.large', { kernel_idle_minutes: 15, instance_idle_minutes: 20 }]
    ]);

    await settings.set('pollInterval', 5000);
    await flush();
    expect(server.puts).toHaveLength(1);

    await settings.set('idleRules', {});
    await flush();
    expect(server.puts[1]).toEqual([
      'ml.m5.large',
      { kernel_idle_minutes: 0, instance_idle_minutes: 0 }
    ]);
    expect(server.rules.get('ml.m5.large')!.kernel_idle_minutes).toBe(0);
  });

  it('saves the panel form through the settings, with one request', async () => {
    const settings = new FakeSettings({ idleRules: {} });
    await sync.attach(settings);
    const policy = await sync.save('ml.t3.medium', {
      kernel_idle_minutes: 45,
      instance_idle_minutes: 90
    });
    await flush();
    expect(policy).toEqual({
      instance_type: 'ml.t3.medium',
      kernel_idle_minutes: 45,
      instance_idle_minutes: 90
    });
    expect(settings.values.idleRules).toEqual({ 'ml.t3.medium': rule(45, 90) });
    expect(server.puts).toHaveLength(1);
    expect(notify.saved).toHaveBeenCalledTimes(1);
    expect(applied).toHaveLength(1);
  });

  it("notifies the server's message for a bad rule, once until it is edited", async () => {
    const settings = new FakeSettings({
      idleRules: { 't3.medium': rule(5, 0) }
    });
    await sync.attach(settings);
    expect(notify.failed).toHaveBeenCalledTimes(1);
    const [type, error] = notify.failed.mock.calls[0];
    expect(type).toBe('t3.medium');
    expect((error as Error).message).toBe(
      "unknown instance type 't3.medium'; valid types: ml.t3.medium, ml.m5.large"
    );

    await settings.set('idleRules', {
      't3.medium': rule(5, 0),
      'ml.t3.medium': rule(1, 1)
    });
    await flush();
    expect(notify.failed).toHaveBeenCalledTimes(1);
    expect(server.puts.map(([t]) => t)).toEqual(['t3.medium', 'ml.t3.medium']);

    await settings.set('idleRules', { 't3.medium': rule(6, 0) });
    await flush();
    expect(notify.failed).toHaveBeenCalledTimes(2);

    // Removing the refused type sends nothing for it.
    const puts = server.puts.length;
    await settings.set('idleRules', {});
    await flush();
    expect(server.puts.length).toBe(puts);
    expect(notify.failed).toHaveBeenCalledTimes(2);
  });

  it('sends the rules of one type in order, so the last one saved stays', async () => {
    const settings = new FakeSettings({ idleRules: {} });
    await sync.attach(settings);
    const first = sync.save('ml.t3.medium', {
      kernel_idle_minutes: 1,
      instance_idle_minutes: 0
    });
    const second = sync.save('ml.t3.medium', {
      kernel_idle_minutes: 2,
      instance_idle_minutes: 0
    });
    await Promise.all([first, second]);
    await flush();
    expect(server.rules.get('ml.t3.medium')!.kernel_idle_minutes).toBe(2);
    expect(settings.values.idleRules['ml.t3.medium']).toEqual(rule(2, 0));
  });

  it('without settings saves straight to the server', async () => {
    const policy = await sync.save('ml.t3.medium', {
      kernel_idle_minutes: 30,
      instance_idle_minutes: 0
    });
    expect(policy.kernel_idle_minutes).toBe(30);
    expect(server.puts).toHaveLength(1);
  });
});
