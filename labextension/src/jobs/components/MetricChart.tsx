import * as React from 'react';
import uPlot from 'uplot';

import { chartData, formatMetricValue, latest, timeRange } from '../metrics';
import { IMetricSample } from '../tokens';

export interface IMetricChartProps {
  name: string;
  samples: ReadonlyArray<IMetricSample>;
}

const CHART_HEIGHT = 140;

/** One metric as a small uPlot line chart, with its latest value. */
export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { name, samples } = props;
  const holder = React.useRef<HTMLDivElement>(null);
  const plot = React.useRef<uPlot | null>(null);

  React.useEffect(() => {
    const node = holder.current;
    if (!node) {
      return;
    }
    const width = Math.max(200, node.clientWidth || 320);
    const stroke =
      getComputedStyle(node).getPropertyValue('--jp-brand-color1').trim() ||
      '#1976d2';
    const axis = {
      stroke:
        getComputedStyle(node).getPropertyValue('--jp-ui-font-color2').trim() ||
        '#666',
      grid: { stroke: 'rgba(128,128,128,0.2)', width: 1 },
      ticks: { stroke: 'rgba(128,128,128,0.3)', width: 1 }
    };
    plot.current = new uPlot(
      {
        width,
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: {
            time: true,
            range: (u, min, max) =>
              timeRange(u.data[0] as ArrayLike<number> as number[], min, max)
          }
        },
        axes: [axis, { ...axis, size: 50 }],
        series: [
          {},
          {
            label: name,
            stroke,
            width: 1.5,
            points: { show: samples.length < 50 }
          }
        ]
      },
      chartData(samples),
      node
    );
    let observer: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => {
        const w = Math.max(200, node.clientWidth);
        if (plot.current && Math.abs(plot.current.width - w) > 2) {
          plot.current.setSize({ width: w, height: CHART_HEIGHT });
        }
      });
      observer.observe(node);
    }
    return () => {
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [name]);

  React.useEffect(() => {
    plot.current?.setData(chartData(samples));
  }, [samples]);

  const last = latest(samples);
  return (
    <figure
      className="jp-AtelierJobs-chart"
      data-testid="job-metric-chart"
      data-metric={name}
    >
      <figcaption>
        <span className="jp-AtelierJobs-chartName">{name}</span>
        <span
          className="jp-AtelierJobs-chartValue"
          data-testid="job-metric-latest"
        >
          {formatMetricValue(last?.value)}
        </span>
      </figcaption>
      <div
        ref={holder}
        className="jp-AtelierJobs-chartPlot"
        aria-label={`Chart of ${name}`}
        role="img"
      />
    </figure>
  );
}
