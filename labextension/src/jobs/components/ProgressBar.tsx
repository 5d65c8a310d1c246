import * as React from 'react';

import { IProgressView } from '../format';

/** The staging or upload progress of a job. */
export function ProgressBar(props: { progress: IProgressView }): JSX.Element {
  const { progress } = props;
  return (
    <div className="jp-AtelierJobs-progress" data-testid="job-progress">
      <div className="jp-AtelierJobs-progressLabel">
        <span>{progress.label}</span>
        <span>{progress.text}</span>
      </div>
      <div
        className="jp-AtelierJobs-progressTrack"
        role="progressbar"
        aria-label={progress.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress.percent ?? undefined}
        aria-valuetext={progress.text}
      >
        <div
          className={`jp-AtelierJobs-progressFill${progress.percent === null ? ' jp-mod-indeterminate' : ''}`}
          style={{ width: `${progress.percent ?? 100}%` }}
        />
      </div>
    </div>
  );
}
