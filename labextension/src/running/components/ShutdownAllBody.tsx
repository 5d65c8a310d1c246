import * as React from 'react';

export interface IShutdownAllBodyProps {
  summary: string;
  lines: ReadonlyArray<string>;
  /** Accessible name of the list (default "Kernels to shut down"). */
  listLabel?: string;
}

/** Body of a shut down confirmation: lists what will stop. */
export function ShutdownAllBody(props: IShutdownAllBodyProps): JSX.Element {
  return (
    <div className="jp-AtelierRunning-confirm">
      <p>{props.summary}</p>
      {props.lines.length > 0 && (
        <ul aria-label={props.listLabel ?? 'Kernels to shut down'}>
          {props.lines.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
