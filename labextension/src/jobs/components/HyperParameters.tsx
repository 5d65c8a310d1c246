import * as React from 'react';

export interface IHyperParametersProps {
  rows: ReadonlyArray<{ name: string; value: string }>;
}

/** The job's hyperparameters as a two-column table. */
export function HyperParameters(props: IHyperParametersProps): JSX.Element {
  return (
    <section
      className="jp-AtelierJobs-section"
      aria-labelledby="atelier-job-hps"
    >
      <h3 id="atelier-job-hps">Hyperparameters</h3>
      {props.rows.length === 0 ? (
        <p className="jp-AtelierJobs-muted">None.</p>
      ) : (
        <table
          className="jp-AtelierJobs-table"
          data-testid="job-hyperparameters"
        >
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(row => (
              <tr key={row.name}>
                <td>{row.name}</td>
                <td className="jp-AtelierJobs-mono">{row.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
