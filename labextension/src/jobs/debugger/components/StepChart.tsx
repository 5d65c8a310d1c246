import * as React from 'react';
import uPlot from 'uplot';

import {
  STEP_INCRS,
  UPlotChart,
  themedAxes
} from '../../../experiments/detail/chart';
import { runColor } from '../../../experiments/compare/palette';
import { StepSeries, alignSteps } from '../shape';

const HEIGHT = 180;

export interface IStepChartProps {
  title: string;
  series: StepSeries;
  testId: string;
  /** A step to mark with a vertical line (where a rule fired). */
  markStep?: number | null;
  /** Said when there is nothing to draw. */
  empty: string;
}

/** Series over global steps on one uPlot chart, a colour each, with a legend. */
export function StepChart(props: IStepChartProps): JSX.Element {
  const { title, series, testId, markStep, empty } = props;
  const aligned = React.useMemo(() => alignSteps(series), [series]);
  const mark = React.useRef(markStep);
  mark.current = markStep;
  const plot = React.useRef<uPlot | null>(null);
  React.useEffect(() => {
    // The mark is drawn by a hook: a new one needs a draw of its own.
    plot.current?.redraw(false, false);
  }, [markStep]);
  const names = aligned.names;
  const points = aligned.data[0].length;
  return (
    <figure
      className="jp-AtelierJobs-chart jp-AtelierDebugger-chart"
      data-testid={testId}
      data-series={names.join(',')}
      data-points={points}
    >
      <figcaption>
        <span className="jp-AtelierJobs-chartName">{title}</span>
      </figcaption>
      {names.length === 0 ? (
        <p className="jp-AtelierJobs-muted">{empty}</p>
      ) : (
        <>
          <UPlotChart
            label={`Chart of ${title}`}
            height={HEIGHT}
            className="jp-AtelierJobs-chartPlot"
            optionsKey={names.join('\n')}
            plotRef={plot}
            data={aligned.data as uPlot.AlignedData}
            options={(colors, width) => ({
              width,
              height: HEIGHT,
              legend: { show: false },
              cursor: { drag: { x: false, y: false } },
              scales: { x: { time: false } },
              axes: themedAxes(colors, { incrs: STEP_INCRS, label: 'step' }),
              series: [
                {},
                ...names.map((name, i) => ({
                  label: name,
                  stroke: runColor(i),
                  width: 1.5,
                  spanGaps: true,
                  points: { show: points < 50 }
                }))
              ],
              hooks: {
                draw: [
                  u => {
                    const step = mark.current;
                    if (typeof step !== 'number') {
                      return;
                    }
                    const x = u.valToPos(step, 'x', true);
                    const ctx = u.ctx;
                    ctx.save();
                    ctx.strokeStyle = colors().axis;
                    ctx.setLineDash([4, 4]);
                    ctx.beginPath();
                    ctx.moveTo(x, u.bbox.top);
                    ctx.lineTo(x, u.bbox.top + u.bbox.height);
                    ctx.stroke();
                    ctx.restore();
                    u.root.dataset.markStep = String(step);
                  }
                ]
              }
            })}
          />
          <ul className="jp-AtelierDebugger-legend">
            {names.map((name, i) => (
              <li key={name}>
                <span
                  className="jp-AtelierDebugger-swatch"
                  style={{ background: runColor(i) }}
                />
                {name}
              </li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}
