import * as React from 'react';
import uPlot from 'uplot';

import { runColor } from '../../experiments/compare/palette';
import { UPlotChart, themedAxes } from '../../experiments/detail/chart';
import { formatFigure, timeRange } from '../../jobs/metrics';
import {
  ENDPOINT_CHARTS,
  IChartSpec,
  chartSeries,
  latestFigure,
  totals,
  metricVariants
} from '../metrics';
import { IEndpointMetrics } from '../tokens';

const HEIGHT = 150;

export interface IEndpointChartsProps {
  metrics: IEndpointMetrics | null;
  /** The endpoint's variants, so that each keeps its colour before it has minutes. */
  variants: ReadonlyArray<string>;
  error?: string | null;
}

/**
 * Invocations, 4XX and 5XX errors, ModelLatency and OverheadLatency per
 * minute of the last hour, one line a variant, one colour a variant.
 */
export function EndpointCharts(props: IEndpointChartsProps): JSX.Element {
  const names = [
    ...new Set([...props.variants, ...metricVariants(props.metrics)])
  ].sort((a, b) => a.localeCompare(b));
  return (
    <section
      className="jp-AtelierJobs-section"
      aria-label="Metrics"
      data-testid="endpoint-metrics"
    >
      <h3>Metrics (per minute, last hour)</h3>
      {props.error && (
        <p className="jp-AtelierJobs-error" role="alert">
          Cannot read the metrics: {props.error}
        </p>
      )}
      <ul className="jp-AtelierCompare-legend" aria-label="Variants">
        {names.map((name, i) => (
          <li key={name}>
            <span
              className="jp-AtelierCompare-swatch"
              style={{ background: runColor(i) }}
            />
            {name}
          </li>
        ))}
      </ul>
      <div className="jp-AtelierJobs-charts">
        {ENDPOINT_CHARTS.map(spec => (
          <EndpointChart
            key={spec.field}
            spec={spec}
            metrics={props.metrics}
            variants={names}
          />
        ))}
      </div>
    </section>
  );
}

/** One field of the minutes, a line a variant, with its last value. */
function EndpointChart(props: {
  spec: IChartSpec;
  metrics: IEndpointMetrics | null;
  variants: ReadonlyArray<string>;
}): JSX.Element {
  const { spec, metrics, variants } = props;
  const data = React.useMemo(
    () => chartSeries(metrics, spec, variants) as uPlot.AlignedData,
    [metrics, variants.join(',')]
  );
  const last = latestFigure(data, spec.combine);
  // The hour's count beside the latest minute's: a minute that has just begun reads 0.
  const total =
    spec.combine === 'sum'
      ? Object.values(totals(metrics, spec.field)).reduce((a, b) => a + b, 0)
      : undefined;
  return (
    <figure
      className="jp-AtelierJobs-chart"
      data-testid="endpoint-chart"
      data-metric={spec.field}
      data-total={total}
      title={
        total === undefined
          ? undefined
          : `${formatFigure(total)} in the last hour`
      }
    >
      <figcaption>
        <span className="jp-AtelierJobs-chartName">
          {spec.title} ({spec.unit})
        </span>
        <span
          className="jp-AtelierJobs-chartValue"
          data-testid="endpoint-chart-latest"
        >
          {formatFigure(last)}
        </span>
      </figcaption>
      <UPlotChart
        label={`Chart of ${spec.title} by variant`}
        className="jp-AtelierJobs-chartPlot"
        optionsKey={`${spec.field}:${variants.join(',')}`}
        height={HEIGHT}
        data={data}
        options={(colors, width) => ({
          width,
          height: HEIGHT,
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: {
            x: {
              time: true,
              range: (u, min, max) =>
                timeRange(u.data[0] as ArrayLike<number> as number[], min, max)
            },
            y: { range: (_u, min, max) => [0, Math.max(1, max ?? min ?? 1)] }
          },
          axes: themedAxes(colors),
          series: [
            {},
            ...variants.map((name, i) => ({
              label: name,
              stroke: runColor(i),
              width: 1.5,
              spanGaps: true,
              points: { show: data[0].length < 30 }
            }))
          ]
        })}
      />
    </figure>
  );
}
