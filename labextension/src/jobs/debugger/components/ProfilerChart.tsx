import * as React from 'react';
import uPlot from 'uplot';

import { UPlotChart, themedAxes } from '../../../experiments/detail/chart';
import { formatMetricValue, timeRange } from '../../metrics';

const HEIGHT = 140;

export interface IProfilerChartProps {
  title: string;
  unit: string;
  testId: string;
  /** Time in seconds, then the values. */
  data: [number[], Array<number | null>];
}

/** One profiler reading (CPU, memory) of the job's container over time. */
export function ProfilerChart(props: IProfilerChartProps): JSX.Element {
  const { title, unit, testId, data } = props;
  const values = data[1].filter((v): v is number => v !== null);
  const last = values.length ? values[values.length - 1] : null;
  return (
    <figure
      className="jp-AtelierJobs-chart"
      data-testid={testId}
      data-points={values.length}
    >
      <figcaption>
        <span className="jp-AtelierJobs-chartName">{title}</span>
        <span className="jp-AtelierJobs-chartValue">
          {last === null ? '—' : `${formatMetricValue(last)} ${unit}`}
        </span>
      </figcaption>
      <UPlotChart
        label={`Chart of ${title}`}
        height={HEIGHT}
        className="jp-AtelierJobs-chartPlot"
        optionsKey={title}
        data={data as uPlot.AlignedData}
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
            }
          },
          axes: themedAxes(colors),
          series: [
            {},
            {
              label: `${title} (${unit})`,
              stroke: () => colors().line,
              width: 1.5,
              spanGaps: true
            }
          ]
        })}
      />
    </figure>
  );
}
