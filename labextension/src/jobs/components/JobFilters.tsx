import * as React from 'react';

import { IJobFilters } from '../filters';
import { JOB_STATUSES, JobKind } from '../tokens';
import { statusBadge } from '../format';

export interface IJobFiltersProps {
  filters: IJobFilters;
  /** Instance types to offer (catalog names). */
  instanceTypes: ReadonlyArray<string>;
  onChange: (filters: Partial<IJobFilters>) => void;
}

/** Status, kind, instance type and name filters; applied by the server. */
export function JobFilters(props: IJobFiltersProps): JSX.Element {
  const { filters, instanceTypes, onChange } = props;
  const [name, setName] = React.useState(filters.nameContains);
  // The name is sent once typing pauses, not on every key.
  React.useEffect(() => {
    if (name === filters.nameContains) {
      return;
    }
    const timer = setTimeout(() => onChange({ nameContains: name }), 300);
    return () => clearTimeout(timer);
  }, [name]);
  return (
    <div
      className="jp-AtelierJobs-filters"
      role="search"
      aria-label="Filter jobs"
    >
      <input
        type="search"
        className="jp-AtelierJobs-input jp-AtelierJobs-filterName"
        data-testid="jobs-filter-name"
        placeholder="Search names"
        aria-label="Job name contains"
        value={name}
        onChange={event => setName(event.target.value)}
      />
      <select
        className="jp-AtelierJobs-select"
        data-testid="jobs-filter-status"
        aria-label="Status"
        title="Status"
        value={filters.status}
        onChange={event => onChange({ status: event.target.value })}
      >
        <option value="">Any status</option>
        {JOB_STATUSES.map(status => (
          <option key={status} value={status}>
            {statusBadge(status).label}
          </option>
        ))}
      </select>
      <select
        className="jp-AtelierJobs-select"
        data-testid="jobs-filter-kind"
        aria-label="Kind"
        title="Kind"
        value={filters.kind}
        onChange={event =>
          onChange({ kind: event.target.value as '' | JobKind })
        }
      >
        <option value="">Any kind</option>
        <option value="training">Training</option>
        <option value="processing">Processing</option>
      </select>
      <select
        className="jp-AtelierJobs-select"
        data-testid="jobs-filter-instance-type"
        aria-label="Instance type"
        title="Instance type"
        value={filters.instanceType}
        onChange={event => onChange({ instanceType: event.target.value })}
      >
        <option value="">Any instance type</option>
        {instanceTypes.map(type => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
    </div>
  );
}
