import * as React from 'react';

export interface IShutdownAllBodyProps {
  summary: string;
  lines: ReadonlyArray<string>;
}

/** Body of the "Shut down all" confirmation: lists what will stop. */
export function ShutdownAllBody(props: IShutdownAllBodyProps): JSX.Element {
  return (
    <div className="jp-AtelierRunning-confirm">
      <p>{props.summary}</p>
      <ul aria-label="Kernels to shut down">
        {props.lines.map((line, index) => (
          <li key={index}>{line}</li>
        ))}
      </ul>
    </div>
  );
}
