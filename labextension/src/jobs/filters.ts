import { IJobSummary, JobKind } from './tokens';

/** The list's filters; empty strings mean "any". */
export interface IJobFilters {
  status: string;
  kind: '' | JobKind;
  nameContains: string;
  instanceType: string;
}

export const EMPTY_FILTERS: IJobFilters = {
  status: '',
  kind: '',
  nameContains: '',
  instanceType: ''
};

/**
 * The query string of `GET atelier/api/jobs` for the filters: only the set
 * ones, trimmed, in a stable order ("" when none is set).
 */
export function filtersQuery(filters: IJobFilters): string {
  const params = new URLSearchParams();
  if (filters.kind) {
    params.set('kind', filters.kind);
  }
  if (filters.status) {
    params.set('status', filters.status);
  }
  const name = filters.nameContains.trim();
  if (name) {
    params.set('name_contains', name);
  }
  const type = filters.instanceType.trim();
  if (type) {
    params.set('instance_type', type);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** True when any filter is set. */
export function hasFilters(filters: IJobFilters): boolean {
  return filtersQuery(filters) !== '';
}

/**
 * Whether a job passes the filters, as the server decides it (used for jobs
 * pushed by events, which are not filtered by the server).
 */
export function matchesFilters(
  job: IJobSummary,
  filters: IJobFilters
): boolean {
  if (filters.kind && job.Kind !== filters.kind) {
    return false;
  }
  if (filters.status && job.Status !== filters.status) {
    return false;
  }
  const name = filters.nameContains.trim().toLowerCase();
  if (name && !job.Name.toLowerCase().includes(name)) {
    return false;
  }
  const type = filters.instanceType.trim();
  if (type && job.InstanceType !== type) {
    return false;
  }
  return true;
}

/** Newest first by creation time; ties by name so the order is stable. */
export function sortJobs(jobs: ReadonlyArray<IJobSummary>): IJobSummary[] {
  const time = (job: IJobSummary): number => {
    const t = Date.parse(job.CreationTime);
    return Number.isNaN(t) ? 0 : t;
  };
  return [...jobs].sort(
    (a, b) => time(b) - time(a) || a.Name.localeCompare(b.Name)
  );
}

/** The key of a job in the list: kinds have separate name spaces. */
export function jobKey(job: { Kind: JobKind; Name: string }): string {
  return `${job.Kind}/${job.Name}`;
}
