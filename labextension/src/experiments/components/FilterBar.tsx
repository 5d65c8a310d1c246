import * as React from 'react';

import { IFilterError } from '../model';

export interface IFilterBarProps {
  value: string;
  error: IFilterError | null;
  onApply: (filter: string) => void;
}

/**
 * The filter box: MLflow's search grammar, applied by the server on Enter.
 * A malformed filter shows the server's message and marks where it points.
 */
export function FilterBar(props: IFilterBarProps): JSX.Element {
  const [text, setText] = React.useState(props.value);
  const input = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => setText(props.value), [props.value]);
  const error = props.error;
  React.useEffect(() => {
    if (error && error.position !== null && input.current) {
      input.current.setSelectionRange(error.position, error.position);
    }
  }, [error]);
  const position = error?.position ?? null;
  return (
    <div className="jp-AtelierExperiments-filter">
      <input
        ref={input}
        type="search"
        className="jp-mod-styled"
        aria-label="Filter runs"
        aria-invalid={!!error}
        placeholder="metrics.rmse < 0.5 and params.model = 'cnn'"
        value={text}
        onChange={e => setText(e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Enter') {
            props.onApply(text);
          }
        }}
        data-testid="experiments-filter"
      />
      {error && (
        <div
          role="alert"
          className="jp-AtelierExperiments-filterError"
          data-testid="experiments-filter-error"
        >
          {position !== null && (
            <pre
              className="jp-AtelierExperiments-filterCaret"
              data-position={position}
            >
              {props.value.slice(0, position)}
              <mark>{props.value.slice(position, position + 1) || ' '}</mark>
              {props.value.slice(position + 1)}
              {'\n' + ' '.repeat(position) + '^'}
            </pre>
          )}
          <span>{error.message}</span>
        </div>
      )}
    </div>
  );
}
