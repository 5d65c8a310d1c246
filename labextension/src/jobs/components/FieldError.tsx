import * as React from 'react';

/** The messages of a field, next to it. */
export function FieldError(props: {
  id?: string;
  messages: ReadonlyArray<string>;
}): JSX.Element | null {
  if (props.messages.length === 0) {
    return null;
  }
  return (
    <span
      id={props.id}
      className="jp-AtelierJobs-fieldError"
      role="alert"
      data-testid="job-form-field-error"
    >
      {props.messages.join('; ')}
    </span>
  );
}
