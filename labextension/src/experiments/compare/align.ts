import { IMetric } from '../tokens';
import { XAxis, metricValue, xOf } from '../detail/series';

/** One run's history of the compared metric. */
export interface IRunHistory {
  runId: string;
  history: ReadonlyArray<IMetric>;
}

/**
 * Histories on one x axis: the union of their x, and each run's y there
 * (NaN where it has none: typed arrays keep 1,000,000 values compact and
 * quick to scan).
 */
export interface IAligned {
  x: Float64Array;
  ys: Float64Array[];
  /** Every point placed (the sum of the histories' lengths). */
  points: number;
}

/** The x axis of several histories: step, unless none of them tells its points apart by step. */
export function chooseCompareAxis(
  histories: ReadonlyArray<IRunHistory>
): XAxis {
  let timed = false;
  for (const { history } of histories) {
    let step: number | undefined;
    let time: number | undefined;
    for (const p of history) {
      if (step !== undefined && (p.step ?? 0) !== step) {
        return 'step';
      }
      if (time !== undefined && (p.timestamp ?? 0) !== time) {
        timed = true;
      }
      step = p.step ?? 0;
      time = p.timestamp ?? 0;
    }
  }
  return timed ? 'time' : 'step';
}

/**
 * The aligned columns of several histories. Values a canvas cannot place
 * (NaN, infinities) are gaps; of several points of a run at one x the
 * latest logged is kept.
 */
export function alignHistories(
  histories: ReadonlyArray<IRunHistory>,
  axis: XAxis
): IAligned {
  let total = 0;
  for (const h of histories) {
    total += h.history.length;
  }
  const all = new Float64Array(total);
  let n = 0;
  for (const h of histories) {
    for (const p of h.history) {
      all[n++] = xOf(p, axis);
    }
  }
  all.sort();
  let unique = 0;
  for (let i = 0; i < all.length; i++) {
    if (i === 0 || all[i] !== all[unique - 1]) {
      all[unique++] = all[i];
    }
  }
  const x = all.slice(0, unique);
  const index = new Map<number, number>();
  x.forEach((v, i) => index.set(v, i));
  const ys = histories.map(h => {
    const y = new Float64Array(unique).fill(NaN);
    const when = new Float64Array(unique).fill(-Infinity);
    for (const p of h.history) {
      const i = index.get(xOf(p, axis))!;
      const t = p.timestamp ?? 0;
      if (t >= when[i]) {
        when[i] = t;
        const v = metricValue(p.value);
        y[i] = Number.isFinite(v) ? v : NaN;
      }
    }
    return y;
  });
  return { x, ys, points: total };
}
