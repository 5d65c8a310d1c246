import {
  EMPTY_FILTERS,
  filtersQuery,
  hasFilters,
  matchesFilters,
  sortJobs
} from '../filters';
import { IJobSummary } from '../tokens';

const job = (
  name: string,
  created: string,
  extra: Partial<IJobSummary> = {}
): IJobSummary => ({
  Kind: 'training',
  Name: name,
  Status: 'Completed',
  CreationTime: created,
  InstanceType: 'ml.m5.large',
  ...extra
});

describe('filtersQuery', () => {
  it('is empty without filters', () => {
    expect(filtersQuery(EMPTY_FILTERS)).toBe('');
    expect(hasFilters(EMPTY_FILTERS)).toBe(false);
  });

  it('sends only the set filters, trimmed and encoded', () => {
    expect(
      filtersQuery({
        kind: 'processing',
        status: 'InProgress',
        nameContains: '  my job ',
        instanceType: 'ml.m5.large'
      })
    ).toBe(
      '?kind=processing&status=InProgress&name_contains=my+job&instance_type=ml.m5.large'
    );
    expect(filtersQuery({ ...EMPTY_FILTERS, nameContains: '   ' })).toBe('');
  });
});

describe('matchesFilters', () => {
  it('applies kind, status, name (any case) and instance type', () => {
    const j = job('Sklearn-Run', '2026-01-01T00:00:00Z');
    expect(matchesFilters(j, EMPTY_FILTERS)).toBe(true);
    expect(
      matchesFilters(j, { ...EMPTY_FILTERS, nameContains: 'sklearn' })
    ).toBe(true);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, kind: 'processing' })).toBe(
      false
    );
    expect(matchesFilters(j, { ...EMPTY_FILTERS, status: 'Failed' })).toBe(
      false
    );
    expect(
      matchesFilters(j, { ...EMPTY_FILTERS, instanceType: 'ml.t3.medium' })
    ).toBe(false);
  });
});

describe('sortJobs', () => {
  it('lists the newest first, ties by name, without changing the input', () => {
    const input = [
      job('b', '2026-01-01T00:00:00Z'),
      job('c', '2026-01-02T00:00:00Z'),
      job('a', '2026-01-01T00:00:00Z')
    ];
    expect(sortJobs(input).map(j => j.Name)).toEqual(['c', 'a', 'b']);
    expect(input.map(j => j.Name)).toEqual(['b', 'c', 'a']);
  });
});
