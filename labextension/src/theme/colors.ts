/**
 * Colours that canvas drawings (the metric charts) take from JupyterLab's
 * theme. A canvas cannot use CSS variables, so they are read from the page
 * when drawn, and read again when the theme changes.
 */
export interface IChartColors {
  /** The metric's line. */
  line: string;
  /** Axis labels. */
  axis: string;
  /** Grid lines. */
  grid: string;
  /** Tick marks. */
  ticks: string;
}

/** Used only where a variable is missing (outside JupyterLab, in tests). */
export const FALLBACK_CHART_COLORS: IChartColors = {
  line: '#1976d2',
  axis: '#616161',
  grid: 'rgba(128,128,128,0.2)',
  ticks: 'rgba(128,128,128,0.3)'
};

/** The chart colours from a lookup of CSS custom properties. */
export function chartColors(
  lookup: (property: string) => string
): IChartColors {
  const read = (property: string, fallback: string): string =>
    lookup(property).trim() || fallback;
  return {
    line: read('--jp-brand-color1', FALLBACK_CHART_COLORS.line),
    axis: read('--jp-ui-font-color1', FALLBACK_CHART_COLORS.axis),
    grid: read('--jp-border-color2', FALLBACK_CHART_COLORS.grid),
    ticks: read('--jp-border-color1', FALLBACK_CHART_COLORS.ticks)
  };
}

/** The chart colours in effect for a node of the page. */
export function chartColorsOf(node: Element): IChartColors {
  const style = getComputedStyle(node);
  return chartColors(property => style.getPropertyValue(property));
}
