/** Colours of runs on the compare charts (Tableau 10: apart on light and dark backgrounds). */
export const RUN_COLORS: ReadonlyArray<string> = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac'
];

export const runColor = (i: number): string =>
  RUN_COLORS[i % RUN_COLORS.length];

/** A colour from low (0) to high (1) on a blue to orange ramp, for parallel coordinates. */
export function rampColor(t: number): string {
  const lo = [78, 121, 167];
  const hi = [242, 142, 43];
  const k = Math.min(1, Math.max(0, t));
  const c = lo.map((v, i) => Math.round(v + (hi[i] - v) * k));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
