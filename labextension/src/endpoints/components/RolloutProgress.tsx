import * as React from 'react';

import { ToneBadge } from '../../components/ToneBadge';
import { ProgressBar } from '../../jobs/components/ProgressBar';
import { formatTime } from '../../jobs/format';
import { instanceHealth } from '../format';
import {
  alarmBadge,
  alarmLabel,
  alarmValue,
  isRollingOut,
  rolloutView
} from '../progress';
import { IEndpointDescription } from '../tokens';
import { InstanceHealth } from './InstanceHealth';

export interface IRolloutProgressProps {
  endpoint: IEndpointDescription;
  /** True when this update (or the last one) was seen rolling back. */
  rolledBack: boolean;
  now: number;
}

/**
 * Whether the section says why the last update was rolled back (then the
 * endpoint's header does not say it again).
 */
export function showsRollbackReason(
  endpoint: IEndpointDescription,
  rolledBack: boolean
): boolean {
  return (
    rolledBack &&
    !isRollingOut(endpoint) &&
    endpoint.EndpointStatus !== 'RollingBack' &&
    !!endpoint.FailureReason
  );
}

/**
 * A blue/green update under way: its phase, the new fleet's share of the
 * traffic, the step, the time left in the phase, the new fleet's instances
 * and each alarm; a rollback as it happens, and why once it is over.
 */
export function RolloutProgress(
  props: IRolloutProgressProps
): JSX.Element | null {
  const { endpoint, now } = props;
  if (!isRollingOut(endpoint)) {
    if (showsRollbackReason(endpoint, props.rolledBack)) {
      return (
        <section
          className="jp-AtelierJobs-section jp-AtelierEndpoints-rollout jp-mod-rolledBack"
          aria-label="Update rolled back"
          data-testid="endpoint-rollout"
          data-phase="RolledBack"
        >
          <h3>Update rolled back</h3>
          <p role="alert" data-testid="endpoint-rollout-reason">
            {endpoint.FailureReason}
          </p>
        </section>
      );
    }
    return null;
  }
  const view = rolloutView(endpoint, now);
  const shift = endpoint.TrafficShift;
  const pending = endpoint.PendingDeploymentSummary;
  const percent = view.percent;
  const text = [percent === null ? '—' : `${Math.round(percent)}%`, view.step]
    .filter(Boolean)
    .join(' · ');
  return (
    <section
      className={`jp-AtelierJobs-section jp-AtelierEndpoints-rollout${view.rollingBack ? ' jp-mod-rollingBack' : ''}`}
      aria-label="Update in progress"
      data-testid="endpoint-rollout"
      data-phase={view.phase}
    >
      <h3>
        {view.rollingBack
          ? `Rolling back${view.targetConfig ? ` the update to ${view.targetConfig}` : ''}`
          : `Updating${view.targetConfig ? ` to ${view.targetConfig}` : ''}`}
      </h3>
      {view.rollingBack && (
        <p role="alert" className="jp-AtelierEndpoints-rollbackNote">
          An alarm fired or the update ran out of time: all traffic goes back to
          the old fleet and the new fleet is stopped.
        </p>
      )}
      <dl className="jp-AtelierJobs-facts">
        <dt>Phase</dt>
        <dd data-testid="endpoint-rollout-phase">
          {view.phase}: {view.phaseText}
        </dd>
        <dt>Routing</dt>
        <dd>{view.routing}</dd>
        {view.step && (
          <>
            <dt>Step</dt>
            <dd data-testid="endpoint-rollout-step">{view.step}</dd>
          </>
        )}
        <dt>Time left</dt>
        <dd data-testid="endpoint-rollout-time-left">
          {view.timeLeft ?? 'until the phase is done'}
        </dd>
        {pending?.StartTime && (
          <>
            <dt>Started</dt>
            <dd>{formatTime(pending.StartTime, now)}</dd>
          </>
        )}
      </dl>
      <ProgressBar progress={{ label: "New fleet's traffic", percent, text }} />
      <NewFleet endpoint={endpoint} />
      {(shift?.Alarms ?? []).length > 0 && (
        <table
          className="jp-AtelierJobs-table"
          aria-label="Rollback alarms"
          data-testid="endpoint-rollout-alarms"
        >
          <thead>
            <tr>
              <th scope="col">Alarm</th>
              <th scope="col">State</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {(shift?.Alarms ?? []).map(a => (
              <tr key={a.AlarmName} data-alarm={a.AlarmName}>
                <th scope="row" title={a.AlarmName}>
                  {alarmLabel(a.AlarmName)}
                </th>
                <td>
                  <ToneBadge
                    badge={alarmBadge(a.State)}
                    status={a.State}
                    testId="endpoint-alarm-state"
                  />
                </td>
                <td data-testid="endpoint-alarm-value">
                  {alarmValue(a.AlarmName, a.Value)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The new fleet's variants with their instances' health. */
function NewFleet(props: {
  endpoint: IEndpointDescription;
}): JSX.Element | null {
  const variants = props.endpoint.PendingDeploymentSummary?.ProductionVariants;
  if (!variants?.length) {
    return null;
  }
  return (
    <ul className="jp-AtelierEndpoints-fleet" aria-label="New fleet">
      {variants.map(v => (
        <li key={v.VariantName} data-variant={v.VariantName}>
          <strong>{v.VariantName}</strong>
          {v.InstanceType ? ` · ${v.InstanceType}` : ''} ·{' '}
          <span data-testid="endpoint-rollout-health">{instanceHealth(v)}</span>
          <ul className="jp-AtelierEndpoints-instances">
            {(v.Instances ?? []).map(i => (
              <li key={i.Id} data-instance-id={i.Id}>
                <InstanceHealth
                  healthy={i.Healthy}
                  notHealthyLabel="starting"
                />{' '}
                <span className="jp-AtelierJobs-mono">{i.Id}</span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
