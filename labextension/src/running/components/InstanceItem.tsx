import * as React from 'react';

import { IInstanceRow } from '../tokens';
import { formatPrice, instanceLabel } from '../instanceFormat';
import { BreakableText } from '../../components/BreakableText';

export interface IInstanceItemProps {
  row: IInstanceRow;
  /** True while this instance is being shut down. */
  busy: boolean;
  onShutdown: (row: IInstanceRow) => void;
}

/** One running instance: type, image, kernels, uptime, cost, time left. */
export function InstanceItem(props: IInstanceItemProps): JSX.Element {
  const { row, busy, onShutdown } = props;
  const label = instanceLabel(row);
  return (
    <li
      className="jp-AtelierRunning-item jp-AtelierRunning-instance"
      aria-label={`Instance ${label}`}
      data-instance-id={row.id}
      data-instance-type={row.instanceType}
      data-state={row.state}
    >
      <div className="jp-AtelierRunning-itemHeader">
        <span className="jp-AtelierRunning-path" title={row.id}>
          {row.instanceType}
        </span>
        <button
          type="button"
          className="jp-AtelierRunning-button jp-AtelierRunning-shutdown"
          aria-label={`Shut down instance ${label}`}
          title={`Shut down instance ${label}`}
          disabled={busy}
          onClick={() => onShutdown(row)}
        >
          {busy ? 'Stopping…' : 'Shut down'}
        </button>
      </div>
      {row.limitsNotice && (
        <p
          className="jp-AtelierRunning-notice jp-AtelierRunning-limitsNotice"
          role="note"
          aria-label={`Limits of ${label}`}
        >
          {row.limitsNotice}
        </p>
      )}
      <dl className="jp-AtelierRunning-details">
        <dt>Image</dt>
        <dd className="jp-AtelierRunning-image" title={row.runtime}>
          <BreakableText text={row.image} />
        </dd>
        <dt>Size</dt>
        <dd>
          {row.specLabel} · {formatPrice(row.pricePerHour)}
        </dd>
        <dt>Kernels</dt>
        <dd className="jp-AtelierRunning-instanceKernels">
          <span className="jp-AtelierRunning-kernelCount">
            {row.kernels.length}
          </span>
          {row.notebooks.length > 0 && (
            <ul aria-label={`Notebooks on ${label}`}>
              {row.notebooks.map((name, index) => (
                <li
                  key={row.kernels[index].id}
                  title={row.kernels[index].path ?? undefined}
                >
                  {name}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Uptime</dt>
        <dd className="jp-AtelierRunning-uptime">{row.uptimeLabel}</dd>
        <dt>Cost so far</dt>
        <dd className="jp-AtelierRunning-cost">{row.costLabel}</dd>
        {row.deadlineKind !== null && (
          <>
            <dt>{row.deadlineKind === 'stop' ? 'Stops' : 'Idle rule'}</dt>
            <dd
              className="jp-AtelierRunning-deadline"
              data-kind={row.deadlineKind}
            >
              {row.deadlineLabel}
            </dd>
          </>
        )}
      </dl>
    </li>
  );
}
