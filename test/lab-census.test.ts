// census (src/table/census.ts) against brute force: chains computed by hashing the keys with hash1 and the bucket
// rule (hash & (2^B - 1)), a hand-built chain whose slots are known, and a lookup simulator that walks raw tophash
// bytes key by key. Also finishGrowth (src/lab/measure.ts) and the chain-lengths statistics helpers.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashMap } from '../src/index.js';
import { hash1 } from '../src/hash.js';
import { census, packedChain } from '../src/table/census.js';
import type { Hmap } from '../src/table/hmap.js';
import { Slot, tophash } from '../src/table/layout.js';
import { finishGrowth, makeKeys, rng } from '../src/lab/measure.js';
import { chiSquare, gammaQ, lnGamma, poissonPmf, totalVariation } from '../src/lab/experiments/chain-lengths.js';

type IntMap = HashMap<number, number>;

function h(m: IntMap): Hmap {
  return m._h;
}

/** Entries per main bucket, by hashing every key ourselves. */
function bruteEntries(keys: Iterable<number>, seed: number, B: number): Int32Array {
  const out = new Int32Array(2 ** B);
  const mask = 2 ** B - 1;
  for (const k of keys) out[hash1(k, seed) & mask]!++;
  return out;
}

/** First n int32 keys from `from` on whose hash lands in `bucket` of a 2^B table. */
function keysInBucket(seed: number, B: number, bucket: number, n: number, from = 1): number[] {
  const out: number[] = [];
  const mask = 2 ** B - 1;
  for (let k = from; out.length < n; k++) if ((hash1(k, seed) & mask) === bucket) out.push(k);
  return out;
}

/**
 * Looks a key up the way access.ts does, over the raw table, counting tophash bytes read (the link slot once) and
 * entries passed (live slots up to and including the key). found is false for an absent key.
 */
function simulateLookup(hm: Hmap, hash: number, key: number): { found: boolean; slots: number; entries: number } {
  const t = hm.buckets;
  const top = tophash(hash);
  let gid = hash & t.mask;
  let slots = 0;
  let entries = 0;
  for (;;) {
    const seg = t.seg(gid);
    const lb = t.local(gid);
    const base = lb * t.bw;
    for (let i = 0; i < 8; i++) {
      const th = seg.u8[base * 4 + i]!;
      slots++;
      if (th >= Slot.minTopHash) entries++;
      if (th === Slot.emptyRest) return { found: false, slots, entries };
      if (th === top && seg.i32[base + 2 + i] === key) return { found: true, slots, entries };
    }
    if (seg.u8[base * 4 + 7] !== Slot.overflowLink) return { found: false, slots, entries };
    gid = seg.i32[base + t.linkOff]!;
  }
}

/** An int32 key whose hash lands in bucket b and is not in the map (for miss simulation). */
function absentKeyIn(m: IntMap, b: number): number {
  const hm = h(m);
  for (let k = -1; ; k--) if ((hash1(k, hm.seed) & hm.buckets.mask) === b && !m.has(k)) return k;
}

describe('packedChain', () => {
  test('matches hand-counted layouts', () => {
    assert.deepEqual(packedChain(0), { buckets: 1, missSlots: 1, hitSlots: 0 });
    assert.deepEqual(packedChain(3), { buckets: 1, missSlots: 4, hitSlots: 6 });
    assert.deepEqual(packedChain(8), { buckets: 1, missSlots: 8, hitSlots: 36 });
    // 9: slots 0..6 of the main bucket (1..7), link, then overflow slots 0..1 (9, 10); a miss reads 8 + 3.
    assert.deepEqual(packedChain(9), { buckets: 2, missSlots: 11, hitSlots: 28 + 19 });
    // 15: 7 + 8; 16: 7 + 7 + link + 2.
    assert.deepEqual(packedChain(15), { buckets: 2, missSlots: 16, hitSlots: 28 + (9 + 16) * 4 });
    assert.deepEqual(packedChain(16), { buckets: 3, missSlots: 19, hitSlots: 28 + (9 + 15) * 3.5 + 17 + 18 });
  });
});

