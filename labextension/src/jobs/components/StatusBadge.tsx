import * as React from 'react';

import { statusBadge } from '../format';

export interface IStatusBadgeProps {
  status: string;
  /** Secondary status, shown on hover. */
  secondary?: string | null;
}

/** A coloured badge with a job's primary status. */
export function StatusBadge(props: IStatusBadgeProps): JSX.Element {
  const { status, secondary } = props;
  const badge = statusBadge(status);
  const title = secondary ? `${badge.label} (${secondary})` : badge.label;
  return (
    <span
      className={`jp-AtelierJobs-badge jp-AtelierJobs-badge-${badge.tone}`}
      data-testid="job-status-badge"
      data-status={status}
      title={title}
    >
      {badge.label}
    </span>
  );
}
