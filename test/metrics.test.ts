// m.metrics(): counters against a Map oracle, gauges through a growth, sampling, options, and that maps with and
// without metrics share their kind's class.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HashMap } from '../src/index.js';
import type { HashMapMetrics } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMap = HashMap<any, any>;

function counters(m: HashMapMetrics): Record<string, number> {
  return { hits: m.hits, misses: m.misses, inserts: m.inserts, updates: m.updates, deletes: m.deletes, clears: m.clears };
}

describe('metrics: off by default', () => {
  it('a map without the option counts nothing, reads gauges, and keeps its plain class', () => {
    const plain = new HashMap({ key: 'int32', value: 'int32' });
    const metered = new HashMap({ key: 'int32', value: 'int32', metrics: true });
    for (let i = 0; i < 100; i++) plain.set(i, i);
    plain.get(1);
    plain.get(-1);
    const m = plain.metrics();
    assert.equal(m.enabled, false);
    assert.deepEqual(counters(m), { hits: 0, misses: 0, inserts: 0, updates: 0, deletes: 0, clears: 0 });
    assert.equal(m.count, 100);
    assert.equal(m.buckets, 2 ** m.B);
    assert.equal(m.bytes, plain.stats().bytes);
    assert.equal(m.doublings, 4, '8 -> 16 -> ... entries: 0 -> 4 buckets bits');
    // One class per key kind, metered or not (a metered subclass made call sites that see both polymorphic).
    assert.equal(Object.getPrototypeOf(plain), Object.getPrototypeOf(metered), 'metered maps keep their kind\'s class');
    assert.equal(Object.getPrototypeOf(plain), Object.getPrototypeOf(new HashMap({ key: 'int32', value: 'int32' })));
    assert.ok(metered instanceof HashMap);
    assert.deepEqual(Object.keys(plain), Object.keys(metered), 'and the same own fields in the same order');
  });

  it('rejects bad metrics options before building anything', () => {
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', metrics: 'yes' as never }), TypeError);
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', metrics: null as never }), TypeError);
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', metrics: { every: 2 } as never }), /unknown metrics option 'every'/);
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', metrics: { sampleEvery: '2' } as never }), TypeError);
    for (const bad of [0, -1, 1.5, 2 ** 20 + 1, NaN]) {
      assert.throws(() => new HashMap({ key: 'int32', value: 'int32', metrics: { sampleEvery: bad } }), RangeError, String(bad));
    }
    assert.equal(new HashMap({ key: 'int32', value: 'int32', metrics: false }).metrics().enabled, false);
    assert.equal(new HashMap({ key: 'int32', value: 'int32', metrics: {} }).metrics().sampleEvery, 1024);
  });
});

