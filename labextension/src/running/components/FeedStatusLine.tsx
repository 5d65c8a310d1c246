import * as React from 'react';

import { FeedStatus } from '../tokens';

export interface IFeedStatusLineProps {
  status: FeedStatus;
  error: string | null;
}

const LABELS: Record<FeedStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Polling (live updates reconnecting)'
};

/** Says how the list is kept up to date, and the last error if any. */
export function FeedStatusLine(props: IFeedStatusLineProps): JSX.Element {
  const { status, error } = props;
  return (
    <div
      className={`jp-AtelierRunning-feed jp-AtelierRunning-feed-${status}`}
      role="status"
      aria-label="Update status"
      data-status={status}
    >
      <span>{LABELS[status]}</span>
      {error && <span className="jp-AtelierRunning-feedError">{error}</span>}
    </div>
  );
}
