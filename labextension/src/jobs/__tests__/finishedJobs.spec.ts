import { FinishedJobs, noticeFor } from '../finishedJobs';
import { IJobSummary } from '../tokens';

function job(
  Name: string,
  Status: string,
  extra: Partial<IJobSummary> = {}
): IJobSummary {
  return {
    Kind: 'training',
    Name,
    Status,
    CreationTime: '2026-12-02T10:00:00Z',
    ...extra
  };
}

describe('FinishedJobs', () => {
  it('gives one notice when a job seen running completes', () => {
    const jobs = new FinishedJobs();
    expect(jobs.observe(job('a', 'InProgress'))).toBeNull();
    expect(jobs.observe(job('a', 'InProgress'))).toBeNull();
    expect(jobs.observe(job('a', 'Completed'))).toEqual({
      kind: 'training',
      name: 'a',
      status: 'Completed',
      type: 'success',
      message: 'Training job a completed.'
    });
    // The same end seen again (a frame and a list) is not announced twice.
    expect(jobs.observe(job('a', 'Completed'))).toBeNull();
    expect(jobs.watching).toBe(0);
  });

  it('gives no notice for a job first seen ended', () => {
    const jobs = new FinishedJobs();
    expect(jobs.observe(job('old', 'Completed'))).toBeNull();
    expect(
      jobs.observe(job('old2', 'Failed', { FailureReason: 'x' }))
    ).toBeNull();
    expect(jobs.watching).toBe(0);
  });

  it('follows a job through Stopping to Stopped', () => {
    const jobs = new FinishedJobs();
    jobs.observe(job('s', 'InProgress'));
    expect(jobs.observe(job('s', 'Stopping'))).toBeNull();
    expect(jobs.observe(job('s', 'Stopped'))?.type).toBe('warning');
  });

  it('tells a training job from a processing job of the same name', () => {
    const jobs = new FinishedJobs();
    jobs.observe(job('same', 'InProgress', { Kind: 'processing' }));
    expect(jobs.observe(job('same', 'Completed'))).toBeNull();
    expect(
      jobs.observe(job('same', 'Completed', { Kind: 'processing' }))?.message
    ).toBe('Processing job same completed.');
  });
});

describe('noticeFor', () => {
  it('carries the failure reason as an error', () => {
    expect(
      noticeFor(
        job('f', 'Failed', { FailureReason: ' AlgorithmError: exit 3 ' })
      )
    ).toMatchObject({
      type: 'error',
      message: 'Training job f failed: AlgorithmError: exit 3'
    });
    expect(noticeFor(job('f', 'Failed'))?.message).toBe(
      'Training job f failed.'
    );
  });

  it('is null for a status that is not an end', () => {
    expect(noticeFor(job('r', 'InProgress'))).toBeNull();
    expect(noticeFor(job('r', 'Stopping'))).toBeNull();
  });
});