describe('census', () => {
  test('a hand-built chain: counts through spills, deletes, emptyRest before the link', () => {
    // loadFactor 64 keeps a one-bucket table (B = 0) up to 64 entries, so every key shares bucket 0.
    const seed = 7;
    const m: IntMap = new HashMap({ key: 'int32', value: 'int32', seed, loadFactor: 64 });
    const ks = keysInBucket(seed, 0, 0, 12);
    for (const k of ks) m.set(k, k);
    assert.equal(h(m).B, 0);
    // k0..k6 in main slots 0..6, link in slot 7; k7..k11 in overflow slots 0..4, emptyRest from slot 5.
    let c = census(h(m));
    assert.equal(c.count, 12);
    assert.equal(c.entries[0], 12);
    assert.equal(c.chainBuckets[0], 2);
    assert.equal(c.overflowBuckets, 1);
    assert.equal(c.overflowShare, 1);
    assert.equal(c.missSlots, 8 + 6);
    assert.equal(c.hitSlots, (28 + (9 + 10 + 11 + 12 + 13)) / 12);
    assert.equal(c.hitProbe, 6.5);
    assert.equal(c.missProbe, 12);
    assert.deepEqual(c.histogram.slice(12), [1]);

    m.delete(ks[11]!); // overflow slot 4 -> emptyRest
    c = census(h(m));
    assert.equal(c.missSlots, 8 + 5);
    m.delete(ks[0]!); // main slot 0 -> emptyOne: still read by every lookup
    c = census(h(m));
    assert.equal(c.count, 10);
    assert.equal(c.missSlots, 8 + 5);
    assert.equal(c.hitSlots, (2 + 3 + 4 + 5 + 6 + 7 + 9 + 10 + 11 + 12) / 10);
    assert.equal(c.hitProbe, 55 / 10);
    for (const k of ks.slice(7, 11)) m.delete(k); // overflow bucket empty: its slot 0 is emptyRest
    c = census(h(m));
    assert.equal(c.missSlots, 8 + 1);
    assert.equal(c.chainBuckets[0], 2, 'the emptied overflow bucket stays linked');
    m.delete(ks[6]!); // main slot 6 -> emptyRest: a miss now stops there, before the link
    c = census(h(m));
    assert.equal(c.missSlots, 7);
    for (const k of ks.slice(1, 6)) m.delete(k);
    c = census(h(m));
    assert.equal(c.count, 0);
    assert.equal(c.missSlots, 1);
    assert.ok(Number.isNaN(c.hitProbe));
    assert.equal(c.chainBuckets[0], 2);
    assert.deepEqual(c.histogram, [1]);
  });

  for (const [lf, n, capacity] of [
    [20, 300, 300], // 16 buckets, chains of ~19 entries: three and four buckets
    [6.5, 5000, 0], // grown from empty through several doublings
    [1, 3000, 0],
  ] as const) {
    test(`a map written without deletes (loadFactor ${lf}, ${n} keys): chains as hashing predicts`, () => {
      const seed = 12345;
      const m: IntMap = new HashMap({ key: 'int32', value: 'int32', seed, loadFactor: lf, capacity });
      const keys = makeKeys(n, 99);
      for (const k of keys) m.set(k, 1);
      finishGrowth(m);
      const hm = h(m);
      const c = census(hm);
      const want = bruteEntries(keys, seed, hm.B);
      assert.deepEqual(Array.from(c.entries), Array.from(want));
      let hitPos = 0;
      let hitSlots = 0;
      let missSlots = 0;
      let ovf = 0;
      let withOvf = 0;
      for (let b = 0; b < c.buckets; b++) {
        const e = want[b]!;
        const p = packedChain(e);
        assert.equal(c.chainBuckets[b], p.buckets, `bucket ${b}: ${e} entries`);
        assert.equal(c.chainMissSlots[b], p.missSlots, `bucket ${b}: ${e} entries`);
        assert.equal(c.chainHitSlots[b], p.hitSlots, `bucket ${b}: ${e} entries`);
        hitPos += (e * (e + 1)) / 2;
        hitSlots += p.hitSlots;
        missSlots += p.missSlots;
        ovf += p.buckets - 1;
        if (p.buckets > 1) withOvf++;
      }
      assert.equal(c.count, n);
      assert.equal(c.count, hm.count);
      assert.equal(c.histogram.reduce((s, x) => s + x, 0), c.buckets);
      assert.equal(c.histogram.reduce((s, x, e) => s + x * e, 0), n);
      assert.equal(c.overflowBuckets, ovf);
      assert.equal(c.overflowBuckets, hm.buckets.novf);
      assert.equal(c.chainsWithOverflow, withOvf);
      assert.ok(Math.abs(c.hitProbe - hitPos / n) < 1e-12);
      assert.ok(Math.abs(c.hitSlots - hitSlots / n) < 1e-12);
      assert.ok(Math.abs(c.missSlots - missSlots / c.buckets) < 1e-12);
      assert.equal(c.missProbe, n / c.buckets);
      assert.equal(c.bytes, m.stats().bytes);
    });
  }

  test('after random deletes and re-inserts: every figure equals a key-by-key lookup simulation', () => {
    const seed = 4242;
    const m: IntMap = new HashMap({ key: 'int32', value: 'int32', seed });
    const r = rng(3);
    const live = new Set<number>();
    const keys = makeKeys(20000, 5);
    let next = 0;
    for (; next < 6000; next++) {
      m.set(keys[next]!, 0);
      live.add(keys[next]!);
    }
    for (let round = 0; round < 6; round++) {
      for (const k of [...live]) {
        if (r() < 0.3) {
          m.delete(k);
          live.delete(k);
        }
      }
      for (let j = 0; j < 1500; j++, next++) {
        m.set(keys[next]!, 0);
        live.add(keys[next]!);
      }
    }
    finishGrowth(m);
    m.verify();
    const hm = h(m);
    const c = census(hm);
    assert.equal(c.count, live.size);
    assert.deepEqual(Array.from(c.entries), Array.from(bruteEntries(live, seed, hm.B)));
    let hitEntries = 0;
    let hitSlots = 0;
    for (const k of live) {
      const s = simulateLookup(hm, hash1(k, seed), k);
      assert.ok(s.found, `key ${k} found`);
      hitEntries += s.entries;
      hitSlots += s.slots;
    }
    assert.ok(Math.abs(c.hitProbe - hitEntries / live.size) < 1e-9, `hitProbe ${c.hitProbe} vs ${hitEntries / live.size}`);
    assert.ok(Math.abs(c.hitSlots - hitSlots / live.size) < 1e-9, `hitSlots ${c.hitSlots} vs ${hitSlots / live.size}`);
    let missSlots = 0;
    let missEntries = 0;
    let holes = 0;
    for (let b = 0; b < c.buckets; b++) {
      const k = absentKeyIn(m, b);
      const s = simulateLookup(hm, hash1(k, seed), k);
      assert.ok(!s.found);
      assert.equal(c.chainMissSlots[b], s.slots, `bucket ${b}`);
      missSlots += s.slots;
      missEntries += s.entries;
      if (s.slots > packedChain(c.entries[b]!).missSlots) holes++;
    }
    assert.ok(Math.abs(c.missSlots - missSlots / c.buckets) < 1e-12);
    assert.equal(missEntries, c.count, 'a miss checks every entry of its chain');
    assert.ok(holes > 0, 'deletes left holes that lookups still read');
    assert.equal(c.overflowBuckets, hm.buckets.novf);
  });

  test('refuses a growing table; finishGrowth completes the growth without changing the entries', () => {
    const m: IntMap = new HashMap({ key: 'int32', value: 'int32', seed: 1 });
    const keys = makeKeys(6.5 * 1024 + 1, 11);
    for (const k of keys) m.set(k, k);
    assert.ok(m.stats().growing, 'the last insert started a doubling');
    assert.throws(() => census(h(m)), /growing/);
    const deletes = finishGrowth(m);
    assert.ok(deletes > 0);
    assert.equal(m.stats().growing, false);
    assert.equal(m.size, keys.length);
    m.verify();
    for (const k of keys) assert.equal(m.get(k), k);
    assert.equal(census(h(m)).count, keys.length);
    assert.equal(finishGrowth(m), 0);
  });
});

