import * as React from 'react';

import { IKernelRow } from '../tokens';
import { KernelItem } from './KernelItem';

export interface IKernelListProps {
  rows: ReadonlyArray<IKernelRow>;
  /** Ids of kernels being shut down. */
  stopping: ReadonlySet<string>;
  onShutdown: (row: IKernelRow) => void;
}

/** The list of running kernels. */
export function KernelList(props: IKernelListProps): JSX.Element {
  const { rows, stopping, onShutdown } = props;
  return (
    <ul className="jp-AtelierRunning-list" aria-label="Running kernels">
      {rows.map(row => (
        <KernelItem
          key={row.id}
          row={row}
          busy={stopping.has(row.id)}
          onShutdown={onShutdown}
        />
      ))}
    </ul>
  );
}
