// Helpers of the size experiments (cost-vs-size, memory, ordered-vs-hash): the sampler and warm-up against a fake
// clock, cache sizes from a fake sysfs, log-spaced sizes, hit orders, and memory's layout arithmetic checked
// against real maps.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashMap } from '../src/index.js';
import { finishGrowth, makeKeys } from '../src/lab/measure.js';
import { fillLoop, fitsIn, hitOrder, logSpaced, lookupLoop, parseCacheSize, readCaches, sampleNsPerOp, warmUp } from '../src/lab/experiments/cost-vs-size.js';
import { bucketBytes, keyMakers, maxCountBeforeGrowth, payloadBytes } from '../src/lab/experiments/memory.js';

/** A clock that advances by the next of `steps` (ms) each time the timed call runs. */
function fakeClock(steps: number[]): { clock: () => number; call: () => void } {
  let t = 0;
  let i = 0;
  return {
    clock: () => t,
    call: () => {
      t += steps[Math.min(i, steps.length - 1)]!;
      i++;
    },
  };
}

describe('sampleNsPerOp', () => {
  test('samples until the budget is spent, then reports the median ns per op', () => {
    const f = fakeClock([1, 2, 3, 100, 4, 5, 6]);
    const r = sampleNsPerOp(f.call, 1000, { budgetMs: 10, minSamples: 2, maxSamples: 100 }, undefined, f.clock);
    // 1 + 2 + 3 = 6 < 10, + 100 >= 10: four samples.
    assert.equal(r.samples.length, 4);
    assert.deepEqual(r.samples, [1000, 2000, 3000, 100000]);
    assert.equal(r.median, 2500);
    assert.equal(r.totalMs, 106);
  });

  test('runs at least minSamples even past the budget, and never more than maxSamples', () => {
    const slow = fakeClock([50]);
    assert.equal(sampleNsPerOp(slow.call, 1, { budgetMs: 10, minSamples: 3, maxSamples: 100 }, undefined, slow.clock).samples.length, 3);
    const fast = fakeClock([0.001]);
    assert.equal(sampleNsPerOp(fast.call, 1, { budgetMs: 1e9, minSamples: 1, maxSamples: 7 }, undefined, fast.clock).samples.length, 7);
  });

  test('setup runs before every sample and is not timed', () => {
    const f = fakeClock([2]);
    let setups = 0;
    let t = 0;
    const clock = (): number => f.clock() + t;
    const r = sampleNsPerOp(f.call, 2, { budgetMs: 0, minSamples: 5, maxSamples: 5 }, () => {
      setups++;
      t += 1000; // time spent in setup must not show up
    }, clock);
    assert.equal(setups, 5);
    assert.deepEqual(r.samples, [1e6, 1e6, 1e6, 1e6, 1e6]);
  });

  test('rejects bad options', () => {
    assert.throws(() => sampleNsPerOp(() => {}, 0, { budgetMs: 1, minSamples: 1, maxSamples: 1 }), RangeError);
    assert.throws(() => sampleNsPerOp(() => {}, 1, { budgetMs: 1, minSamples: 3, maxSamples: 2 }), RangeError);
  });
});

describe('warmUp', () => {
  test('stops once the last three runs are within tolerance of the best', () => {
    const f = fakeClock([100, 50, 20, 10, 11, 12, 10, 10]);
    // 10, 11, 12 are within 25% of 10: stops after the sixth run.
    assert.equal(warmUp(f.call, { minReps: 3, maxMs: 1e9 }, f.clock).length, 6);
  });

  test('respects minReps and the time cap', () => {
    const flat = fakeClock([5]);
    assert.equal(warmUp(flat.call, { minReps: 8, maxMs: 1e9 }, flat.clock).length, 8);
    const noisy = fakeClock([10, 30, 10, 30, 10, 30, 10, 30, 10, 30, 10, 30]);
    // Never settles; capped by 100 ms of runs: 10+30+10+30+10+30 = 120 >= 100 after six.
    assert.equal(warmUp(noisy.call, { minReps: 3, maxMs: 100 }, noisy.clock).length, 6);
  });
});

