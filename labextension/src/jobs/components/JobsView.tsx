import * as React from 'react';

import { SidebarListToolbar } from '../../components/SidebarList';
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
  const jobs = model.jobs;
  const names = jobs.map(job => job.Name);
  return (
    <div className="jp-AtelierJobs-view">
      <SidebarListToolbar
        title="Jobs"
        titleId="atelier-jobs-title"
        count={jobs.length}
        countLabel="Job count"
        refreshLabel="Refresh jobs"
        refreshTestId="jobs-refresh"
        onRefresh={onRefresh}
      >
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
      </SidebarListToolbar>
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
              names={names}
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
