import * as React from 'react';

import { MetricSeries, metricNames } from '../metrics';
import { MetricChart } from './MetricChart';

/** One chart per metric; how to get metrics when there are none. */
export function MetricCharts(props: {
  series: MetricSeries;
  live: boolean;
  /** Changes when JupyterLab's theme changes. */
  themeVersion?: number;
}): JSX.Element {
  const names = metricNames(props.series);
  return (
    <section
      className="jp-AtelierJobs-section"
      aria-labelledby="atelier-job-metrics"
    >
      <h3 id="atelier-job-metrics">Metrics</h3>
      {names.length === 0 ? (
        <p className="jp-AtelierJobs-muted">
          {props.live
            ? 'No metric values yet. Metrics come from log lines that match the job’s metric definitions.'
            : 'No metrics: no log line matched the job’s metric definitions.'}
        </p>
      ) : (
        <div className="jp-AtelierJobs-charts">
          {names.map(name => (
            <MetricChart
              key={name}
              name={name}
              samples={props.series[name]}
              themeVersion={props.themeVersion}
            />
          ))}
        </div>
      )}
    </section>
  );
}
