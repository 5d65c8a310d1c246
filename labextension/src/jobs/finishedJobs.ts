import { isActive } from './format';
import { IJobSummary, JobKind } from './tokens';

/** What to tell the user about a job that ended while the page watched it. */
export interface IJobNotice {
  kind: JobKind;
  name: string;
  status: 'Completed' | 'Failed' | 'Stopped';
  /** The notification's type in JupyterLab's notification system. */
  type: 'success' | 'error' | 'warning';
  message: string;
}

function kindLabel(kind: JobKind): string {
  return kind === 'processing' ? 'Processing job' : 'Training job';
}

/**
 * Jobs seen running by this page, and the notice due when one of them ends.
 * A job first seen already ended (finished before the page loaded, or while
 * no one watched) gives no notice: the user did not see it run.
 */
export class FinishedJobs {
  /** A job's summary, from a frame or a list: the notice it is due, if any. */
  observe(job: IJobSummary): IJobNotice | null {
    const key = `${job.Kind}\u0000${job.Name}`;
    if (isActive(job.Status)) {
      this._running.add(key);
      return null;
    }
    if (!this._running.has(key)) {
      return null;
    }
    const notice = noticeFor(job);
    if (notice) {
      this._running.delete(key);
    }
    return notice;
  }

  /** How many jobs are being watched (seen running, not yet ended). */
  get watching(): number {
    return this._running.size;
  }

  private _running = new Set<string>();
}

/** The notice of an ended job, or null for a status that is not an end. */
export function noticeFor(job: IJobSummary): IJobNotice | null {
  const what = `${kindLabel(job.Kind)} ${job.Name}`;
  switch (job.Status) {
    case 'Completed':
      return {
        kind: job.Kind,
        name: job.Name,
        status: 'Completed',
        type: 'success',
        message: `${what} completed.`
      };
    case 'Failed': {
      const reason = (job.FailureReason ?? '').trim();
      return {
        kind: job.Kind,
        name: job.Name,
        status: 'Failed',
        type: 'error',
        message: reason ? `${what} failed: ${reason}` : `${what} failed.`
      };
    }
    case 'Stopped':
      return {
        kind: job.Kind,
        name: job.Name,
        status: 'Stopped',
        type: 'warning',
        message: `${what} was stopped.`
      };
    default:
      return null;
  }
}
