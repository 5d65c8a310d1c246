import * as React from 'react';

import { IInstanceRow } from '../tokens';
import { InstanceItem } from './InstanceItem';

export interface IInstanceListProps {
  rows: ReadonlyArray<IInstanceRow>;
  /** Ids of instances being shut down. */
  stopping: ReadonlySet<string>;
  onShutdown: (row: IInstanceRow) => void;
}

/** The list of running instances. */
export function InstanceList(props: IInstanceListProps): JSX.Element {
  const { rows, stopping, onShutdown } = props;
  return (
    <ul className="jp-AtelierRunning-list" aria-label="Running instances">
      {rows.map(row => (
        <InstanceItem
          key={row.id}
          row={row}
          busy={stopping.has(row.id)}
          onShutdown={onShutdown}
        />
      ))}
    </ul>
  );
}