describe('chain-lengths statistics', () => {
  test('poissonPmf sums to 1 and has mean lambda', () => {
    const p = poissonPmf(6.5, 60);
    assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-12);
    assert.ok(Math.abs(p.reduce((s, x, k) => s + x * k, 0) - 6.5) < 1e-10);
    assert.ok(Math.abs(p[0]! - Math.exp(-6.5)) < 1e-15);
  });

  test('lnGamma and gammaQ against known values', () => {
    assert.ok(Math.abs(lnGamma(5) - Math.log(24)) < 1e-12);
    assert.ok(Math.abs(lnGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-12);
    // Chi-square survival: df 2 is exp(-x/2); df 10 at x = 18.307 is 0.05; df 1 at 3.841 is 0.05.
    assert.ok(Math.abs(gammaQ(1, 1.5) - Math.exp(-1.5)) < 1e-12);
    assert.ok(Math.abs(gammaQ(5, 18.307 / 2) - 0.05) < 1e-4);
    assert.ok(Math.abs(gammaQ(0.5, 3.841 / 2) - 0.05) < 1e-4);
    assert.ok(Math.abs(gammaQ(3, 0.5) - Math.exp(-0.5) * (1 + 0.5 + 0.125)) < 1e-12);
  });

  test('chiSquare accepts Poisson samples and rejects a shifted lambda; totalVariation', () => {
    const m = 200000;
    const lambda = 6.5;
    const p = poissonPmf(lambda, 40);
    const r = rng(9);
    const obs: number[] = new Array(41).fill(0);
    for (let i = 0; i < m; i++) {
      // Inverse-transform sampling.
      const u = r();
      let k = 0;
      let F = p[0]!;
      while (u > F && k < 40) F += p[++k]!;
      obs[k]!++;
    }
    const good = chiSquare(obs, p, m);
    assert.ok(good.pValue > 0.001, `p = ${good.pValue}`);
    assert.ok(totalVariation(obs, p, m) < 0.01);
    const bad = chiSquare(obs, poissonPmf(6.7, 40), m);
    assert.ok(bad.pValue < 1e-6, `shifted lambda: p = ${bad.pValue}`);
    assert.ok(totalVariation(obs, poissonPmf(8, 40), m) > 0.1);
    // Exact counts give chi-square 0 and TV 0.
    const exact = p.map((x) => x * m);
    assert.ok(chiSquare(exact, p, m).chi2 < 1e-9);
    assert.ok(totalVariation(exact, p, m) < 1e-12);
  });
});
