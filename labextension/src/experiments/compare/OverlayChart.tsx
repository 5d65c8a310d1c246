import * as React from 'react';
import uPlot from 'uplot';

import { STEP_INCRS, UPlotChart, themedAxes } from '../detail/chart';
import { IRunRow } from '../table';
import { IMetric } from '../tokens';
import { alignHistories, chooseCompareAxis } from './align';
import { downsample } from './downsample';
import { runColor } from './palette';
import { IRange, panRange, zoomRange } from './zoom';

const HEIGHT = 320;

/**
 * The histories of one metric of several runs on one chart. What is drawn
 * is downsampled to the plot's pixel columns over the visible range and
 * computed again after each zoom or pan, so 100 runs of 10,000 points stay
 * smooth. Drag selects a range, the wheel zooms around the pointer,
 * shift + wheel (or a sideways swipe) pans, a double click shows all.
 */
export function OverlayChart(props: {
  metric: string;
  runs: ReadonlyArray<IRunRow>;
  histories: ReadonlyMap<string, ReadonlyArray<IMetric>>;
  version: number;
}): JSX.Element {
  const { metric, runs } = props;
  const shown = runs.filter(r => props.histories.has(r.id));
  const list = shown.map(r => ({
    runId: r.id,
    history: props.histories.get(r.id)!
  }));
  const axis = chooseCompareAxis(list);
  const aligned = React.useMemo(
    () => alignHistories(list, axis),
    [props.version, axis]
  );
  const full = React.useRef(aligned);
  full.current = aligned;
  const plot = React.useRef<uPlot | null>(null);
  const n = aligned.x.length;
  const extent: IRange = {
    min: n ? aligned.x[0] : 0,
    max: n ? aligned.x[n - 1] : 1
  };
  const extentRef = React.useRef(extent);
  extentRef.current = extent;
  const stats = React.useRef<HTMLDivElement>(null);

  const reduce = (min: number, max: number, width: number): uPlot.AlignedData =>
    downsample(
      full.current.x,
      full.current.ys,
      min,
      max,
      Math.max(1, Math.round(width))
    ) as uPlot.AlignedData;
  const data = React.useMemo(
    () => reduce(extent.min, extent.max, 1200),
    [aligned]
  );

  /**
   * Give the plot the data reduced to [min, max] at its width (nothing if
   * it has it already); the caller draws.
   */
  const drawnFor = React.useRef('');
  const refineTo = (u: uPlot, min: number, max: number): boolean => {
    const key = `${min}:${max}:${u.bbox.width}:${props.version}`;
    if (key === drawnFor.current) {
      return false;
    }
    drawnFor.current = key;
    const t0 = performance.now();
    const reduced = reduce(
      min,
      max,
      u.bbox.width / (window.devicePixelRatio || 1)
    );
    u.setData(reduced, false);
    const root = u.root;
    root.dataset.drawnPoints = String(reduced[0].length);
    root.dataset.reduceMs = (performance.now() - t0).toFixed(2);
    root.dataset.range = `${min},${max}`;
    return true;
  };
  const refine = React.useRef(refineTo);
  refine.current = refineTo;
  const current = (u: uPlot): void => {
    const { min, max } = u.scales.x;
    if (min !== undefined && max !== undefined) {
      // New data keeps the scales but not uPlot's window into the data: the
      // range is set again so that the window is found in the new data.
      u.batch(() => {
        if (refine.current(u, min, max)) {
          u.setScale('x', { min, max });
        }
      });
    }
  };

  // Wheel zoom and pan on the plot area.
  React.useEffect(() => {
    const u = plot.current;
    if (!u) {
      return;
    }
    const over = u.over;
    // Wheel events come faster than frames: they add up, and a frame draws their sum once.
    let pending: IRange | null = null;
    let frame = 0;
    const apply = (): void => {
      frame = 0;
      const next = pending;
      pending = null;
      if (next) {
        // The data for the new range first, then the range: one draw.
        u.batch(() => {
          refine.current(u, next.min, next.max);
          u.setScale('x', next);
        });
      }
    };
    const onWheel = (e: WheelEvent): void => {
      const x = u.scales.x;
      if (
        x.min === undefined ||
        x.max === undefined ||
        !(extentRef.current.max > extentRef.current.min)
      ) {
        return;
      }
      e.preventDefault();
      const rect = over.getBoundingClientRect();
      const range = pending ?? { min: x.min, max: x.max };
      const sideways = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
      const next = sideways
        ? panRange(
            range,
            extentRef.current,
            (e.deltaX || e.deltaY) / Math.max(1, rect.width)
          )
        : zoomRange(
            range,
            extentRef.current,
            (e.clientX - rect.left) / Math.max(1, rect.width),
            e.deltaY
          );
      pending = next;
      if (!frame) {
        frame = requestAnimationFrame(apply);
      }
    };
    over.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      cancelAnimationFrame(frame);
      over.removeEventListener('wheel', onWheel);
    };
  }, [plot.current, metric, shown.map(r => r.id).join(','), axis]);

  const seriesKey = shown.map(r => r.id).join(',');
  return (
    <figure
      className="jp-AtelierCompare-overlay"
      data-testid="compare-overlay"
      data-metric={metric}
    >
      <UPlotChart
        label={`${metric} of ${shown.length} runs`}
        testId="compare-overlay-plot"
        optionsKey={`${metric}:${axis}:${seriesKey}`}
        height={HEIGHT}
        data={data}
        plotRef={plot}
        options={(colors, width) => {
          let frame = 0;
          let drawStart = 0;
          return {
            width,
            height: HEIGHT,
            legend: { show: false },
            cursor: { drag: { x: true, y: false }, points: { show: false } },
            scales: { x: { time: axis === 'time' } },
            axes: themedAxes(
              colors,
              axis === 'step' ? { incrs: STEP_INCRS } : {}
            ),
            series: [
              {},
              ...shown.map((r, i) => ({
                label: r.name,
                stroke: runColor(i),
                width: 1,
                spanGaps: true,
                points: { show: false }
              }))
            ],
            hooks: {
              setScale: [
                (u: uPlot, key: string) => {
                  if (key === 'x') {
                    cancelAnimationFrame(frame);
                    frame = requestAnimationFrame(() => current(u));
                  }
                }
              ],
              ready: [(u: uPlot) => current(u)],
              // How long drawing took, for whoever measures.
              drawClear: [(u: uPlot) => void (drawStart = performance.now())],
              draw: [
                (u: uPlot) => {
                  const root = u.root.dataset;
                  root.drawn = String(Number(root.drawn ?? 0) + 1);
                  root.drawMs = (performance.now() - drawStart).toFixed(2);
                  // The first and last x drawn.
                  const idxs = u.series[1]?.idxs;
                  if (idxs) {
                    root.window = `${u.data[0][idxs[0]]},${u.data[0][idxs[1]]}`;
                  }
                }
              ]
            }
          };
        }}
      />
      <figcaption ref={stats} className="jp-AtelierCompare-caption">
        {shown.length} runs, {aligned.points.toLocaleString('en-US')} points of{' '}
        {metric} by {axis}. Drag to zoom, wheel to zoom, shift + wheel to pan,
        double-click to show all.
      </figcaption>
      <ul className="jp-AtelierCompare-legend" aria-label="Runs">
        {shown.map((r, i) => (
          <li key={r.id} data-run-id={r.id}>
            <span
              className="jp-AtelierCompare-swatch"
              style={{ background: runColor(i) }}
            />
            {r.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
