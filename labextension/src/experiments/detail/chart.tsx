import * as React from 'react';
import uPlot from 'uplot';

import {
  FALLBACK_CHART_COLORS,
  IChartColors,
  chartColorsOf
} from '../../theme/colors';

/**
 * A number that changes whenever JupyterLab switches theme (it marks the
 * page's body with the theme's name and lightness once its styles apply).
 */
export function useThemeVersion(): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(() => {
    if (typeof MutationObserver === 'undefined') {
      return;
    }
    const observer = new MutationObserver(() => setVersion(v => v + 1));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => observer.disconnect();
  }, []);
  return version;
}

/** Tick steps of an axis of whole numbers (metric steps): never between two steps. */
export const STEP_INCRS: number[] = [];
for (let e = 0; e < 10; e++) {
  STEP_INCRS.push(10 ** e, 2 * 10 ** e, 5 * 10 ** e);
}

/** The axes of a chart in the theme's colours (read on every draw). */
export function themedAxes(
  colors: () => IChartColors,
  x: Partial<uPlot.Axis> = {},
  y: Partial<uPlot.Axis> = {}
): uPlot.Axis[] {
  const axis = (): uPlot.Axis => ({
    stroke: () => colors().axis,
    grid: { stroke: () => colors().grid, width: 1 },
    ticks: { stroke: () => colors().ticks, width: 1 }
  });
  return [
    { ...axis(), ...x },
    { ...axis(), size: 60, ...y }
  ];
}

export interface IUPlotProps {
  /** uPlot's options for a width; built again when `optionsKey` changes. */
  options: (colors: () => IChartColors, width: number) => uPlot.Options;
  optionsKey: string;
  data: uPlot.AlignedData;
  height: number;
  /** The chart's accessible name. */
  label: string;
  testId?: string;
  className?: string;
  /** The plot, after it is made (and null when it goes). */
  plotRef?: React.MutableRefObject<uPlot | null>;
}

/**
 * A uPlot chart that fills its width, follows the theme live (its canvas
 * is drawn again in the new colours) and takes new data without being made
 * again. The root records the colours it was last drawn in
 * (`data-axis-stroke`, `data-line-stroke`).
 */
export function UPlotChart(props: IUPlotProps): JSX.Element {
  const holder = React.useRef<HTMLDivElement>(null);
  const plot = React.useRef<uPlot | null>(null);
  const colors = React.useRef<IChartColors>(FALLBACK_CHART_COLORS);
  const theme = useThemeVersion();
  const data = React.useRef(props.data);
  data.current = props.data;

  React.useEffect(() => {
    const node = holder.current;
    if (!node) {
      return;
    }
    colors.current = chartColorsOf(node);
    const width = Math.max(240, node.clientWidth || 480);
    const options = props.options(() => colors.current, width);
    options.hooks = {
      ...options.hooks,
      draw: [
        ...(options.hooks?.draw ?? []),
        u => {
          u.root.dataset.axisStroke = colors.current.axis;
          u.root.dataset.lineStroke = colors.current.line;
        }
      ]
    };
    const u = new uPlot(options, data.current, node);
    plot.current = u;
    if (props.plotRef) {
      props.plotRef.current = u;
    }
    let observer: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => {
        const w = Math.max(240, node.clientWidth);
        if (Math.abs(u.width - w) > 2) {
          u.setSize({ width: w, height: props.height });
        }
      });
      observer.observe(node);
    }
    return () => {
      observer?.disconnect();
      u.destroy();
      plot.current = null;
      if (props.plotRef) {
        props.plotRef.current = null;
      }
    };
  }, [props.optionsKey, props.height]);

  React.useEffect(() => {
    plot.current?.setData(props.data);
  }, [props.data]);

  React.useEffect(() => {
    const node = holder.current;
    if (!node || !plot.current || theme === 0) {
      return;
    }
    // The theme's styles are in place once the body is marked; read them on the next frame.
    const frame = requestAnimationFrame(() => {
      colors.current = chartColorsOf(node);
      plot.current?.redraw(false, true);
    });
    return () => cancelAnimationFrame(frame);
  }, [theme]);

  return (
    <div
      ref={holder}
      className={props.className ?? 'jp-AtelierRunDetail-plot'}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
    />
  );
}
