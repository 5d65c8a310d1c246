import * as React from 'react';

/** A detail tab before its first description: loading, or why it cannot be read. */
export function DetailLoading(props: {
  /** "job", "endpoint". */
  noun: string;
  name: string;
  error: string | null;
}): JSX.Element {
  return (
    <div className="jp-AtelierJobs-detail">
      {props.error ? (
        <p className="jp-AtelierJobs-error" role="alert">
          Cannot read {props.noun} {props.name}: {props.error}
        </p>
      ) : (
        <p className="jp-AtelierJobs-muted">
          Loading {props.noun} {props.name}…
        </p>
      )}
    </div>
  );
}

/** The last refresh of a detail failed; what is shown is from before. */
export function RefreshError(props: {
  error: string | null;
}): JSX.Element | null {
  return props.error ? (
    <p className="jp-AtelierJobs-error" role="alert">
      Cannot refresh: {props.error}
    </p>
  ) : null;
}
