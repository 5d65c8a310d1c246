import * as React from 'react';
import uPlot from 'uplot';

import {
  chartData,
  flatValueRange,
  formatMetricValue,
  latest,
  timeRange
} from '../metrics';
import { IMetricSample } from '../tokens';
import {
  FALLBACK_CHART_COLORS,
  IChartColors,
  chartColorsOf
} from '../../theme/colors';

export interface IMetricChartProps {
  name: string;
  samples: ReadonlyArray<IMetricSample>;
  /** Changes when JupyterLab's theme changes: the chart is drawn again in its colours. */
  themeVersion?: number;
}

const CHART_HEIGHT = 140;

/** One metric as a small uPlot line chart, with its latest value. */
export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { name, samples, themeVersion } = props;
  const holder = React.useRef<HTMLDivElement>(null);
  const plot = React.useRef<uPlot | null>(null);
  const colors = React.useRef<IChartColors>(FALLBACK_CHART_COLORS);

  React.useEffect(() => {
    const node = holder.current;
    if (!node) {
      return;
    }
    const width = Math.max(200, node.clientWidth || 320);
    colors.current = chartColorsOf(node);
    // uPlot calls these on every draw, so a redraw after a theme change picks up its colours.
    const axis = {
      stroke: () => colors.current.axis,
      grid: { stroke: () => colors.current.grid, width: 1 },
      ticks: { stroke: () => colors.current.ticks, width: 1 }
    };
    plot.current = new uPlot(
      {
        width,
        height: CHART_HEIGHT,
        legend: { show: false },
        hooks: {
          // Which colours the canvas was last drawn in, for whoever checks the theme.
          draw: [
            u => {
              u.root.dataset.axisStroke = colors.current.axis;
              u.root.dataset.lineStroke = colors.current.line;
              // And the value axis it was drawn on, for whoever checks its range.
              u.root.dataset.yMin = String(u.scales.y.min);
              u.root.dataset.yMax = String(u.scales.y.max);
            }
          ]
        },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: {
            time: true,
            range: (u, min, max) =>
              timeRange(u.data[0] as ArrayLike<number> as number[], min, max)
          },
          // A flat series (one point, or one value) gets its value ±5%, not 0 to 2.
          y: {
            range: (u, min, max) =>
              flatValueRange(u.data[1] as ArrayLike<number> as number[]) ??
              uPlot.rangeNum(min, max, 0.1, true)
          }
        },
        axes: [axis, { ...axis, size: 50 }],
        series: [
          {},
          {
            label: name,
            stroke: () => colors.current.line,
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

  React.useEffect(() => {
    const node = holder.current;
    if (!node || !plot.current) {
      return;
    }
    colors.current = chartColorsOf(node);
    plot.current.redraw(false, true);
  }, [themeVersion]);

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