describe('cache sizes', () => {
  test('parseCacheSize', () => {
    assert.equal(parseCacheSize('32K'), 32768);
    assert.equal(parseCacheSize('32768K\n'), 32 * 2 ** 20);
    assert.equal(parseCacheSize('1M'), 2 ** 20);
    assert.equal(parseCacheSize('512'), 512);
    assert.ok(Number.isNaN(parseCacheSize('big')));
  });

  test('readCaches skips instruction caches and sorts by level; fitsIn picks the smallest level', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-sizes-'));
    try {
      const write = (i: number, level: number, type: string, size: string): void => {
        mkdirSync(join(dir, `index${i}`));
        writeFileSync(join(dir, `index${i}`, 'level'), `${level}\n`);
        writeFileSync(join(dir, `index${i}`, 'type'), `${type}\n`);
        writeFileSync(join(dir, `index${i}`, 'size'), `${size}\n`);
      };
      write(3, 3, 'Unified', '32768K');
      write(0, 1, 'Data', '32K');
      write(1, 1, 'Instruction', '32K');
      write(2, 2, 'Unified', '512K');
      const c = readCaches(dir);
      assert.deepEqual(c, [
        { level: 1, bytes: 32768 },
        { level: 2, bytes: 524288 },
        { level: 3, bytes: 32 * 2 ** 20 },
      ]);
      assert.equal(fitsIn(1000, c), 'L1');
      assert.equal(fitsIn(32768, c), 'L1');
      assert.equal(fitsIn(32769, c), 'L2');
      assert.equal(fitsIn(10 * 2 ** 20, c), 'L3');
      assert.equal(fitsIn(2 ** 30, c), 'RAM');
      assert.equal(fitsIn(1, []), 'RAM');
      assert.deepEqual(readCaches(join(dir, 'missing')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logSpaced and hitOrder', () => {
  test('logSpaced: ends included, increasing, about perDecade per decade', () => {
    const xs = logSpaced(1000, 1_000_000, 8);
    assert.equal(xs[0], 1000);
    assert.equal(xs[xs.length - 1], 1_000_000);
    assert.equal(xs.length, 25);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! > xs[i - 1]!);
    // Ratios between neighbours are all about 10^(1/8).
    for (let i = 1; i < xs.length; i++) assert.ok(Math.abs(xs[i]! / xs[i - 1]! - 10 ** (1 / 8)) < 0.01);
    assert.deepEqual(logSpaced(5, 5, 4), [5]);
    // Small ranges do not repeat integers.
    assert.deepEqual(logSpaced(1, 3, 20), [1, 2, 3]);
    assert.throws(() => logSpaced(0, 10, 2), RangeError);
  });

  test('hitOrder draws only present keys, deterministically per seed, and the loops find them all', () => {
    const keys = makeKeys(1000, 7);
    const order = hitOrder(keys, 5000, 42);
    const set = new Set(keys);
    for (const k of order) assert.ok(set.has(k));
    assert.deepEqual(order, hitOrder(keys, 5000, 42));
    assert.notDeepEqual(order, hitOrder(keys, 5000, 43));
    // Most keys show up in 5000 draws from 1000.
    assert.ok(new Set(order).size > 900);
    const m = new HashMap({ key: 'int32', value: 'int32' });
    fillLoop(m, keys);
    assert.equal(m.size, 1000);
    assert.equal(lookupLoop(m, order), 5000);
    assert.equal(lookupLoop(m, makeKeys(100, 7, 1000)), 0);
  });
});

describe('memory helpers', () => {
  test('maxCountBeforeGrowth is the last count before hmap doubles', () => {
    for (const B of [3, 6, 9]) {
      const m = new HashMap({ key: 'int32', value: 'int32', seed: 1 });
      const n = maxCountBeforeGrowth(B);
      const keys = makeKeys(n + 1, 3);
      for (let i = 0; i < n; i++) m.set(keys[i]!, i);
      finishGrowth(m);
      assert.equal(m.stats().B, B, `B after ${n} entries`);
      m.set(keys[n]!, n);
      assert.equal(m.stats().B, B + 1, `B after ${n + 1} entries`);
    }
  });

  test('bucketBytes: packed matches hmap; interleaved pads mixed widths', () => {
    assert.deepEqual(bucketBytes(4, 4), { packed: 72, interleaved: 72 });
    assert.deepEqual(bucketBytes(4, 8), { packed: 104, interleaved: 136 });
    assert.deepEqual(bucketBytes(8, 4), { packed: 104, interleaved: 136 });
    assert.deepEqual(bucketBytes(8, 8), { packed: 136, interleaved: 136 });
    // Go's example in the bmap comment: map[int64]int8 (values 1 byte): 8 + 64 + 8 packed vs 8 + 8 * 16.
    assert.deepEqual(bucketBytes(8, 1), { packed: 80, interleaved: 136 });
    // The packed size is what hmap allocates per bucket.
    assert.equal(new HashMap({ key: 'int32', value: 'int32' })._h.layout.bucketBytes, bucketBytes(4, 4).packed);
    assert.equal(new HashMap({ key: 'int32', value: 'float64' })._h.layout.bucketBytes, bucketBytes(4, 8).packed);
    assert.equal(new HashMap({ key: 'float64', value: 'int32' })._h.layout.bucketBytes, bucketBytes(8, 4).packed);
    assert.equal(new HashMap({ key: 'bigint64', value: 'float64' })._h.layout.bucketBytes, bucketBytes(8, 8).packed);
  });

  test('payloadBytes and key makers', () => {
    assert.equal(payloadBytes('int32', 'int32'), 8);
    assert.equal(payloadBytes('uint32', 'float64'), 12);
    assert.equal(payloadBytes('bigint64', 'float64'), 16);
    assert.equal(payloadBytes('int32', 'any'), 4);
    const base = makeKeys(2000, 11);
    for (const kind of ['int32', 'uint32', 'float64', 'bigint64'] as const) {
      const ks = Array.from(base, keyMakers[kind]);
      assert.equal(new Set(ks).size, base.length, `${kind} keys distinct`);
      // Every key is valid for its kind: a HashMap of that kind accepts them all.
      const m = new HashMap({ key: kind, value: 'int32' }) as unknown as { set(k: unknown, v: number): unknown; size: number };
      ks.forEach((k, i) => m.set(k, i));
      assert.equal(m.size, base.length);
    }
  });
});
