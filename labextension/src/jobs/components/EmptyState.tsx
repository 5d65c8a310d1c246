import * as React from 'react';

export interface IEmptyStateProps {
  /** True when filters hide jobs that exist. */
  filtered: boolean;
  onNewJob: () => void;
}

/** What the list shows without jobs: how to start one. */
export function EmptyState(props: IEmptyStateProps): JSX.Element {
  if (props.filtered) {
    return (
      <p className="jp-AtelierJobs-empty" data-testid="jobs-empty">
        No job matches these filters.
      </p>
    );
  }
  return (
    <div className="jp-AtelierJobs-empty" data-testid="jobs-empty">
      <p>No jobs yet. Start a training job:</p>
      <ul>
        <li>
          <button
            type="button"
            className="jp-AtelierJobs-linkButton"
            title="Open the New training job form"
            onClick={props.onNewJob}
          >
            with the New training job form
          </button>
        </li>
        <li>
          from a notebook cell with <code>%%atelier_train</code>
        </li>
        <li>
          with the SDK: <code>from atelier import Estimator</code>, then{' '}
          <code>Estimator(...).fit()</code>
        </li>
      </ul>
    </div>
  );
}
