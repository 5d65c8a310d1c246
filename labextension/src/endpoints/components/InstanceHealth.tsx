import * as React from 'react';

import { ToneBadge } from '../../components/ToneBadge';

export interface IInstanceHealthProps {
  healthy: boolean;
  /** What an instance that does not answer its health check yet is called here. */
  notHealthyLabel: string;
}

/** One instance's health check, as a badge: healthy, or not (yet). */
export function InstanceHealth(props: IInstanceHealthProps): JSX.Element {
  return (
    <ToneBadge
      badge={
        props.healthy
          ? { tone: 'success', label: 'healthy' }
          : { tone: 'warning', label: props.notHealthyLabel }
      }
      status={props.healthy ? 'healthy' : 'unhealthy'}
      testId="endpoint-instance-health"
    />
  );
}
