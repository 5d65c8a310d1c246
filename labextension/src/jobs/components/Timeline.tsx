import * as React from 'react';

import { formatDuration, formatTime, timelineRows } from '../format';
import { IStatusTransition } from '../tokens';

export interface ITimelineProps {
  transitions: ReadonlyArray<IStatusTransition> | null | undefined;
  now: number;
}

/** The secondary status steps, with their times and messages. */
export function Timeline(props: ITimelineProps): JSX.Element | null {
  const rows = timelineRows(props.transitions, props.now);
  if (rows.length === 0) {
    return null;
  }
  return (
    <section
      className="jp-AtelierJobs-section"
      aria-labelledby="atelier-job-timeline"
    >
      <h3 id="atelier-job-timeline">Status timeline</h3>
      <ol className="jp-AtelierJobs-timeline" data-testid="job-timeline">
        {rows.map((row, i) => (
          <li
            key={`${row.status}-${i}`}
            className={`jp-AtelierJobs-step${row.current ? ' jp-mod-current' : ''}`}
            data-status={row.status}
          >
            <span className="jp-AtelierJobs-stepStatus">{row.status}</span>
            <span className="jp-AtelierJobs-stepTime">
              {formatTime(row.start, props.now)}
              {row.end !== null ? ` – ${formatTime(row.end, props.now)}` : ''}
            </span>
            <span className="jp-AtelierJobs-stepDuration">
              {formatDuration(row.durationSeconds)}
            </span>
            <span className="jp-AtelierJobs-stepMessage">{row.message}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
