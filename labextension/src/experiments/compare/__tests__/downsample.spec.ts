import { downsample, lowerBound } from '../downsample';
import { clampRange, panRange, zoomRange } from '../zoom';

/** A deterministic noisy series. */
function series(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.sin(i / 50) + s / 2147483648;
  });
}

describe('lowerBound', () => {
  it('finds the first index at or above a value', () => {
    const x = [0, 1, 1, 2, 5];
    expect(lowerBound(x, -1)).toBe(0);
    expect(lowerBound(x, 1)).toBe(1);
    expect(lowerBound(x, 3)).toBe(4);
    expect(lowerBound(x, 9)).toBe(5);
  });
});

describe('downsample', () => {
  const n = 10_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const ys = [series(n, 1), series(n, 2), series(n, 3)];

  it('keeps at most two points per pixel column, plus the edges', () => {
    const [dx, ...dy] = downsample(x, ys, 0, n - 1, 500);
    expect(dx.length).toBeLessThanOrEqual(2 * 500 + 4);
    expect(dy).toHaveLength(3);
    dy.forEach(y => expect(y).toHaveLength(dx.length));
    // x stays ascending.
    for (let i = 1; i < dx.length; i++) {
      expect(dx[i]).toBeGreaterThanOrEqual(dx[i - 1]);
    }
  });

  it('keeps every series extreme of every column', () => {
    const buckets = 100;
    const [dx, ...dy] = downsample(x, ys, 0, n - 1, buckets);
    const width = (n - 1) / buckets;
    for (let s = 0; s < ys.length; s++) {
      for (let b = 0; b < buckets; b++) {
        const lo = Math.ceil(b * width);
        const hi = b === buckets - 1 ? n : Math.ceil((b + 1) * width);
        const column = ys[s].slice(lo, hi);
        const kept = dy[s].filter(
          (v, i) => v !== null && dx[i] >= lo && dx[i] < hi
        );
        expect(Math.max(...(kept as number[]))).toBe(Math.max(...column));
        expect(Math.min(...(kept as number[]))).toBe(Math.min(...column));
      }
    }
  });

  it('returns a small range as it is, with the points around it and the extent', () => {
    const [dx, y0] = downsample(x, ys, 100, 109, 500);
    expect(dx).toEqual([
      0,
      99,
      100,
      101,
      102,
      103,
      104,
      105,
      106,
      107,
      108,
      109,
      110,
      n - 1
    ]);
    expect(y0[3]).toBe(ys[0][101]);
  });

  it('keeps gaps of a series as gaps', () => {
    const gappy = Array.from({ length: n }, (_, i) => (i < n / 2 ? null : i));
    const [dx, dy] = downsample(x, [gappy], 0, n - 1, 50);
    dy.forEach((v, i) => {
      if (dx[i] < n / 2 - 1) {
        expect(v).toBeNull();
      }
    });
    expect(Math.max(...(dy.filter(v => v !== null) as number[]))).toBe(n - 1);
  });

  it('takes NaN in typed arrays as gaps, and gives them as null', () => {
    const typed = Float64Array.from(x, i => (i % 2 ? NaN : i));
    const [dx, dy] = downsample(x, [typed], 0, 9, 500);
    expect(dx.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(dy.slice(0, 4)).toEqual([0, null, 2, null]);
    const [, wide] = downsample(x, [typed], 0, n - 1, 10);
    expect(wide.some(v => Number.isNaN(v))).toBe(false);
    expect(Math.max(...(wide.filter(v => v !== null) as number[]))).toBe(n - 2);
  });

  it('handles ranges outside the data and empty data', () => {
    expect(downsample([], [[]], 0, 1, 10)).toEqual([[], []]);
    expect(downsample(x, ys, -50, -10, 10)[0]).toEqual([0, n - 1]);
    expect(downsample(x, ys, n + 5, n + 50, 10)[0]).toEqual([0, n - 1]);
  });
});

describe('zoom and pan', () => {
  const extent = { min: 0, max: 100 };

  it('zooms in around the pointer and out to the extent at most', () => {
    const z = zoomRange({ min: 0, max: 100 }, extent, 0.5, -1);
    expect(z.min).toBeCloseTo(10);
    expect(z.max).toBeCloseTo(90);
    expect(zoomRange({ min: 10, max: 50 }, extent, 0, 1)).toEqual({
      min: 10,
      max: 60
    });
    expect(zoomRange({ min: 0, max: 100 }, extent, 0.3, 1)).toEqual(extent);
  });

  it('pans by a fraction of the width, inside the extent', () => {
    expect(panRange({ min: 10, max: 20 }, extent, 0.5)).toEqual({
      min: 15,
      max: 25
    });
    expect(panRange({ min: 90, max: 100 }, extent, 0.5)).toEqual({
      min: 90,
      max: 100
    });
    expect(clampRange({ min: -5, max: 5 }, extent)).toEqual({
      min: 0,
      max: 10
    });
  });
});
