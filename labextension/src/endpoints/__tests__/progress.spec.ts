import {
  alarmBadge,
  alarmLabel,
  alarmValue,
  describeDeploymentConfig,
  formatDuration,
  isRollingOut,
  phaseTimeLeft,
  rolloutView
} from '../progress';
import { IEndpointDescription } from '../tokens';

const NOW = Date.parse('2026-12-03T10:00:00Z');

const updating = (
  extra: Partial<IEndpointDescription> = {}
): IEndpointDescription => ({
  EndpointName: 'ep',
  EndpointStatus: 'Updating',
  PendingDeploymentSummary: { EndpointConfigName: 'v2' },
  TrafficShift: {
    Type: 'LINEAR',
    Phase: 'Shifting',
    NewFleetTrafficPercent: 40,
    Step: 2,
    Steps: 5,
    PhaseEndsAt: '2026-12-03T10:01:05Z',
    Alarms: []
  },
  ...extra
});

describe('update progress', () => {
  it('reads phase, traffic, step and time left', () => {
    expect(rolloutView(updating(), NOW)).toEqual({
      phase: 'Shifting',
      phaseText: 'Shifting traffic to the new fleet',
      rollingBack: false,
      percent: 40,
      step: 'step 2 of 5',
      timeLeft: '1 min 05 s left',
      routing: 'linear',
      targetConfig: 'v2'
    });
  });

  it('says a rollback as it happens, whatever the phase field says', () => {
    const view = rolloutView(updating({ EndpointStatus: 'RollingBack' }), NOW);
    expect(view.rollingBack).toBe(true);
    expect(view.phase).toBe('RollingBack');
    expect(view.phaseText).toMatch(/all traffic back to the old fleet/);
  });

  it('has no step for one step, no end without PhaseEndsAt, and bounds the percent', () => {
    const view = rolloutView(
      updating({
        TrafficShift: {
          Type: 'ALL_AT_ONCE',
          Phase: 'Provisioning',
          NewFleetTrafficPercent: 140,
          Step: 1,
          Steps: 1,
          PhaseEndsAt: null
        }
      }),
      NOW
    );
    expect(view.step).toBeNull();
    expect(view.timeLeft).toBeNull();
    expect(view.percent).toBe(100);
    expect(view.routing).toBe('all at once');
  });

  it('is under way only while Updating or RollingBack with a shift', () => {
    expect(isRollingOut(updating())).toBe(true);
    expect(isRollingOut(updating({ EndpointStatus: 'InService' }))).toBe(false);
    expect(
      isRollingOut({ EndpointName: 'ep', EndpointStatus: 'Updating' })
    ).toBe(false);
    expect(isRollingOut(null)).toBe(false);
  });

  it('formats durations and the time left', () => {
    expect(formatDuration(400)).toBe('1 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(187_000)).toBe('3 min 07 s');
    expect(formatDuration(7_500_000)).toBe('2 h 05 min');
    expect(phaseTimeLeft('2026-12-03T09:59:00Z', NOW)).toBe('ending');
    expect(phaseTimeLeft('not a time', NOW)).toBeNull();
  });
});

describe('alarms in the progress', () => {
  it('shows state, value in its unit and a readable name', () => {
    expect(alarmBadge('ALARM')).toEqual({ tone: 'error', label: 'ALARM' });
    expect(alarmBadge('OK').tone).toBe('success');
    expect(alarmBadge('INSUFFICIENT_DATA').label).toBe('not enough data');
    expect(alarmValue('Invocation5XXErrorRate > 5', 12.345)).toBe('12.35%');
    expect(alarmValue('ModelLatencyP99 > 250000', 312_400)).toBe('312.4 ms');
    expect(alarmValue('ModelLatencyP99 > 250000', null)).toBe('—');
    expect(alarmLabel('Invocation5XXErrorRate > 5')).toBe('5xx rate above 5%');
    expect(alarmLabel('ModelLatencyP99 > 250000')).toBe(
      'p99 model latency above 250 ms'
    );
  });

  it('describes the last DeploymentConfig in a line', () => {
    expect(
      describeDeploymentConfig({
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            WaitIntervalInSeconds: 300,
            CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }
          },
          TerminationWaitInSeconds: 60
        },
        AutoRollbackConfiguration: {
          Alarms: [{ AlarmName: 'Invocation5XXErrorRate > 5' }]
        }
      })
    ).toBe(
      'canary 10%, wait 300 s, termination wait 60 s, rollback on 5xx rate above 5%'
    );
    expect(describeDeploymentConfig(null)).toBeNull();
  });
});
