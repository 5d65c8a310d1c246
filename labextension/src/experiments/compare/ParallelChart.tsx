import * as React from 'react';

import { useThemeVersion } from '../detail/chart';
import { formatNumber } from '../detail/series';
import { chartColorsOf } from '../../theme/colors';
import { IRunRow } from '../table';
import { FieldId, axisTicks, fieldLabel, parallelData } from './axes';
import { rampColor } from './palette';

const HEIGHT = 300;
const TOP = 34;
const BOTTOM = 16;
const SIDE = 60;

/**
 * Parallel coordinates drawn on a canvas: an axis per field (params, then
 * the metric last), one line per run coloured by its place on the last axis.
 */
export function ParallelChart(props: {
  runs: ReadonlyArray<IRunRow>;
  fields: ReadonlyArray<FieldId>;
}): JSX.Element {
  const { runs, fields } = props;
  const canvas = React.useRef<HTMLCanvasElement>(null);
  const holder = React.useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  const [width, setWidth] = React.useState(600);
  const parallel = React.useMemo(
    () => parallelData(runs, fields),
    [runs, fields]
  );

  React.useEffect(() => {
    const node = holder.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() =>
      setWidth(Math.max(300, node.clientWidth))
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  React.useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) {
      return;
    }
    const colors = chartColorsOf(c);
    const ratio = window.devicePixelRatio || 1;
    c.width = width * ratio;
    c.height = HEIGHT * ratio;
    c.style.width = `${width}px`;
    c.style.height = `${HEIGHT}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const n = parallel.fields.length;
    const xAt = (i: number): number =>
      n > 1 ? SIDE + (i * (width - 2 * SIDE)) / (n - 1) : width / 2;
    const yAt = (t: number): number => TOP + (1 - t) * (HEIGHT - TOP - BOTTOM);
    // Lines first, axes over them.
    ctx.lineWidth = 1.2;
    ctx.globalAlpha = runs.length > 200 ? 0.35 : 0.75;
    let drawn = 0;
    for (const line of parallel.lines) {
      const colour = line.values[n - 1];
      ctx.strokeStyle = colour === null ? colors.ticks : rampColor(colour);
      ctx.beginPath();
      let open = false;
      line.values.forEach((v, i) => {
        if (v === null) {
          open = false;
          return;
        }
        if (open) {
          ctx.lineTo(xAt(i), yAt(v));
        } else {
          ctx.moveTo(xAt(i), yAt(v));
          open = true;
        }
      });
      ctx.stroke();
      drawn++;
    }
    ctx.globalAlpha = 1;
    ctx.font = '11px sans-serif';
    ctx.fillStyle = colors.axis;
    ctx.strokeStyle = colors.axis;
    parallel.fields.forEach((field, i) => {
      const x = xAt(i);
      ctx.beginPath();
      ctx.moveTo(x, yAt(1));
      ctx.lineTo(x, yAt(0));
      ctx.stroke();
      ctx.textAlign = 'center';
      ctx.fillText(fieldLabel(field), x, 14);
      ctx.textAlign = i === n - 1 && n > 1 ? 'left' : 'right';
      const dx = i === n - 1 && n > 1 ? 4 : -4;
      for (const [t, text] of axisTicks(parallel.axes[i], formatNumber)) {
        ctx.fillText(
          text.length > 12 ? `${text.slice(0, 11)}…` : text,
          x + dx,
          yAt(t) + 4
        );
      }
    });
    c.dataset.lines = String(drawn);
    c.dataset.axes = String(n);
    c.dataset.axisStroke = colors.axis;
  }, [parallel, width, theme, runs.length]);

  return (
    <figure
      className="jp-AtelierCompare-parallel"
      data-testid="compare-parallel"
      ref={holder}
    >
      <canvas
        ref={canvas}
        role="img"
        aria-label={`Parallel coordinates over ${fields.map(fieldLabel).join(', ')}`}
        data-testid="compare-parallel-canvas"
      />
    </figure>
  );
}
