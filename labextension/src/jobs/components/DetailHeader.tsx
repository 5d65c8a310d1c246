import * as React from 'react';

import { IJobFacts, factsDurationSeconds } from '../describe';
import { formatDuration, formatTime } from '../format';
import { FailureBox } from '../../components/FailureBox';
import { StatusBadge } from './StatusBadge';

export interface IDetailHeaderProps {
  facts: IJobFacts;
  kind: string;
  now: number;
  canStop: boolean;
  stopping: boolean;
  onStop: () => void;
  /** Open a new job's form filled from this one. */
  onClone: () => void;
  /** Deploy the job's model to an endpoint: only for a Completed training job, where endpoints are served. */
  onDeploy?: () => void;
}

/** The job's status, times, resources and its Stop button. */
export function DetailHeader(props: IDetailHeaderProps): JSX.Element {
  const { facts, kind, now, canStop, stopping, onStop, onClone, onDeploy } =
    props;
  const duration = factsDurationSeconds(facts, now);
  return (
    <header className="jp-AtelierJobs-detailHeader">
      <div className="jp-AtelierJobs-detailTitle">
        <h2 data-testid="job-detail-name">{facts.name}</h2>
        <span className="jp-AtelierJobs-kind">{kind}</span>
        <StatusBadge status={facts.status} secondary={facts.secondaryStatus} />
        {facts.secondaryStatus && (
          <span
            className="jp-AtelierJobs-secondary"
            data-testid="job-secondary-status"
          >
            {facts.secondaryStatus}
          </span>
        )}
        <button
          type="button"
          className="jp-AtelierJobs-button jp-AtelierJobs-clone"
          data-testid="job-clone"
          aria-label={`Clone job ${facts.name}`}
          title={`A new ${kind} job filled from ${facts.name}`}
          onClick={onClone}
        >
          Clone
        </button>
        {onDeploy && kind === 'training' && facts.status === 'Completed' && (
          <button
            type="button"
            className="jp-AtelierJobs-button jp-mod-accept"
            data-testid="job-deploy"
            aria-label={`Deploy job ${facts.name}`}
            title={`Serve the model of ${facts.name} on a real-time endpoint`}
            onClick={onDeploy}
          >
            Deploy
          </button>
        )}
        <button
          type="button"
          className="jp-AtelierJobs-button jp-mod-warn jp-AtelierJobs-stop"
          data-testid="job-stop"
          aria-label={`Stop job ${facts.name}`}
          title={canStop ? `Stop job ${facts.name}` : 'The job is not running'}
          disabled={!canStop || stopping}
          onClick={onStop}
        >
          {stopping ? 'Stopping…' : 'Stop'}
        </button>
      </div>
      <dl className="jp-AtelierJobs-facts">
        <dt>Created</dt>
        <dd>{formatTime(facts.created, now)}</dd>
        <dt>Started</dt>
        <dd>{formatTime(facts.started, now)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(facts.ended, now)}</dd>
        <dt>Duration</dt>
        <dd data-testid="job-detail-duration">{formatDuration(duration)}</dd>
        <dt>Instance type</dt>
        <dd>{facts.instanceType || '—'}</dd>
        <dt>Image</dt>
        <dd className="jp-AtelierJobs-image">{facts.image || '—'}</dd>
        <dt>Created by</dt>
        <dd>{facts.creator || '—'}</dd>
        {facts.maxRuntimeSeconds !== null && (
          <>
            <dt>Max runtime</dt>
            <dd>{formatDuration(facts.maxRuntimeSeconds)}</dd>
          </>
        )}
      </dl>
      <FailureBox reason={facts.failureReason} testId="job-failure-reason" />
    </header>
  );
}
