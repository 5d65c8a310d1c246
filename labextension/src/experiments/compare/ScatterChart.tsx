import * as React from 'react';
import uPlot from 'uplot';

import { UPlotChart, themedAxes } from '../detail/chart';
import { formatNumber } from '../detail/series';
import { IRunRow } from '../table';
import { Axis, FieldId, fieldLabel, scatterData } from './axes';

/** uPlot axis values of a category axis: its names at 0, 1, ...; nothing between. */
function axisValues(axis: Axis): uPlot.Axis['values'] {
  if (axis.kind !== 'category') {
    return (_u, splits) => splits.map(v => formatNumber(v));
  }
  return (_u, splits) =>
    splits.map(v => (Number.isInteger(v) ? (axis.categories[v] ?? '') : ''));
}

/** Padded range of an axis, so points at its ends are not cut. */
function range(axis: Axis): uPlot.Range.MinMax {
  const [lo, hi] =
    axis.kind === 'category'
      ? [0, axis.categories.length - 1]
      : [axis.min, axis.max];
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.abs(lo) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

/** A param or metric (x) against a metric (y), one point per run; hover names the run. */
export function ScatterChart(props: {
  runs: ReadonlyArray<IRunRow>;
  xField: FieldId;
  yField: FieldId;
}): JSX.Element {
  const { runs, xField, yField } = props;
  const scatter = React.useMemo(
    () => scatterData(runs, xField, yField),
    [runs, xField, yField]
  );
  const names = new Map(runs.map(r => [r.id, r.name]));
  const [hover, setHover] = React.useState<number | null>(null);
  const data: uPlot.AlignedData = [scatter.x, scatter.y];
  const key = `${xField}|${yField}|${JSON.stringify(scatter.xAxis)}|${JSON.stringify(scatter.yAxis)}`;
  return (
    <figure
      className="jp-AtelierCompare-scatter"
      data-testid="compare-scatter"
      data-points={scatter.x.length}
    >
      <UPlotChart
        label={`${fieldLabel(yField)} against ${fieldLabel(xField)}`}
        testId="compare-scatter-plot"
        optionsKey={key}
        height={260}
        data={data}
        options={(colors, width) => ({
          width,
          height: 260,
          legend: { show: false },
          cursor: {
            drag: { x: true, y: true },
            dataIdx: (u, seriesIdx, closest) => closest
          },
          scales: {
            x: { time: false, range: () => range(scatter.xAxis) },
            y: { range: () => range(scatter.yAxis) }
          },
          axes: themedAxes(
            colors,
            { values: axisValues(scatter.xAxis), label: fieldLabel(xField) },
            { values: axisValues(scatter.yAxis), label: fieldLabel(yField) }
          ),
          series: [
            {},
            {
              label: fieldLabel(yField),
              stroke: () => colors().line,
              fill: () => colors().line,
              paths: () => null,
              points: {
                show: true,
                size: 7,
                stroke: () => colors().line,
                fill: () => colors().line
              }
            }
          ],
          hooks: { setCursor: [u => setHover(u.cursor.idx ?? null)] }
        })}
      />
      <figcaption
        className="jp-AtelierCompare-caption"
        data-testid="compare-scatter-hover"
      >
        {hover !== null && scatter.runIds[hover]
          ? `${names.get(scatter.runIds[hover])}: ${fieldLabel(xField)} ${formatNumber(scatter.x[hover])}` +
            `, ${fieldLabel(yField)} ${formatNumber(scatter.y[hover])}`
          : `${scatter.x.length} of ${runs.length} runs have both.`}
      </figcaption>
    </figure>
  );
}
