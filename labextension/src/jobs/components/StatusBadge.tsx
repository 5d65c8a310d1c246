import * as React from 'react';

import { ToneBadge } from '../../components/ToneBadge';
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
    <ToneBadge
      badge={badge}
      status={status}
      title={title}
      testId="job-status-badge"
    />
  );
}
