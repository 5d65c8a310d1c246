import {
  formatIdleMinutes,
  idleDrafts,
  idlePolicyBody,
  idlePolicyRequest,
  idleSavedText,
  isDirty,
  parseIdleMinutes
} from '../idlePolicy';

describe('parseIdleMinutes', () => {
  it('reads whole minutes from 0 to a week; empty is off', () => {
    expect(parseIdleMinutes('30')).toEqual({ minutes: 30 });
    expect(parseIdleMinutes(' 0 ')).toEqual({ minutes: 0 });
    expect(parseIdleMinutes('')).toEqual({ minutes: 0 });
    expect(parseIdleMinutes('10080')).toEqual({ minutes: 10080 });
  });

  it('says what is wrong with anything else', () => {
    expect(parseIdleMinutes('1.5')).toEqual({
      error: '"1.5" is not a whole number of minutes (0 turns the rule off)'
    });
    expect(parseIdleMinutes('-3')).toHaveProperty('error');
    expect(parseIdleMinutes('ten')).toHaveProperty('error');
    expect(parseIdleMinutes('10081')).toEqual({
      error: '10081 minutes is more than a week (10080 at most)'
    });
  });
});

describe('idle rules in the form', () => {
  it('has a line per catalog type, off unless the server has a rule', () => {
    const drafts = idleDrafts(
      [{ name: 'ml.t3.medium' }, { name: 'ml.m5.large' }],
      [
        {
          instance_type: 'ml.m5.large',
          kernel_idle_minutes: 30,
          instance_idle_minutes: 60
        },
        {
          instance_type: 'ml.old.type',
          kernel_idle_minutes: 5,
          instance_idle_minutes: 0
        }
      ]
    );
    expect(drafts).toEqual([
      { instanceType: 'ml.t3.medium', kernel: '0', instance: '0' },
      { instanceType: 'ml.m5.large', kernel: '30', instance: '60' },
      { instanceType: 'ml.old.type', kernel: '5', instance: '0' }
    ]);
  });

  it('builds the body, or the errors by field', () => {
    expect(
      idlePolicyBody({ instanceType: 't', kernel: '15', instance: '' })
    ).toEqual({ body: { kernel_idle_minutes: 15, instance_idle_minutes: 0 } });
    const result = idlePolicyBody({
      instanceType: 't',
      kernel: 'x',
      instance: '20000'
    });
    expect(Object.keys((result as any).errors)).toEqual([
      'kernel_idle_minutes',
      'instance_idle_minutes'
    ]);
  });

  it('PUTs JSON to idle-policy/{type}', () => {
    const { endPoint, init } = idlePolicyRequest('ml.t3.medium', {
      kernel_idle_minutes: 15,
      instance_idle_minutes: 45
    });
    expect(endPoint).toBe('idle-policy/ml.t3.medium');
    expect(init.method).toBe('PUT');
    expect(JSON.parse(init.body as string)).toEqual({
      kernel_idle_minutes: 15,
      instance_idle_minutes: 45
    });
    expect(idlePolicyRequest('a/b', {} as any).endPoint).toBe(
      'idle-policy/a%2Fb'
    );
  });

  it('knows when a line was edited', () => {
    const saved = { instanceType: 't', kernel: '0', instance: '30' };
    expect(isDirty({ ...saved, instance: ' 30 ' }, saved)).toBe(false);
    expect(isDirty({ ...saved, kernel: '5' }, saved)).toBe(true);
  });
});

describe('texts', () => {
  it('formats minutes', () => {
    expect(formatIdleMinutes(0)).toBe('off');
    expect(formatIdleMinutes(45)).toBe('45 min');
    expect(formatIdleMinutes(120)).toBe('2 h');
    expect(formatIdleMinutes(90)).toBe('1 h 30 min');
  });

  it('says what a saved rule does', () => {
    expect(
      idleSavedText({
        instance_type: 'ml.t3.medium',
        kernel_idle_minutes: 30,
        instance_idle_minutes: 0
      })
    ).toBe(
      'Idle shutdown of ml.t3.medium saved: kernels after 30 min idle, instances off.'
    );
  });
});
