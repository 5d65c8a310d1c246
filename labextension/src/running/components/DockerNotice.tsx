import * as React from 'react';

export interface IDockerNoticeProps {
  /** What to say (see `dockerNotice`), or null to show nothing. */
  notice: string | null;
}

/** Says why Docker instances cannot start, while that is so. */
export function DockerNotice(props: IDockerNoticeProps): JSX.Element | null {
  if (!props.notice) {
    return null;
  }
  return (
    <p
      className="jp-AtelierRunning-notice jp-AtelierRunning-dockerNotice"
      role="note"
      aria-label="Docker status"
    >
      {props.notice}
    </p>
  );
}
