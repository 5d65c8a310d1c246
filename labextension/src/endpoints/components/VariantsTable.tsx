import * as React from 'react';

import { formatTime } from '../../jobs/format';
import {
  currentDesired,
  instanceHealth,
  instanceUsage,
  trafficShare
} from '../format';
import { IVariantSummary } from '../tokens';
import { InstanceHealth } from './InstanceHealth';

export interface IVariantsTableProps {
  variants: ReadonlyArray<IVariantSummary>;
  now: number;
}

/** The endpoint's variants: weights, instance counts, images, instances' health and usage. */
export function VariantsTable(props: IVariantsTableProps): JSX.Element {
  const { variants, now } = props;
  if (!variants.length) {
    return <p className="jp-AtelierJobs-muted">No variants reported yet.</p>;
  }
  return (
    <section className="jp-AtelierJobs-section" aria-label="Variants">
      <h3>Variants</h3>
      <table className="jp-AtelierJobs-table" data-testid="endpoint-variants">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Weight (current → desired)</th>
            <th scope="col">Traffic</th>
            <th scope="col">Instances (current → desired)</th>
            <th scope="col">Health</th>
            <th scope="col">Image</th>
          </tr>
        </thead>
        <tbody>
          {variants.map(v => (
            <tr
              key={v.VariantName}
              data-testid="endpoint-variant"
              data-variant={v.VariantName}
            >
              <th scope="row">{v.VariantName}</th>
              <td data-testid="endpoint-variant-weight">
                {currentDesired(v.CurrentWeight, v.DesiredWeight)}
              </td>
              <td>{trafficShare(v, variants)}</td>
              <td data-testid="endpoint-variant-count">
                {currentDesired(v.CurrentInstanceCount, v.DesiredInstanceCount)}
              </td>
              <td data-testid="endpoint-variant-health">
                {instanceHealth(v)}
                <InstanceList variant={v} now={now} />
              </td>
              <td className="jp-AtelierJobs-image">
                {(v.DeployedImages ?? [])
                  .map(i => i.SpecifiedImage)
                  .filter(Boolean)
                  .join(', ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Each instance of a variant with its health and start time. */
function InstanceList(props: {
  variant: IVariantSummary;
  now: number;
}): JSX.Element | null {
  const instances = props.variant.Instances ?? [];
  if (!instances.length) {
    return null;
  }
  return (
    <ul
      className="jp-AtelierEndpoints-instances"
      aria-label={`Instances of ${props.variant.VariantName}`}
    >
      {instances.map(i => (
        <li key={i.Id} data-instance-id={i.Id} data-healthy={String(i.Healthy)}>
          <InstanceHealth healthy={i.Healthy} notHealthyLabel="not ready" />{' '}
          <span className="jp-AtelierJobs-mono">{i.Id}</span>
          {i.StartedAt && (
            <span className="jp-AtelierJobs-secondary">
              {' '}
              started {formatTime(i.StartedAt, props.now)}
            </span>
          )}
          <span
            className="jp-AtelierEndpoints-usage"
            data-testid="endpoint-instance-usage"
            data-cpu={i.CPUUtilization ?? undefined}
            data-memory={i.MemoryUtilization ?? undefined}
          >
            {instanceUsage(i) ?? 'usage not sampled yet'}
          </span>
          {i.LimitsEnforced === false && (
            <span
              className="jp-AtelierEndpoints-noLimits"
              data-testid="endpoint-instance-no-limits"
              title={i.LimitsProblem ?? undefined}
            >
              {' '}
              runs without its CPU and memory limits
              {i.LimitsProblem ? `: ${i.LimitsProblem}` : ''}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
