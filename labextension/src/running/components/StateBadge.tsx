import * as React from 'react';

import { ExecutionState } from '../tokens';

export interface IStateBadgeProps {
  state: ExecutionState;
  /** Dead reason, shown on hover. */
  reason: string | null;
}

/** A coloured badge with the kernel's execution state. */
export function StateBadge(props: IStateBadgeProps): JSX.Element {
  const { state, reason } = props;
  const title = reason ? `${state}: ${reason}` : state;
  return (
    <span
      className={`jp-AtelierRunning-badge jp-AtelierRunning-badge-${state}`}
      data-state={state}
      title={title}
    >
      {state}
    </span>
  );
}
