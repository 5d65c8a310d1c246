import * as React from 'react';

import { hasFilters } from '../filters';
import { JobsListModel } from '../listModel';
import { IJobSummary, JobKind } from '../tokens';
import { EmptyState } from './EmptyState';
import { JobFilters } from './JobFilters';
import { JobRow } from './JobRow';

export interface IJobsViewProps {
  model: JobsListModel;
  /** Instance type names for the filter. */
  instanceTypes: ReadonlyArray<string>;
  onOpen: (job: IJobSummary) => void;
  onClone: (job: IJobSummary) => void;
  onNewJob: (kind: JobKind) => void;
  onRefresh: () => Promise<void>;
}

/** The Jobs panel: header, filters, then the list or how to start a job. */
export function JobsView(props: IJobsViewProps): JSX.Element {
  const { model, instanceTypes, onOpen, onClone, onNewJob, onRefresh } = props;
  const [refreshing, setRefreshing] = React.useState(false);
  const jobs = model.jobs;
  return (
    <div className="jp-AtelierJobs-view">
      <div className="jp-AtelierJobs-toolbar">
        <h2 className="jp-AtelierJobs-title" id="atelier-jobs-title">
          Jobs
          <span className="jp-AtelierJobs-count" aria-label="Job count">
            {jobs.length}
          </span>
        </h2>
        <button
          type="button"
          className="jp-AtelierJobs-button"
          data-testid="jobs-refresh"
          aria-label="Refresh jobs"
          title="Refresh jobs"
          disabled={refreshing}
          onClick={() => {
            setRefreshing(true);
            void onRefresh().finally(() => setRefreshing(false));
          }}
        >
          Refresh
        </button>
        <div className="jp-AtelierJobs-actions">
          <button
            type="button"
            className="jp-AtelierJobs-button jp-mod-accept"
            data-testid="jobs-new"
            aria-label="New training job"
            title="New training job"
            onClick={() => onNewJob('training')}
          >
            + Training
          </button>
          <button
            type="button"
            className="jp-AtelierJobs-button"
            data-testid="jobs-new-processing"
            aria-label="New processing job"
            title="New processing job"
            onClick={() => onNewJob('processing')}
          >
            + Processing
          </button>
        </div>
      </div>
      <JobFilters
        filters={model.filters}
        instanceTypes={instanceTypes}
        onChange={filters => model.setFilters(filters)}
      />
      {model.error && (
        <p className="jp-AtelierJobs-error" role="alert">
          Cannot list jobs: {model.error}
        </p>
      )}
      {jobs.length > 0 ? (
        <ul
          className="jp-AtelierJobs-list"
          data-testid="jobs-list"
          aria-labelledby="atelier-jobs-title"
        >
          {jobs.map(job => (
            <JobRow
              key={`${job.Kind}/${job.Name}`}
              job={job}
              now={model.now}
              onOpen={onOpen}
              onClone={onClone}
            />
          ))}
        </ul>
      ) : model.loaded ? (
        <EmptyState filtered={hasFilters(model.filters)} onNewJob={onNewJob} />
      ) : (
        !model.error && <p className="jp-AtelierJobs-empty">Loading jobs…</p>
      )}
    </div>
  );
}
