/** uPlot's columns: x, then one y per series. */
export type Columns = [ArrayLike<number>, ...Array<ArrayLike<number | null>>];

/** The first index whose x is at least `value` (x ascending). */
export function lowerBound(x: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Aligned series reduced to what `buckets` pixel columns over [min, max]
 * can show: in each column each series keeps its smallest and largest
 * value, in the order they came, at the column's first and last x, so the
 * drawn lines cover exactly the pixels the full data would. A gap is null
 * or NaN; gaps come out as null (uPlot's). The points just
 * outside the range are kept (the lines reach the edges), and so are the
 * first and last x (the chart's full extent stays known, for zooming out).
 * When the range holds no more than two points per column it is returned
 * as it is.
 */
export function downsample(
  x: ArrayLike<number>,
  ys: ReadonlyArray<ArrayLike<number | null>>,
  min: number,
  max: number,
  buckets: number
): [number[], ...Array<Array<number | null>>] {
  const n = x.length;
  const series = ys.length;
  const outX: number[] = [];
  const outY: Array<Array<number | null>> = ys.map(() => []);
  if (n === 0) {
    return [outX, ...outY];
  }
  const raw = (i: number): void => {
    outX.push(x[i]);
    for (let s = 0; s < series; s++) {
      const v = ys[s][i];
      outY[s].push(v === undefined || v === null || v !== v ? null : v);
    }
  };
  let lo = lowerBound(x, min);
  let hi = lowerBound(x, max);
  if (hi < n && x[hi] === max) {
    hi++;
  }
  // [lo, hi) is inside; one point each side reaches the edges.
  const first = Math.max(0, lo - 1);
  const last = Math.min(n - 1, hi);
  if (first > 0) {
    raw(0);
  }
  raw(first);
  lo = Math.max(lo, first + 1);
  const inside = hi - lo;
  const width = max - min;
  if (inside <= 2 * buckets || !(width > 0) || buckets < 1) {
    for (let i = lo; i < hi; i++) {
      raw(i);
    }
  } else {
    const minV = new Float64Array(series);
    const maxV = new Float64Array(series);
    const minI = new Int32Array(series);
    const maxI = new Int32Array(series);
    let bucket = -1;
    let start = lo;
    const flush = (end: number): void => {
      // [start, end) is one pixel column.
      const a = x[start];
      const b = x[end - 1];
      const two = end - 1 > start;
      outX.push(a);
      if (two) {
        outX.push(b);
      }
      for (let s = 0; s < series; s++) {
        const out = outY[s];
        if (minI[s] < 0) {
          out.push(null);
          if (two) {
            out.push(null);
          }
        } else if (!two) {
          out.push(minV[s]);
        } else if (minI[s] === maxI[s]) {
          out.push(minV[s], null);
        } else if (minI[s] < maxI[s]) {
          out.push(minV[s], maxV[s]);
        } else {
          out.push(maxV[s], minV[s]);
        }
      }
    };
    for (let i = lo; i < hi; i++) {
      const b = Math.min(
        buckets - 1,
        Math.floor(((x[i] - min) / width) * buckets)
      );
      if (b !== bucket) {
        if (bucket >= 0) {
          flush(i);
        }
        bucket = b;
        start = i;
        minI.fill(-1);
        maxI.fill(-1);
      }
      for (let s = 0; s < series; s++) {
        const v = ys[s][i];
        // A gap: null, or NaN in a typed array.
        if (v === null || v === undefined || v !== v) {
          continue;
        }
        if (minI[s] < 0 || v < minV[s]) {
          minV[s] = v;
          minI[s] = i;
        }
        if (maxI[s] < 0 || v > maxV[s]) {
          maxV[s] = v;
          maxI[s] = i;
        }
      }
    }
    if (bucket >= 0) {
      flush(hi);
    }
  }
  if (last >= hi && last > first) {
    raw(last);
  }
  if (last < n - 1) {
    raw(n - 1);
  }
  return [outX, ...outY];
}