describe('metrics: counters', () => {
  it('count a known sequence exactly', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', metrics: true });
    for (let i = 0; i < 10; i++) m.set(i, i); // 10 inserts
    m.set(3, 30); // update
    m.get(3); // hit
    m.get(99); // miss
    m.has(4); // hit
    m.has(-4); // miss
    m.delete(5); // delete
    m.delete(5); // not found: nothing
    m.getOrInsert(6, 0); // hit
    m.getOrInsert(60, 0); // insert
    m.getOrInsertComputed(7, () => 0); // hit
    m.getOrInsertComputed(70, () => 0); // insert
    m.update(8, (v) => (v ?? 0) + 1); // update
    m.update(80, (v) => (v ?? 0) + 1); // insert
    m.increment(9); // update
    m.increment(90); // insert
    assert.equal(m.deleteIf((_v, k) => k >= 60), 4); // 4 deletes
    assert.deepEqual(counters(m.metrics()), { hits: 4, misses: 2, inserts: 14, updates: 3, deletes: 5, clears: 0 });
    m.clear();
    assert.equal(m.metrics().clears, 1);
    assert.equal(m.metrics().deletes, 5, 'clear is counted as a clear, not as deletes');
  });

  const kindKeys = {
    int32: (i: number) => i,
    uint32: (i: number) => i,
    float64: (i: number) => i + 0.5,
    bigint64: (i: number) => BigInt(i),
    string: (i: number) => `k${i}`,
    any: (i: number) => (i % 2 === 0 ? i : `k${i}`),
  } as const;
  for (const [key, k] of Object.entries(kindKeys)) {
    it(`${key} keys: the known sequence, and turning metrics on later keeps the map's class`, () => {
      const value = key === 'bigint64' ? 'bigint64' : 'int32';
      const v = (x: number): unknown => (value === 'bigint64' ? BigInt(x) : x);
      for (const later of [false, true]) {
        const m = new HashMap({ key, value, metrics: !later } as never) as AnyMap;
        const proto = Object.getPrototypeOf(m);
        if (later) {
          m.set(k(100), v(1)); // not counted
          m.get(k(100));
          m._enableMetrics();
          assert.equal(Object.getPrototypeOf(m), proto);
          assert.equal(Object.getPrototypeOf(m), Object.getPrototypeOf(new HashMap({ key, value } as never)));
        }
        for (let i = 0; i < 10; i++) m.set(k(i), v(i)); // 10 inserts
        m.set(k(3), v(30)); // update
        m.get(k(3)); // hit
        m.get(k(99)); // miss
        m.has(k(4)); // hit
        m.has(k(98)); // miss
        m.delete(k(5)); // delete
        m.delete(k(5)); // nothing
        m.getOrInsert(k(6), v(0)); // hit
        m.getOrInsert(k(60), v(0)); // insert
        m.getOrInsertComputed(k(7), () => v(0)); // hit
        m.getOrInsertComputed(k(70), () => v(0)); // insert
        m.update(k(8), () => v(1)); // update
        m.update(k(80), () => v(1)); // insert
        m.increment(k(9)); // update
        m.increment(k(90)); // insert
        assert.equal(m.deleteIf((_x: unknown, kk: unknown) => kk === k(60) || kk === k(70)), 2); // 2 deletes
        m.clear();
        assert.deepEqual(counters(m.metrics()), { hits: 4, misses: 2, inserts: 14, updates: 3, deletes: 3, clears: 1 }, `later: ${later}`);
      }
    });
  }

  it("map calls inside an upsert's callback or deleteIf's predicate are part of that call", () => {
    const m = new HashMap({ key: 'int32', value: 'int32', metrics: { sampleEvery: 1 } });
    for (let i = 0; i < 10; i++) m.set(i, i); // 10 inserts, 10 timed
    m.update(1, (x) => {
      m.get(2);
      m.set(3, 33);
      m.delete(4);
      assert.equal(m.metrics().enabled, true, 'metrics() inside a callback');
      return (x ?? 0) + m.increment(5);
    }); // 1 update
    m.getOrInsertComputed(50, () => (m.has(6) ? 1 : 0)); // 1 insert
    assert.equal(m.deleteIf((x, k) => m.get(k) === x && k >= 8 && k < 50), 2); // 2 deletes
    const got = m.metrics();
    assert.deepEqual(counters(got), { hits: 0, misses: 0, inserts: 11, updates: 1, deletes: 2, clears: 0 });
    assert.equal(got.latency.set.count, 10);
    assert.equal(got.latency.upsert.count, 2);
    assert.equal(got.latency.get.count + got.latency.has.count + got.latency.delete.count, 0);
    m.get(1); // counted again once the outer call is over
    assert.equal(m.metrics().hits, 1);
    assert.equal(m.get(4), undefined, 'the inner delete happened');
    assert.equal(m.get(3), 33);
  });

  it('calls that throw count nothing and leave sampling running', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', metrics: { sampleEvery: 1 } });
    m.set(1, 1);
    assert.throws(() => m.set(2, 1.5), RangeError);
    assert.throws(() => m.get(1.5), RangeError);
    assert.throws(() => m.increment(1, 2 ** 31), RangeError);
    assert.throws(() => m.deleteIf(() => {
      throw new Error('stop');
    }), /stop/);
    const x = m.metrics();
    assert.deepEqual(counters(x), { hits: 0, misses: 0, inserts: 1, updates: 0, deletes: 0, clears: 0 });
    m.get(1);
    assert.equal(m.metrics().latency.get.count, 1, 'the next call is timed');
  });

  it("'any' values: a stored undefined is a hit, a missing key a miss", () => {
    const m = new HashMap({ key: 'int32', value: 'any', metrics: true });
    m.set(1, undefined);
    assert.equal(m.get(1), undefined);
    assert.equal(m.get(2), undefined);
    assert.deepEqual([m.metrics().hits, m.metrics().misses], [1, 1]);
  });

  it('deleteIf whose predicate throws counts what it deleted before', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', metrics: true });
    for (let i = 0; i < 50; i++) m.set(i, i);
    let calls = 0;
    assert.throws(() =>
      m.deleteIf(() => {
        if (++calls === 10) throw new Error('stop');
        return true;
      }),
    );
    assert.equal(m.metrics().deletes, 9);
    assert.equal(m.size, 41);
  });

  const ops = fc.array(
    fc.oneof(
      fc.record({ op: fc.constantFrom('set', 'get', 'has', 'delete', 'getOrInsert', 'update', 'increment'), key: fc.integer({ min: -20, max: 20 }), value: fc.integer({ min: -5, max: 5 }) }),
      fc.record({ op: fc.constant('deleteIf'), key: fc.integer({ min: -20, max: 20 }), value: fc.constant(0) }),
      fc.record({ op: fc.constant('clear'), key: fc.constant(0), value: fc.constant(0) }),
    ),
    { maxLength: 300 },
  );

  for (const key of ['int32', 'uint32', 'float64', 'bigint64', 'string'] as const) {
    it(`${key} keys: counters equal what a Map oracle says happened (property)`, () => {
      fc.assert(
        fc.property(ops, fc.integer({ min: 1, max: 8 }), (seq, every) => {
          const m = new HashMap({ key, value: 'int32', capacity: 0, metrics: { sampleEvery: every } }) as AnyMap;
          const model = new Map<unknown, number>();
          const want = { hits: 0, misses: 0, inserts: 0, updates: 0, deletes: 0, clears: 0 };
          const k = (x: number): unknown =>
            key === 'string' ? `k${x}` : key === 'float64' ? x / 2 : key === 'uint32' ? x + 20 : key === 'bigint64' ? BigInt(x) << 40n : x;
          let timed = 0;
          for (const { op, key: x, value } of seq) {
            const kk = k(x);
            const present = model.has(kk);
            switch (op) {
              case 'set':
                m.set(kk, value);
                want[present ? 'updates' : 'inserts']++;
                model.set(kk, value);
                timed++;
                break;
              case 'get':
              case 'has':
                assert.equal(op === 'get' ? m.get(kk) : m.has(kk), op === 'get' ? model.get(kk) : present);
                want[present ? 'hits' : 'misses']++;
                timed++;
                break;
              case 'delete':
                assert.equal(m.delete(kk), present);
                if (present) want.deletes++;
                model.delete(kk);
                timed++;
                break;
              case 'getOrInsert':
                m.getOrInsert(kk, value);
                want[present ? 'hits' : 'inserts']++;
                if (!present) model.set(kk, value);
                timed++;
                break;
              case 'update':
                m.update(kk, (v: number | undefined) => (v ?? 0) + value);
                want[present ? 'updates' : 'inserts']++;
                model.set(kk, (model.get(kk) ?? 0) + value);
                timed++;
                break;
              case 'increment':
                m.increment(kk, value);
                want[present ? 'updates' : 'inserts']++;
                model.set(kk, (model.get(kk) ?? 0) + value);
                timed++;
                break;
              case 'deleteIf': {
                const n = m.deleteIf((v: number) => v > x / 4);
                let expect = 0;
                for (const [mk, v] of model) if (v > x / 4) (model.delete(mk), expect++);
                assert.equal(n, expect);
                want.deletes += n;
                break;
              }
              case 'clear':
                m.clear();
                model.clear();
                want.clears++;
                break;
            }
            m.verify();
          }
          const got = m.metrics();
          assert.deepEqual(counters(got), want);
          assert.equal(got.count, model.size);
          const sampled = Object.values(got.latency).reduce((n, h) => n + h.count, 0);
          assert.equal(sampled, Math.floor(timed / every), 'one timed operation in sampleEvery');
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('metrics: gauges and latency', () => {
  it('follow a growth: growing, evacuation progress, doublings, evacuated buckets', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', metrics: true });
    for (let i = 0; i < 6.5 * 1024; i++) m.set(i, i);
    let x = m.metrics();
    assert.equal(x.B, 10);
    assert.equal(x.growing, 0);
    m.set(-1, 0); // crosses 6.5 per bucket: starts the doubling to 2^11
    x = m.metrics();
    assert.equal(x.growing, 1);
    assert.equal(x.B, 11);
    assert.ok(x.evacuationProgress > 0 && x.evacuationProgress < 1, `progress ${x.evacuationProgress}`);
    const doublings = x.doublings;
    let seenHalf = false;
    for (let i = 1; m.metrics().growing === 1; i++) {
      m.set(-1 - i, 0);
      const p = m.metrics().evacuationProgress;
      if (p >= 0.5 && p < 1) seenHalf = true;
    }
    assert.ok(seenHalf, 'progress passes through the middle');
    x = m.metrics();
    assert.equal(x.evacuationProgress, 0);
    assert.equal(x.doublings, doublings);
    // Every growth from 2^0 buckets to 2^11 evacuated all its old buckets: 1 + 2 + ... + 2^10.
    assert.equal(x.evacuatedBuckets, 2 ** 11 - 1);
    assert.equal(x.count, m.size);
    assert.equal(x.loadFactor, m.size / 2 ** 11);
  });

  it('samples latencies into histograms that add up', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', metrics: { sampleEvery: 2 } });
    for (let i = 0; i < 1000; i++) m.set(i, i);
    for (let i = 0; i < 1000; i++) m.get(i);
    const { latency } = m.metrics();
    assert.equal(latency.set.count + latency.get.count, 1000);
    for (const h of [latency.set, latency.get]) {
      assert.ok(h.count > 0);
      assert.equal(h.counts.reduce((a, b) => a + b, 0), h.count);
      assert.equal(h.counts.length, h.boundsNs.length + 1);
      assert.ok(h.minNs >= 0 && h.minNs <= h.maxNs && h.sumNs >= h.maxNs);
    }
    assert.equal(latency.delete.count, 0);
  });
});
