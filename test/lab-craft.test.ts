// Key crafting for the hash-flooding experiment (src/lab/craft.ts): the inverses of fmix32 and hash1, and crafted
// keys that share one bucket chain and one tophash under the pinned seed but spread out under any other seed.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashMap } from '../src/index.js';
import { fmix32, hash1 } from '../src/hash.js';
import { tophash } from '../src/table/layout.js';
import { census } from '../src/table/census.js';
import { finishGrowth } from '../src/lab/measure.js';
import {
  bucketBitsFor,
  collisionCapacity,
  craftCollidingKeys,
  invertFmix32,
  invertHash1,
  inverseOdd,
  maxTopBits,
} from '../src/lab/craft.js';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

describe('inverses', () => {
  test('inverseOdd: a * a^-1 = 1 mod 2^32', () => {
    for (const a of [1, 3, 5, 0x85ebca6b, 0xc2b2ae35, 0xcc9e2d51, 0x1b873593, 0xffffffff]) {
      assert.equal(Math.imul(a, inverseOdd(a)), 1, `a = ${a}`);
    }
    assert.throws(() => inverseOdd(2), RangeError);
  });

  test('invertFmix32(fmix32(x)) === x and fmix32(invertFmix32(h)) === h', () => {
    for (const x of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 0x12345678]) {
      assert.equal(invertFmix32(fmix32(x)), x);
    }
    fc.assert(
      fc.property(int32, (x) => invertFmix32(fmix32(x)) === x && fmix32(invertFmix32(x)) === x),
      { numRuns: 20000 },
    );
  });

  test('hash1(invertHash1(h, s), s) === h and invertHash1(hash1(k, s), s) === k', () => {
    fc.assert(
      fc.property(int32, int32, (h, s) => hash1(invertHash1(h, s), s) === h && invertHash1(hash1(h, s), s) === h),
      { numRuns: 20000 },
    );
    // seeds as the map takes them (uint32) work the same as their int32 form
    assert.equal(hash1(invertHash1(42, 0xdeadbeef), 0xdeadbeef | 0), 42);
  });
});

describe('sizing helpers', () => {
  test('bucketBitsFor matches the B a real map reaches', () => {
    for (const n of [1, 8, 9, 13, 14, 100, 500, 6656, 6657, 10000, 30000]) {
      const m = new HashMap({ key: 'int32', value: 'int32' });
      for (let i = 0; i < n; i++) m.set(i, i);
      assert.equal(bucketBitsFor(n), m._h.B, `n = ${n}`);
    }
  });

  test('maxTopBits leaves room for n keys', () => {
    assert.equal(maxTopBits(16, 20), 8);
    assert.equal(maxTopBits(17, 20), 7);
    assert.equal(maxTopBits(10000, 11), 7);
    assert.equal(maxTopBits(30000, 13), 4);
    assert.equal(maxTopBits(2 ** 21 + 1, 11), -1);
    for (const [n, b] of [[500, 6], [10000, 11], [30000, 13]] as const) {
      const t = maxTopBits(n, b);
      assert.ok(collisionCapacity(b, t) >= n && (t === 8 || collisionCapacity(b, t + 1) < n));
    }
  });
});

describe('craftCollidingKeys', () => {
  const seed = 0x1234abcd;

  test('keys are distinct and hash to the fixed low and top bits', () => {
    const c = craftCollidingKeys(3000, seed, { bucketBits: 9 });
    assert.equal(c.topBits, maxTopBits(3000, 9));
    assert.equal(new Set(c.keys).size, 3000);
    const mask = (1 << 9) - 1;
    const topShift = 32 - c.topBits;
    const h0 = hash1(c.keys[0]!, seed);
    for (let i = 0; i < c.keys.length; i++) {
      const h = hash1(c.keys[i]!, seed);
      assert.equal(h, c.hashes[i]);
      assert.equal(h & mask, h0 & mask);
      assert.equal(h >>> topShift, h0 >>> topShift);
    }
  });

  test('consecutive keys cycle through the free tophash values', () => {
    const c = craftCollidingKeys(30000, seed, { bucketBits: 13 });
    assert.equal(c.topBits, 4);
    const tops = Array.from(c.keys, (k) => tophash(hash1(k, seed)));
    assert.equal(new Set(tops.slice(0, 16)).size, 16);
    for (let i = 16; i < tops.length; i++) assert.equal(tops[i], tops[i - 16]);
  });

  test('with all 8 top bits fixed every key has the same tophash', () => {
    const c = craftCollidingKeys(256, seed, { bucketBits: 12, topBits: 8, top: 0x9f, bucket: 0x3c5 });
    const tops = new Set(Array.from(c.keys, (k) => tophash(hash1(k, seed))));
    assert.deepEqual([...tops], [0x9f]);
    assert.deepEqual(new Set(Array.from(c.keys, (k) => hash1(k, seed) & 0xfff)), new Set([0x3c5]));
  });

  test('refuses more keys than the free bits can count', () => {
    assert.throws(() => craftCollidingKeys(17, seed, { bucketBits: 20, topBits: 8 }), RangeError);
    assert.throws(() => craftCollidingKeys(2 ** 13 + 1, seed, { bucketBits: 20 }), RangeError);
    assert.doesNotThrow(() => craftCollidingKeys(16, seed, { bucketBits: 20, topBits: 8 }));
  });

  test('in a map with the pinned seed they form one chain; with another seed they spread out', () => {
    const n = 2000;
    const c = craftCollidingKeys(n, seed, { bucketBits: bucketBitsFor(n) });
    const pinned = new HashMap({ key: 'int32', value: 'int32', seed: seed >>> 0 });
    const other = new HashMap({ key: 'int32', value: 'int32', seed: (seed ^ 0x5bd1e995) >>> 0 });
    const random = new HashMap({ key: 'int32', value: 'int32' });
    for (const k of c.keys) {
      pinned.set(k, 1);
      other.set(k, 1);
      random.set(k, 1);
    }
    for (const m of [pinned, other, random]) {
      finishGrowth(m);
      m.verify();
      assert.equal(m.size, n);
    }
    const cp = census(pinned._h);
    assert.equal(cp.maxEntries, n, 'every key in one chain');
    assert.equal(cp.histogram[0], cp.buckets - 1, 'every other bucket empty');
    // 2000 keys in 2^9 buckets: mean 3.9 per chain; a chain of 40 has probability far below 1e-20
    for (const m of [other, random]) {
      const cs = census(m._h);
      assert.ok(cs.maxEntries < 40, `longest chain ${cs.maxEntries}`);
      assert.ok(cs.histogram[0]! < cs.buckets / 4, `${cs.histogram[0]} empty buckets of ${cs.buckets}`);
    }
  });
});
