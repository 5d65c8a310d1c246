import * as React from 'react';

import { JobKind } from '../tokens';

export interface IEmptyStateProps {
  /** True when filters hide jobs that exist. */
  filtered: boolean;
  onNewJob: (kind: JobKind) => void;
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
      <p>No jobs yet. Start a training or processing job:</p>
      <ul>
        <li>
          <button
            type="button"
            className="jp-AtelierJobs-linkButton"
            title="Open the New training job form"
            onClick={() => props.onNewJob('training')}
          >
            with the New training job form
          </button>{' '}
          or the{' '}
          <button
            type="button"
            className="jp-AtelierJobs-linkButton"
            title="Open the New processing job form"
            onClick={() => props.onNewJob('processing')}
          >
            New processing job form
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
