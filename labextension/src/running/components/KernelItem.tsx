import * as React from 'react';

import { IKernelRow } from '../tokens';
import { parseTimestamp, restartsLabel } from '../format';
import { StateBadge } from './StateBadge';
import { BreakableText } from '../../components/BreakableText';

export interface IKernelItemProps {
  row: IKernelRow;
  /** True while this kernel is being shut down. */
  busy: boolean;
  onShutdown: (row: IKernelRow) => void;
}

/** One kernel of the list, with its details and a "Shut down" button. */
export function KernelItem(props: IKernelItemProps): JSX.Element {
  const { row, busy, onShutdown } = props;
  const time = parseTimestamp(row.lastActivity);
  const restarts = restartsLabel(row);
  const activityTitle =
    time === null ? undefined : new Date(time).toLocaleString();
  return (
    <li
      className="jp-AtelierRunning-item"
      aria-label={`Kernel ${row.label}`}
      data-kernel-id={row.id}
      data-state={row.state}
    >
      <div className="jp-AtelierRunning-itemHeader">
        <span
          className="jp-AtelierRunning-path"
          title={row.path ?? 'Notebook unknown'}
        >
          {row.pathLabel}
        </span>
        <button
          type="button"
          className="jp-AtelierRunning-button jp-AtelierRunning-shutdown"
          aria-label={`Shut down kernel ${row.label}`}
          title={`Shut down kernel ${row.label}`}
          disabled={busy}
          onClick={() => onShutdown(row)}
        >
          {busy ? 'Stopping…' : 'Shut down'}
        </button>
      </div>
      <dl className="jp-AtelierRunning-details">
        <dt>Kernel</dt>
        <dd className="jp-AtelierRunning-kernelName">{row.displayName}</dd>
        <dt>State</dt>
        <dd>
          <StateBadge state={row.state} reason={row.reason} />
        </dd>
        {row.reason !== null && (
          <>
            <dt>Reason</dt>
            <dd className="jp-AtelierRunning-reason">{row.reason}</dd>
          </>
        )}
        {restarts !== null && (
          <>
            <dt>Restarts</dt>
            <dd className="jp-AtelierRunning-restarts">{restarts}</dd>
          </>
        )}
        <dt>Last activity</dt>
        <dd>
          <time dateTime={row.lastActivity ?? undefined} title={activityTitle}>
            {row.lastActivityLabel}
          </time>
        </dd>
        {row.instanceType !== null && (
          <>
            <dt>Instance</dt>
            <dd className="jp-AtelierRunning-kernelInstance">
              <BreakableText
                text={
                  row.image
                    ? `${row.instanceType} · ${row.image}`
                    : row.instanceType
                }
              />
            </dd>
          </>
        )}
        {row.idleShutdownLabel !== null && row.idleShutdownAt !== null && (
          <>
            <dt>Idle shutdown</dt>
            <dd
              className="jp-AtelierRunning-kernelIdle"
              title={`The idle rule of ${row.instanceType ?? 'its instance type'} shuts this kernel down at ${new Date(row.idleShutdownAt).toLocaleString()} unless it runs code`}
            >
              <time dateTime={new Date(row.idleShutdownAt).toISOString()}>
                {row.idleShutdownLabel}
              </time>
            </dd>
          </>
        )}
        <dt>Connections</dt>
        <dd className="jp-AtelierRunning-connections">{row.connections}</dd>
      </dl>
    </li>
  );
}
