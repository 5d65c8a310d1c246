import {
  formatBytes,
  formatDuration,
  isActive,
  isTerminal,
  jobDurationSeconds,
  progressView,
  statusBadge,
  timelineRows
} from '../format';

describe('statusBadge', () => {
  it('maps each primary status to a tone and words', () => {
    expect(statusBadge('InProgress')).toEqual({
      tone: 'running',
      label: 'In progress'
    });
    expect(statusBadge('Completed').tone).toBe('success');
    expect(statusBadge('Failed').tone).toBe('error');
    expect(statusBadge('Stopping').tone).toBe('warning');
    expect(statusBadge('Stopped').tone).toBe('neutral');
  });

  it('shows an unknown status as itself, neutral', () => {
    expect(statusBadge('Paused')).toEqual({ tone: 'neutral', label: 'Paused' });
    expect(statusBadge(undefined)).toEqual({
      tone: 'neutral',
      label: 'Unknown'
    });
    expect(statusBadge('toString').label).toBe('toString');
  });

  it('knows terminal and active statuses', () => {
    expect(['Completed', 'Failed', 'Stopped'].every(isTerminal)).toBe(true);
    expect(isTerminal('InProgress')).toBe(false);
    expect(isActive('Stopping')).toBe(true);
    expect(isActive('Failed')).toBe(false);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [42.9, '42 s'],
    [65, '1 min 05 s'],
    [3600 + 7 * 60 + 3, '1 h 07 min'],
    [3 * 86400 + 4 * 3600, '3 d 04 h'],
    [-5, '0 s']
  ])('%p seconds read "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('reads a dash for no duration', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(NaN)).toBe('—');
  });
});

describe('jobDurationSeconds', () => {
  const start = '2026-05-25T10:00:00Z';
  const t0 = Date.parse(start);

  it('ticks to now while the job runs', () => {
    const job = { CreationTime: start, Status: 'InProgress' };
    expect(jobDurationSeconds(job, t0 + 90_000)).toBe(90);
    expect(jobDurationSeconds(job, t0 + 91_000)).toBe(91);
  });

  it('uses start to end once finished', () => {
    const job = {
      CreationTime: '2026-05-25T09:59:00Z',
      StartTime: start,
      EndTime: '2026-05-25T10:02:00Z',
      Status: 'Completed'
    };
    expect(jobDurationSeconds(job, t0 + 999_999)).toBe(120);
  });

  it("falls back to the server's duration for a finished job without times", () => {
    expect(
      jobDurationSeconds(
        { Status: 'Failed', CreationTime: start, DurationSeconds: 7 },
        t0
      )
    ).toBe(7);
  });
});

describe('formatBytes and progressView', () => {
  it('reads bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12 MiB');
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GiB');
    expect(formatBytes(1024)).toBe('1 KiB');
  });

  it('shows the phase, bytes and percent', () => {
    expect(
      progressView({
        Phase: 'Downloading',
        BytesDone: 12 * 1024 ** 2,
        BytesTotal: 40 * 1024 ** 2
      })
    ).toEqual({
      label: 'Downloading inputs',
      percent: 30,
      text: '12 MiB of 40 MiB (30%)'
    });
    expect(
      progressView({ Phase: 'Uploading', BytesDone: 5, BytesTotal: 5 })?.percent
    ).toBe(100);
  });

  it('has no percent without a total, and no bar without progress', () => {
    expect(
      progressView({ Phase: 'Uploading', BytesDone: 2048, BytesTotal: 0 })
    ).toEqual({
      label: 'Uploading outputs',
      percent: null,
      text: '2 KiB'
    });
    expect(progressView(null)).toBeNull();
  });
});

describe('timelineRows', () => {
  it('gives each step its duration; the open last one ticks', () => {
    const rows = timelineRows(
      [
        {
          Status: 'Starting',
          StartTime: '2026-05-25T10:00:00Z',
          EndTime: '2026-05-25T10:00:05Z',
          StatusMessage: 'Preparing the instances for training'
        },
        { Status: 'Training', StartTime: '2026-05-25T10:00:05Z' }
      ],
      Date.parse('2026-05-25T10:01:05Z')
    );
    expect(rows.map(r => [r.status, r.durationSeconds, r.current])).toEqual([
      ['Starting', 5, false],
      ['Training', 60, true]
    ]);
    expect(rows[0].message).toBe('Preparing the instances for training');
    expect(rows[1].message).toBe('');
  });
});
