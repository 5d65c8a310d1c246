import * as React from 'react';

import { nameParts } from '../names';

/**
 * A name clipped in its middle: its start may end in an ellipsis when the row
 * is narrow, its end (where it differs from the other names of the list) is
 * always shown whole. The full name is the tooltip.
 */
export function ClippedName(props: {
  name: string;
  others: ReadonlyArray<string>;
}): JSX.Element {
  const { head, tail } = nameParts(props.name, props.others);
  return (
    <span
      className="jp-AtelierJobs-rowName jp-AtelierJobs-clippedName"
      title={props.name}
      data-testid="job-row-name"
    >
      <span className="jp-AtelierJobs-nameHead">{head}</span>
      {tail && (
        <span
          className="jp-AtelierJobs-nameTail"
          data-testid="job-row-name-tail"
        >
          {tail}
        </span>
      )}
    </span>
  );
}
