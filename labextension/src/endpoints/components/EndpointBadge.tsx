import * as React from 'react';

import { ToneBadge } from '../../components/ToneBadge';
import { endpointBadge } from '../format';

/** A coloured badge with an endpoint's status. */
export function EndpointBadge(props: { status: string }): JSX.Element {
  return (
    <ToneBadge
      badge={endpointBadge(props.status)}
      status={props.status}
      testId="endpoint-status-badge"
    />
  );
}
