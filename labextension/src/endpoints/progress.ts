import { IStatusBadge } from '../components/ToneBadge';
import { ERROR_RATE_METRIC, LATENCY_METRIC, parseAlarm } from './update';
import {
  IDeploymentConfig,
  IEndpointDescription,
  ITrafficShift,
  TrafficRoutingType
} from './tokens';

/** What the detail shows of an update under way. */
export interface IRolloutView {
  phase: string;
  /** A sentence about the phase. */
  phaseText: string;
  rollingBack: boolean;
  /** The new fleet's share of the traffic, 0-100 (null: not known). */
  percent: number | null;
  /** "step 2 of 5", or null for a shift of one step. */
  step: string | null;
  /** "1 min 05 s left", "ending", or null when the phase has no set end. */
  timeLeft: string | null;
  routing: string;
  targetConfig: string | null;
}

const PHASES: Record<string, string> = {
  Provisioning: 'Starting the new fleet beside the old one',
  Shifting: 'Shifting traffic to the new fleet',
  Baking: 'Watching the new fleet with all the traffic',
  TerminationWait: 'Old fleet idle, kept up until the termination wait ends',
  RollingBack: 'Rolling back: all traffic back to the old fleet'
};

const ROUTING: Record<TrafficRoutingType, string> = {
  ALL_AT_ONCE: 'all at once',
  CANARY: 'canary',
  LINEAR: 'linear'
};

/** True while the endpoint is being moved to another config (or back). */
export function isRollingOut(endpoint: IEndpointDescription | null): boolean {
  const status = endpoint?.EndpointStatus;
  return (
    (status === 'Updating' || status === 'RollingBack') &&
    !!(endpoint?.TrafficShift || endpoint?.PendingDeploymentSummary)
  );
}

/** Milliseconds as "2 h 05 min", "3 min 07 s", "42 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) {
    return `${s} s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The time left in the phase at `now`, or null when it has no set end. */
export function phaseTimeLeft(
  endsAt: string | null | undefined,
  now: number
): string | null {
  const end = endsAt ? Date.parse(endsAt) : NaN;
  if (!Number.isFinite(end)) {
    return null;
  }
  return end <= now ? 'ending' : `${formatDuration(end - now)} left`;
}

/** A percent kept within 0-100, or null. */
function percentOf(value: number | null | undefined): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return null;
  }
  return Math.min(100, Math.max(0, value));
}

/** The progress of the update of a described endpoint at `now`. */
export function rolloutView(
  endpoint: IEndpointDescription,
  now: number
): IRolloutView {
  const shift: ITrafficShift | null = endpoint.TrafficShift ?? null;
  const rollingBack =
    endpoint.EndpointStatus === 'RollingBack' || shift?.Phase === 'RollingBack';
  const phase = rollingBack ? 'RollingBack' : (shift?.Phase ?? 'Provisioning');
  const steps = shift?.Steps ?? null;
  const step =
    steps && steps > 1 && typeof shift?.Step === 'number'
      ? `step ${Math.min(shift.Step, steps)} of ${steps}`
      : null;
  const type = shift?.Type as TrafficRoutingType | undefined;
  return {
    phase,
    phaseText: PHASES[phase] ?? phase,
    rollingBack,
    percent: percentOf(shift?.NewFleetTrafficPercent),
    step,
    timeLeft: phaseTimeLeft(shift?.PhaseEndsAt, now),
    routing: type ? (ROUTING[type] ?? type) : 'all at once',
    targetConfig: endpoint.PendingDeploymentSummary?.EndpointConfigName ?? null
  };
}

/** The badge of an alarm's state. */
export function alarmBadge(state: string): IStatusBadge {
  switch (state) {
    case 'OK':
      return { tone: 'success', label: 'OK' };
    case 'ALARM':
      return { tone: 'error', label: 'ALARM' };
    default:
      return { tone: 'neutral', label: 'not enough data' };
  }
}

/** An alarm's value in its metric's unit: "2.5%", "310 ms", or "—". */
export function alarmValue(
  name: string,
  value: number | null | undefined
): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return '—';
  }
  const metric = parseAlarm(name)?.metric;
  if (metric === ERROR_RATE_METRIC) {
    return `${Number(value.toFixed(2))}%`;
  }
  if (metric === LATENCY_METRIC) {
    return `${Number((value / 1000).toFixed(1))} ms`;
  }
  return String(Number(value.toPrecision(4)));
}

/** An alarm's name as a sentence: "5xx rate above 5%", "p99 model latency above 250 ms". */
export function alarmLabel(name: string): string {
  const alarm = parseAlarm(name);
  if (alarm?.metric === ERROR_RATE_METRIC) {
    return `5xx rate above ${alarm.threshold}%`;
  }
  if (alarm?.metric === LATENCY_METRIC) {
    return `p99 model latency above ${Number((alarm.threshold / 1000).toFixed(3))} ms`;
  }
  return name;
}

/** A DeploymentConfig in a line: "canary 10% for 300 s, alarms: ...". */
export function describeDeploymentConfig(
  config: IDeploymentConfig | null | undefined
): string | null {
  const policy = config?.BlueGreenUpdatePolicy;
  const routing = policy?.TrafficRoutingConfiguration;
  if (!routing) {
    return null;
  }
  const sizeText = (s?: { Type: string; Value: number }): string =>
    !s
      ? ''
      : s.Type === 'INSTANCE_COUNT'
        ? ` ${s.Value} instance${s.Value === 1 ? '' : 's'}`
        : ` ${s.Value}%`;
  const parts = [
    `${ROUTING[routing.Type] ?? routing.Type}${sizeText(routing.CanarySize ?? routing.LinearStepSize)}`
  ];
  if (routing.WaitIntervalInSeconds) {
    parts.push(`wait ${routing.WaitIntervalInSeconds} s`);
  }
  if (policy?.TerminationWaitInSeconds) {
    parts.push(`termination wait ${policy.TerminationWaitInSeconds} s`);
  }
  const alarms = config?.AutoRollbackConfiguration?.Alarms ?? [];
  if (alarms.length) {
    parts.push(
      `rollback on ${alarms.map(a => alarmLabel(a.AlarmName)).join(', ')}`
    );
  }
  return parts.join(', ');
}
