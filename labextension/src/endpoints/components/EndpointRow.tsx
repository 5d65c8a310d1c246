import * as React from 'react';

import { RowTime, SidebarListRow } from '../../components/SidebarList';
import { formatTime } from '../../jobs/format';
import { IEndpointSummary } from '../tokens';
import { EndpointBadge } from './EndpointBadge';

export interface IEndpointRowProps {
  endpoint: IEndpointSummary;
  now: number;
  onOpen: (name: string) => void;
}

/** One endpoint of the list; Enter, Space or a click opens its detail. */
export function EndpointRow(props: IEndpointRowProps): JSX.Element {
  const { endpoint, now, onOpen } = props;
  const name = endpoint.EndpointName;
  const variants = endpoint.ProductionVariants ?? [];
  return (
    <SidebarListRow
      testId="endpoint-row"
      label={`Open endpoint ${name}`}
      data={{ 'endpoint-name': name, status: endpoint.EndpointStatus }}
      onOpen={() => onOpen(name)}
      failureReason={endpoint.FailureReason}
      name={<span className="jp-AtelierJobs-rowName">{name}</span>}
      badge={<EndpointBadge status={endpoint.EndpointStatus} />}
    >
      <div className="jp-AtelierJobs-rowLine jp-AtelierJobs-rowMeta">
        <span>
          {variants.length
            ? variants.map(v => v.VariantName).join(', ')
            : 'endpoint'}
        </span>
        {endpoint.CreationTime && (
          <RowTime time={endpoint.CreationTime} now={now} format={formatTime} />
        )}
      </div>
    </SidebarListRow>
  );
}
