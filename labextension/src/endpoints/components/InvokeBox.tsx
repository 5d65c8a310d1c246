import * as React from 'react';

import { FailureBox } from '../../components/FailureBox';
import { messageOf } from '../../messages';
import { formatMillis } from '../format';
import {
  ACCEPT_TYPES,
  CONTENT_TYPES,
  displayBody,
  payloadError,
  samplePayload
} from '../invoke';
import { IInvokeRequest, IInvokeResult } from '../tokens';

export interface IInvokeBoxProps {
  variants: ReadonlyArray<string>;
  enabled: boolean;
  /** Why invoking is off, when it is. */
  disabledReason?: string;
  invoke: (request: IInvokeRequest) => Promise<IInvokeResult>;
}

/**
 * Send a payload to the endpoint (InvokeEndpoint) and see the answer, the
 * variant that served it, its status and how long it took.
 */
export function InvokeBox(props: IInvokeBoxProps): JSX.Element {
  const { variants, enabled } = props;
  const [contentType, setContentType] = React.useState(CONTENT_TYPES[0]);
  const [accept, setAccept] = React.useState(ACCEPT_TYPES[0]);
  const [target, setTarget] = React.useState('');
  const [body, setBody] = React.useState(samplePayload(CONTENT_TYPES[0]));
  const [busy, setBusy] = React.useState(false);
  const [result, setResult] = React.useState<IInvokeResult | null>(null);
  const [failure, setFailure] = React.useState<string | null>(null);
  const [submitted, setSubmitted] = React.useState(false);
  const error = submitted ? payloadError(body, contentType) : null;
  // Ids unique to this box: several endpoint tabs can be open.
  const uid = React.useId();

  const send = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setSubmitted(true);
    if (payloadError(body, contentType)) {
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      setResult(
        await props.invoke({ body, contentType, accept, targetVariant: target })
      );
    } catch (e) {
      setResult(null);
      setFailure(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="jp-AtelierJobs-section jp-AtelierEndpoints-invoke"
      aria-label="Invoke the endpoint"
      data-testid="endpoint-invoke"
      onSubmit={event => void send(event)}
      noValidate
    >
      <h3>Invoke</h3>
      {!enabled && props.disabledReason && (
        <p className="jp-AtelierJobs-muted">{props.disabledReason}</p>
      )}
      <label htmlFor={`${uid}-payload`}>Payload</label>
      <textarea
        id={`${uid}-payload`}
        className="jp-AtelierJobs-input jp-AtelierJobs-mono"
        rows={5}
        spellCheck={false}
        value={body}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${uid}-payload-error` : undefined}
        onChange={e => setBody(e.target.value)}
      />
      {error && (
        <span id={`${uid}-payload-error`} className="jp-AtelierJobs-fieldError">
          {error}
        </span>
      )}
      <div className="jp-AtelierEndpoints-invokeOptions">
        <label htmlFor={`${uid}-content-type`}>Content-Type</label>
        <select
          id={`${uid}-content-type`}
          className="jp-AtelierJobs-select"
          value={contentType}
          onChange={e => {
            const next = e.target.value;
            if (body === samplePayload(contentType)) {
              setBody(samplePayload(next));
            }
            setContentType(next);
          }}
        >
          {CONTENT_TYPES.map(t => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <label htmlFor={`${uid}-accept`}>Accept</label>
        <select
          id={`${uid}-accept`}
          className="jp-AtelierJobs-select"
          value={accept}
          onChange={e => setAccept(e.target.value)}
        >
          {ACCEPT_TYPES.map(t => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <label htmlFor={`${uid}-target`}>Target variant</label>
        <select
          id={`${uid}-target`}
          className="jp-AtelierJobs-select"
          value={target}
          onChange={e => setTarget(e.target.value)}
        >
          <option value="">Any (by weight)</option>
          {variants.map(v => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <button
          type="submit"
          className="jp-AtelierJobs-button jp-mod-accept"
          disabled={!enabled || busy}
        >
          {busy ? 'Invoking…' : 'Invoke'}
        </button>
      </div>
      {failure && (
        <p className="jp-AtelierJobs-error" role="alert">
          Could not reach the endpoint: {failure}
        </p>
      )}
      {result && <InvokeResult result={result} />}
    </form>
  );
}

/** The answer of the last invocation. */
function InvokeResult(props: { result: IInvokeResult }): JSX.Element {
  const { result } = props;
  return (
    <div
      className="jp-AtelierEndpoints-result"
      role="status"
      aria-label="Invocation result"
      data-testid="endpoint-invoke-result"
      data-status={result.status}
      data-variant={result.variant ?? ''}
    >
      <dl className="jp-AtelierJobs-facts">
        <dt>Status</dt>
        <dd data-testid="endpoint-invoke-status">{result.status}</dd>
        <dt>Variant</dt>
        <dd data-testid="endpoint-invoke-variant">{result.variant ?? '—'}</dd>
        <dt>Time</dt>
        <dd data-testid="endpoint-invoke-time">
          {formatMillis(result.millis)}
        </dd>
        {result.contentType && (
          <>
            <dt>Content-Type</dt>
            <dd>{result.contentType}</dd>
          </>
        )}
      </dl>
      {result.ok ? (
        <pre
          className="jp-AtelierJobs-mono jp-AtelierEndpoints-answer"
          data-testid="endpoint-invoke-body"
        >
          {displayBody(result)}
        </pre>
      ) : (
        <FailureBox
          reason={result.body || `HTTP ${result.status}`}
          heading={`Refused (${result.status}):`}
          testId="endpoint-invoke-body"
        />
      )}
    </div>
  );
}
