import * as React from 'react';

import { formatTime } from '../../jobs/format';
import {
  capturePreview,
  captureSummary,
  recordKey,
  spoolUse
} from '../capture';
import { ICaptureRecord, ICaptureStatus } from '../tokens';

export interface ICaptureSectionProps {
  status: ICaptureStatus | null;
  records: ReadonlyArray<ICaptureRecord>;
  error: string | null;
  now: number;
}

const COUNTERS: Array<{ key: keyof ICaptureStatus; label: string }> = [
  { key: 'Captured', label: 'Captured' },
  { key: 'Uploaded', label: 'Uploaded' },
  { key: 'Pending', label: 'Pending' },
  { key: 'Dropped', label: 'Dropped' },
  { key: 'DroppedSpoolFull', label: 'Dropped (spool full)' }
];

/** The endpoint's data capture: settings, counters and the latest records. */
export function CaptureSection(props: ICaptureSectionProps): JSX.Element {
  const { status, records, now } = props;
  return (
    <section
      className="jp-AtelierJobs-section"
      aria-label="Data capture"
      data-testid="endpoint-capture"
      data-enabled={status ? String(status.EnableCapture) : undefined}
    >
      <h3>Data capture</h3>
      {props.error && (
        <p className="jp-AtelierJobs-error" role="alert">
          Cannot read the data capture: {props.error}
        </p>
      )}
      <p data-testid="endpoint-capture-summary">{captureSummary(status)}</p>
      {status && (
        <dl
          className="jp-AtelierJobs-facts"
          data-testid="endpoint-capture-counters"
        >
          {COUNTERS.map(c => (
            <React.Fragment key={c.key}>
              <dt>{c.label}</dt>
              <dd data-counter={c.key}>{String(status[c.key] ?? 0)}</dd>
            </React.Fragment>
          ))}
          <dt>Spool</dt>
          <dd data-counter="SpoolBytes">{spoolUse(status)}</dd>
          <dt>Last upload</dt>
          <dd>
            {status.LastUploadTime
              ? formatTime(status.LastUploadTime, now)
              : '—'}
          </dd>
        </dl>
      )}
      {status?.LastError && (
        <p
          className="jp-AtelierJobs-error"
          data-testid="endpoint-capture-error"
        >
          Last capture error: {status.LastError}
        </p>
      )}
      {records.length > 0 ? (
        <table
          className="jp-AtelierJobs-table"
          aria-label="Latest captured invocations"
          data-testid="endpoint-capture-records"
        >
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Variant</th>
              <th scope="col">Input</th>
              <th scope="col">Output</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r, i) => {
              const input = r.captureData?.endpointInput;
              const output = r.captureData?.endpointOutput;
              return (
                <tr key={recordKey(r, i)} data-testid="endpoint-capture-record">
                  <td>{formatTime(r.eventMetadata?.inferenceTime, now)}</td>
                  <td>{r.Variant ?? '—'}</td>
                  <td
                    className="jp-AtelierJobs-mono"
                    title={input?.observedContentType}
                  >
                    {capturePreview(input)}
                  </td>
                  <td
                    className="jp-AtelierJobs-mono"
                    title={output?.observedContentType}
                  >
                    {capturePreview(output)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        status?.EnableCapture && (
          <p className="jp-AtelierJobs-muted">No invocation captured yet.</p>
        )
      )}
    </section>
  );
}
