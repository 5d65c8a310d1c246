import * as React from 'react';

import { IMetric } from '../tokens';
import { STEP_INCRS, UPlotChart, themedAxes } from './chart';
import { chooseXAxis, historyData } from './series';

/** One metric's history as a line chart over its steps (or its times). */
export function RunMetricChart(props: {
  metric: string;
  history: ReadonlyArray<IMetric>;
}): JSX.Element {
  const { metric, history } = props;
  const axis = chooseXAxis(history);
  const data = React.useMemo(() => historyData(history, axis), [history, axis]);
  return (
    <figure
      className="jp-AtelierRunDetail-chart"
      data-testid="run-metric-chart"
      data-metric={metric}
      data-points={data[0].length}
    >
      <figcaption>
        {metric}
        <span className="jp-AtelierRunDetail-axis">by {axis}</span>
      </figcaption>
      <UPlotChart
        label={`Chart of ${metric}`}
        optionsKey={`${metric}:${axis}`}
        height={160}
        data={data}
        options={(colors, width) => ({
          width,
          height: 160,
          legend: { show: false },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: axis === 'time' } },
          axes: themedAxes(
            colors,
            axis === 'step' ? { incrs: STEP_INCRS } : {}
          ),
          series: [
            {},
            {
              label: metric,
              stroke: () => colors().line,
              width: 1.5,
              spanGaps: true,
              points: { show: data[0].length < 50 }
            }
          ]
        })}
      />
    </figure>
  );
}
