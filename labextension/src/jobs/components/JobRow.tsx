import * as React from 'react';

import { RowTime, SidebarListRow } from '../../components/SidebarList';
import { formatDuration, formatTime, jobDurationSeconds } from '../format';
import { IJobSummary } from '../tokens';
import { ClippedName } from './ClippedName';
import { StatusBadge } from './StatusBadge';

export interface IJobRowProps {
  job: IJobSummary;
  now: number;
  /** The names of the list, so that this one shows where it differs from them. */
  names?: ReadonlyArray<string>;
  onOpen: (job: IJobSummary) => void;
  /** Open a new job's form filled from this one. */
  onClone: (job: IJobSummary) => void;
}

/** One job of the list; Enter, Space or a click opens its detail view. */
export function JobRow(props: IJobRowProps): JSX.Element {
  const { job, now, onOpen, onClone } = props;
  const duration = formatDuration(jobDurationSeconds(job, now));
  return (
    <SidebarListRow
      testId="job-row"
      label={`Open ${job.Kind} job ${job.Name}`}
      data={{
        'job-name': job.Name,
        'job-kind': job.Kind,
        status: job.Status
      }}
      onOpen={() => onOpen(job)}
      failureReason={job.FailureReason}
      name={<ClippedName name={job.Name} others={props.names ?? []} />}
      badge={
        <StatusBadge status={job.Status} secondary={job.SecondaryStatus} />
      }
      actions={
        <button
          type="button"
          className="jp-AtelierJobs-linkButton"
          data-testid="job-row-clone"
          aria-label={`Clone ${job.Kind} job ${job.Name}`}
          title={`A new ${job.Kind} job filled from ${job.Name}`}
          onClick={() => onClone(job)}
        >
          Clone
        </button>
      }
    >
      <div className="jp-AtelierJobs-rowLine">
        <span className="jp-AtelierJobs-kind">{job.Kind}</span>
        {job.SecondaryStatus && (
          <span className="jp-AtelierJobs-secondary">
            {job.SecondaryStatus}
          </span>
        )}
        <span className="jp-AtelierJobs-duration" data-testid="job-duration">
          {duration}
        </span>
      </div>
      <div className="jp-AtelierJobs-rowLine jp-AtelierJobs-rowMeta">
        <span title="Instance type">{job.InstanceType || '—'}</span>
        <span className="jp-AtelierJobs-image" title={job.Image ?? undefined}>
          {job.Image || '—'}
        </span>
      </div>
      <div className="jp-AtelierJobs-rowLine jp-AtelierJobs-rowMeta">
        <span title="Created by">{job.CreatedBy || '—'}</span>
        <RowTime time={job.CreationTime} now={now} format={formatTime} />
      </div>
    </SidebarListRow>
  );
}
