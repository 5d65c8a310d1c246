/** A range of the x axis. */
export interface IRange {
  min: number;
  max: number;
}

/**
 * The x range after a wheel step at `at` (0..1 across the plot): zoom in
 * (`delta` < 0) or out around that place, kept inside `extent`.
 */
export function zoomRange(
  range: IRange,
  extent: IRange,
  at: number,
  delta: number
): IRange {
  const factor = delta < 0 ? 0.8 : 1.25;
  const width = range.max - range.min;
  const centre = range.min + at * width;
  const next = Math.min(extent.max - extent.min, width * factor);
  return clampRange(
    { min: centre - at * next, max: centre - at * next + next },
    extent
  );
}

/** The x range moved by `fraction` of its width (a pan), kept inside `extent`. */
export function panRange(
  range: IRange,
  extent: IRange,
  fraction: number
): IRange {
  const shift = (range.max - range.min) * fraction;
  return clampRange({ min: range.min + shift, max: range.max + shift }, extent);
}

/** A range kept inside the extent, its width kept where it fits. */
export function clampRange(range: IRange, extent: IRange): IRange {
  const width = Math.min(range.max - range.min, extent.max - extent.min);
  let min = Math.max(extent.min, range.min);
  if (min + width > extent.max) {
    min = extent.max - width;
  }
  return { min, max: min + width };
}
