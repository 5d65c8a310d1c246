import * as React from 'react';

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
  const open = (): void => onOpen(name);
  return (
    <li
      className="jp-AtelierJobs-row"
      data-testid="endpoint-row"
      data-endpoint-name={name}
      data-status={endpoint.EndpointStatus}
      tabIndex={0}
      role="button"
      aria-label={`Open endpoint ${name}`}
      title={`Open endpoint ${name}`}
      onClick={open}
      onKeyDown={event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
        }
      }}
    >
      <div className="jp-AtelierJobs-rowHeader">
        <span className="jp-AtelierJobs-rowName">{name}</span>
        <EndpointBadge status={endpoint.EndpointStatus} />
      </div>
      <div className="jp-AtelierJobs-rowLine jp-AtelierJobs-rowMeta">
        <span>
          {variants.length
            ? variants.map(v => v.VariantName).join(', ')
            : 'endpoint'}
        </span>
        {endpoint.CreationTime && (
          <time
            dateTime={endpoint.CreationTime}
            title={new Date(endpoint.CreationTime).toLocaleString()}
          >
            {formatTime(endpoint.CreationTime, now)}
          </time>
        )}
      </div>
      {endpoint.FailureReason && (
        <div
          className="jp-AtelierJobs-rowFailure"
          title={endpoint.FailureReason}
        >
          {endpoint.FailureReason}
        </div>
      )}
    </li>
  );
}
