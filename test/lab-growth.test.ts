// The growth experiments' helpers (src/lab/experiments/growth-common.ts): timeline downsampling, the slowest-op
// selection, the tail series, percentiles of recorded latencies, the timed loops and the table census.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashMap } from '../src/index.js';
import {
  TableCensus,
  countAbove,
  latencySeries,
  percentilesOf,
  plainFill,
  slowest,
  tailSeries,
  timedFill,
  windowMax,
  windowMinMax,
} from '../src/lab/experiments/growth-common.js';
import { fresh, makeKeys, rng } from '../src/lab/measure.js';

function randomArray(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * 100;
  return a;
}

function increasingX(points: Array<[number, number]>): void {
  for (let i = 1; i < points.length; i++) assert.ok(points[i]![0] > points[i - 1]![0], `x increases at ${i}: ${points[i - 1]![0]} -> ${points[i]![0]}`);
}

describe('windowMax', () => {
  test('short inputs come back whole', () => {
    const ys = [3, 1, 4, 1, 5];
    assert.deepEqual(windowMax(ys, 10), [
      [0, 3],
      [1, 1],
      [2, 4],
      [3, 1],
      [4, 5],
    ]);
    assert.deepEqual(windowMax([], 10), []);
  });

  test('each window keeps its maximum at its own index', () => {
    // 10 values in 3 windows of ceil(10/3) = 4: [0..3], [4..7], [8..9]
    const ys = [1, 9, 2, 3, 4, 4, 8, 0, 7, 6];
    assert.deepEqual(windowMax(ys, 3), [
      [1, 9],
      [6, 8],
      [8, 7],
    ]);
  });

  test('first index wins on ties', () => {
    assert.deepEqual(windowMax([2, 5, 5, 1], 1), [[1, 5]]);
  });

  for (const [n, maxPoints] of [
    [100_000, 2000],
    [2001, 2000],
    [4000, 2000],
    [7, 2],
    [1000, 1],
  ] as const) {
    test(`n=${n}, maxPoints=${maxPoints}: at most maxPoints points, global max kept, every point a real sample`, () => {
      const ys = randomArray(n, n + maxPoints);
      ys[n >> 1] = 1000; // a spike
      const pts = windowMax(ys, maxPoints);
      assert.ok(pts.length <= maxPoints && pts.length > 0, `${pts.length} points`);
      increasingX(pts);
      for (const [x, y] of pts) assert.equal(y, ys[x]);
      assert.deepEqual(
        pts.find(([, y]) => y === 1000),
        [n >> 1, 1000],
      );
      // Every sample is <= the point of its window: no window maximum is lost.
      const w = Math.ceil(n / maxPoints);
      for (let i = 0; i < n; i++) assert.ok(ys[i]! <= pts[Math.floor(i / w)]![1]);
    });
  }

  test('from, to, x0 and scale', () => {
    const ys = [0, 0, 5, 1, 2, 9, 0];
    assert.deepEqual(windowMax(ys, 2, { from: 2, to: 6, x0: -10, scale: 2 }), [
      [-10, 10],
      [-7, 18],
    ]);
  });

  test('rejects maxPoints below 1', () => {
    assert.throws(() => windowMax([1, 2, 3], 0), RangeError);
  });
});

