import * as React from 'react';

import { IRunOpener } from '../runLink';
import { IJobRunFields } from '../tokens';

export interface IRunLinkProps {
  job: IJobRunFields;
  /** Absent where there is no command registry (the job's run id is still shown). */
  opener?: IRunOpener;
}

/** The job's experiment run: "Open run" in the Experiments panel, or why there is none. */
export function RunLink(props: IRunLinkProps): JSX.Element | null {
  const { job, opener } = props;
  const runId = job.RunId;
  if (!runId && !job.TrackingFailureReason) {
    return null;
  }
  const config = job.ExperimentConfig;
  return (
    <section
      className="jp-AtelierJobs-section jp-AtelierJobs-run"
      aria-label="Experiment run"
      data-testid="job-run"
    >
      <h3>Experiment run</h3>
      {runId && (
        <p>
          {opener?.available() ? (
            <button
              type="button"
              className="jp-AtelierJobs-linkButton"
              data-testid="job-open-run"
              title={`Open run ${runId} in the Experiments panel`}
              onClick={() => opener.open(runId)}
            >
              Open run
            </button>
          ) : (
            <span className="jp-AtelierJobs-muted">Run</span>
          )}{' '}
          <span className="jp-AtelierJobs-mono" data-testid="job-run-id">
            {runId}
          </span>
          {config?.ExperimentName && (
            <span className="jp-AtelierJobs-muted">
              {' '}
              in {config.ExperimentName}
              {config.TrialName ? ` / ${config.TrialName}` : ''}
            </span>
          )}
        </p>
      )}
      {job.TrackingFailureReason && (
        <p className="jp-AtelierJobs-error" data-testid="job-tracking-failure">
          Tracking: {job.TrackingFailureReason}
        </p>
      )}
    </section>
  );
}