describe('windowMinMax', () => {
  test('short inputs come back whole', () => {
    assert.deepEqual(windowMinMax([1, 2, 3], 10), [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  test('keeps a drop and a peak inside one window, in index order', () => {
    // 12 values, maxPoints 6 -> 2 windows of 6; window 0 has its peak before its drop, window 1 the reverse.
    const ys = [5, 5, 9, 5, 1, 5, 5, 0, 5, 8, 5, 5];
    assert.deepEqual(windowMinMax(ys, 6), [
      [0, 5],
      [2, 9],
      [4, 1],
      [7, 0],
      [9, 8],
      [11, 5],
    ]);
  });

  test('a flat window gives one point', () => {
    // 100 values, maxPoints 10 -> 4 windows of 25, one point each (the first is also the first value), plus the last.
    const ys = new Float64Array(100).fill(3);
    assert.deepEqual(windowMinMax(ys, 10), [
      [0, 3],
      [25, 3],
      [50, 3],
      [75, 3],
      [99, 3],
    ]);
  });

  for (const [n, maxPoints] of [
    [100_000, 2000],
    [2001, 2000],
    [50, 4],
    [1000, 5],
  ] as const) {
    test(`n=${n}, maxPoints=${maxPoints}: at most maxPoints points, global min and max and both ends kept`, () => {
      const ys = randomArray(n, 7 * n + maxPoints);
      ys[n >> 2] = -1;
      ys[(3 * n) >> 2] = 1000;
      const pts = windowMinMax(ys, maxPoints);
      assert.ok(pts.length <= maxPoints, `${pts.length} points`);
      increasingX(pts);
      for (const [x, y] of pts) assert.equal(y, ys[x]);
      assert.deepEqual(pts[0], [0, ys[0]]);
      assert.deepEqual(pts[pts.length - 1], [n - 1, ys[n - 1]]);
      assert.ok(pts.some(([x, y]) => x === n >> 2 && y === -1));
      assert.ok(pts.some(([x, y]) => x === (3 * n) >> 2 && y === 1000));
    });
  }

  test('from, to, x0 and scale on a step function', () => {
    const ys = new Float64Array(1000);
    for (let i = 0; i < 1000; i++) ys[i] = i < 300 ? 10 : i < 700 ? 30 : 20;
    const pts = windowMinMax(ys, 20, { from: 100, to: 900, x0: -100, scale: 0.5 });
    assert.ok(pts.length <= 20);
    assert.deepEqual(pts[0], [-100, 5]);
    assert.deepEqual(pts[pts.length - 1], [699, 10]);
    assert.ok(pts.some(([, y]) => y === 15));
    increasingX(pts);
  });

  test('rejects maxPoints below 4', () => {
    assert.throws(() => windowMinMax([1, 2, 3, 4, 5], 3), RangeError);
  });
});

describe('slowest, tailSeries, latencySeries, percentilesOf, countAbove', () => {
  test('slowest returns the k largest indexes, largest first', () => {
    const ms = Float64Array.from([5, 1, 9, 3, 9, 7, 0]);
    assert.deepEqual(slowest(ms, 3), [2, 4, 5]);
    assert.deepEqual(slowest(ms, 10), [2, 4, 5, 0, 3, 1, 6]);
    assert.deepEqual(slowest(ms, 0), []);
    assert.deepEqual(slowest(ms, 2, 3, 6), [4, 5]);
  });

  test('slowest agrees with a sort on random data', () => {
    const ms = randomArray(5000, 3);
    const want = [...ms.keys()].sort((a, b) => ms[b]! - ms[a]! || a - b).slice(0, 25);
    assert.deepEqual(slowest(ms, 25), want);
  });

  test('tailSeries: k-th slowest at k = 1, 2, 5, 10, ... in microseconds, input untouched', () => {
    const ms = new Float64Array(120);
    for (let i = 0; i < 120; i++) ms[i] = (i + 1) / 1000; // 1..120 us
    const copy = ms.slice();
    const s = tailSeries('x', ms);
    assert.deepEqual(
      s.points.map(([k]) => k),
      [1, 2, 5, 10, 20, 50, 100],
    );
    for (const [k, us] of s.points) assert.ok(Math.abs(us - (121 - k)) < 1e-9, `k=${k}: ${us}`);
    assert.deepEqual(ms, copy);
  });

  test('latencySeries converts to microseconds and floors zeros for log axes', () => {
    const s = latencySeries('x', Float64Array.from([0, 0, 0.002, 0]), 2);
    assert.deepEqual(s.points, [
      [0, 1e-3],
      [2, 2],
    ]);
  });

  test('percentilesOf, with a filter', () => {
    const ms = new Float64Array(1000);
    for (let i = 0; i < 1000; i++) ms[i] = (i + 1) / 1e6; // 1..1000 ns
    const p = percentilesOf(ms);
    assert.equal(p.count, 1000);
    assert.equal(p.max, 1000);
    assert.ok(Math.abs(p.p50 - 500) <= 1, `p50 ${p.p50}`);
    assert.ok(Math.abs(p.p99 - 990) <= 1, `p99 ${p.p99}`);
    const even = percentilesOf(ms, 0, 1000, (i) => i % 2 === 1);
    assert.equal(even.count, 500);
    assert.equal(even.max, 1000);
    assert.equal(countAbove(ms, 0.0009), 100);
  });
});

describe('timed loops and the table census', () => {
  test('timedFill and plainFill insert every key, timedFill records each op', () => {
    const keys = makeKeys(5000, 1);
    const loop = fresh(timedFill);
    const m = new HashMap({ key: 'int32', value: 'int32' });
    const out = new Float64Array(5000);
    const starts = new Float64Array(5000);
    loop(m, keys, 0, 5000, out, starts, performance.now.bind(performance));
    assert.equal(m.size, 5000);
    for (let i = 0; i < 5000; i++) {
      assert.equal(m.get(keys[i]!), i);
      assert.ok(out[i]! >= 0 && starts[i]! > 0);
      if (i > 0) assert.ok(starts[i]! >= starts[i - 1]!);
    }
    const m2 = new Map<number, number>();
    fresh(plainFill)(m2, keys, 100, 200);
    assert.equal(m2.size, 100);
    assert.equal(m2.get(keys[150]!), 150);
  });

  test('TableCensus: a pre-sized map allocates one table, a grown one a table per doubling', () => {
    const n = 50_000;
    const keys = makeKeys(n, 2);
    for (const capacity of [n, 0]) {
      const m = new HashMap({ key: 'int32', value: 'int32', capacity, seed: 99 });
      const c = new TableCensus(() => m._h);
      for (let i = 0; i < n; i++) {
        m.set(keys[i]!, i);
        c.observe();
      }
      const f = c.finish();
      const h = m._h;
      assert.equal(f.tables, 1 + h.doublings + h.sameSizeGrowths, `capacity ${capacity}`);
      if (capacity === n) assert.equal(f.tables, 1);
      else assert.ok(f.tables > 10);
      // Every table has at least one main segment; the last one's segments are exactly the map's current ones.
      assert.ok(f.arrayBuffers >= f.tables + h.buckets.segs.length - 1);
      assert.ok(f.bytesAllocated >= m.stats().bytes);
      if (capacity === n) {
        assert.equal(f.arrayBuffers, h.buckets.segs.length);
        assert.equal(f.bytesAllocated, m.stats().bytes);
      }
    }
  });
});
