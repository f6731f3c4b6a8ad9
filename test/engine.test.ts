// Model-based tests of the engine against native Map, with verify() after every step, plus targeted tests of
// growth, the overflow spill, iteration under mutation and bad input.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { HashMap, type KeyKind, type ValueKind } from '../src/index.js';

type Op =
  | { op: 'set'; k: number; v: number }
  | { op: 'get' | 'has' | 'delete'; k: number }
  | { op: 'clear' }
  | { op: 'iterate'; mutate: number };

const keyFor: Record<KeyKind, (i: number) => unknown> = {
  int32: (i) => [-(2 ** 31), 2 ** 31 - 1, 0][i % 40] ?? i * 7919 - 150_000,
  uint32: (i) => [0, 2 ** 32 - 1][i % 40] ?? i * 104_729,
  float64: (i) => [NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, 2 ** 53, 0.1][i % 40] ?? i / 3,
  bigint64: (i) => [-(2n ** 63n), 2n ** 63n - 1n, -1n][i % 40] ?? BigInt(i) * 1_000_000_007n,
  string: (i) => ['', '\ud800', '\udc00\ud800', 'x'.repeat(3000)][i % 40] ?? `k${i}`,
  any: (i) => [NaN, -0, null, undefined, true, 2n ** 64n, Symbol.for('k')][i % 40] ?? (i % 3 === 0 ? `k${i}` : i % 3 === 1 ? i / 3 : BigInt(i)),
};

const valueFor: Record<ValueKind, (v: number) => unknown> = {
  int32: (v) => v | 0,
  uint32: (v) => v >>> 0,
  float64: (v) => v / 7,
  bigint64: (v) => BigInt(v),
  string: (v) => (v % 5 === 0 ? '' : `v${v}`),
  any: (v) => (v % 3 === 0 ? { v } : v % 3 === 1 ? `s${v}` : undefined),
};

const opArb = (domain: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), k: fc.nat(domain), v: fc.integer() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const), k: fc.nat(domain) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), k: fc.nat(domain) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('iterate' as const), mutate: fc.nat(3) }) },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  );

function checkContents(m: HashMap<unknown, unknown>, model: Map<unknown, unknown>): void {
  assert.equal(m.size, model.size);
  let n = 0;
  for (const [k, v] of m) {
    n++;
    assert.ok(model.has(k), `iterated key ${String(k)} is not in the model`);
    assert.equal(v, model.get(k));
  }
  assert.equal(n, model.size);
}

/**
 * Iterates m while mutating it; checks the iteration contract: keys present throughout are returned exactly
 * once, keys deleted before being reached are not returned, and values are the live ones.
 */
function iterateWithMutation(m: HashMap<unknown, unknown>, model: Map<unknown, unknown>, kind: KeyKind, vkind: ValueKind, mutate: number, fresh: { next: number }): void {
  const present = new Set(model.keys());
  const removed = new Set<unknown>();
  const seen = new Set<unknown>();
  let steps = 0;
  for (const [k, v] of m) {
    steps++;
    assert.ok(!seen.has(k), `key ${String(k)} returned twice`);
    assert.ok(!removed.has(k), `key ${String(k)} returned after it was deleted`);
    assert.ok(model.has(k), `key ${String(k)} returned but not in the map`);
    assert.equal(v, model.get(k));
    seen.add(k);
    // Mutate during the first steps only: keys added during iteration may be returned, and adding more for
    // each of those would never end (for Map as well).
    if (mutate >= 1 && steps <= 12) {
      // Add new keys (possibly growing the table under the iterator).
      for (let j = 0; j < mutate * 3; j++) {
        const nk = keyFor[kind](1000 + fresh.next++);
        const nv = valueFor[vkind](fresh.next);
        m.set(nk as never, nv as never);
        model.set(nk, nv);
        removed.delete(nk); // re-added: it may be returned again
      }
    }
    if (mutate >= 2 && steps <= 12) {
      // Delete a key not yet seen, and one already seen.
      for (const victim of model.keys()) {
        if (!seen.has(victim)) {
          m.delete(victim as never);
          model.delete(victim);
          removed.add(victim);
          present.delete(victim);
          break;
        }
      }
      m.delete(k as never);
      model.delete(k);
      // If this key is added again later in the loop it is a new entry, which may be returned again (Map does
      // too); returning it while absent is still caught above.
      seen.delete(k);
      present.delete(k);
    }
    m.verify();
  }
  for (const k of present) if (model.has(k)) assert.ok(seen.has(k), `key ${String(k)} present throughout was not returned`);
}

function runModel(kind: KeyKind, vkind: ValueKind, opts: { loadFactor?: number; growth?: 'incremental' | 'all-at-once' }, numRuns: number): void {
  fc.assert(
    fc.property(fc.array(opArb(60), { minLength: 20, maxLength: 300, size: 'max' }), fc.nat(2 ** 32 - 1), (ops, seed) => {
      const m = new HashMap({ key: kind, value: vkind, seed, ...opts }) as unknown as HashMap<unknown, unknown>;
      const model = new Map<unknown, unknown>();
      const fresh = { next: 0 };
      for (const o of ops) {
        switch (o.op) {
          case 'set': {
            const k = keyFor[kind](o.k);
            const v = valueFor[vkind](o.v);
            assert.equal(m.set(k, v), m);
            model.set(k, v);
            break;
          }
          case 'get':
            assert.equal(m.get(keyFor[kind](o.k)), model.get(keyFor[kind](o.k)));
            break;
          case 'has':
            assert.equal(m.has(keyFor[kind](o.k)), model.has(keyFor[kind](o.k)));
            break;
          case 'delete':
            assert.equal(m.delete(keyFor[kind](o.k)), model.delete(keyFor[kind](o.k)));
            break;
          case 'clear':
            m.clear();
            model.clear();
            break;
          case 'iterate':
            if (o.mutate === 0) checkContents(m, model);
            else iterateWithMutation(m, model, kind, vkind, o.mutate, fresh);
            break;
        }
        m.verify();
        assert.equal(m.size, model.size);
      }
      checkContents(m, model);
    }),
    { numRuns },
  );
}

describe('model: HashMap behaves like Map (verify after every step)', () => {
  const combos: [KeyKind, ValueKind][] = [
    ['int32', 'int32'],
    ['int32', 'any'],
    ['uint32', 'float64'],
    ['float64', 'bigint64'],
    ['bigint64', 'uint32'],
    ['string', 'string'],
    ['string', 'int32'],
    ['int32', 'string'],
  ];
  for (const [k, v] of combos) {
    test(`${k} -> ${v}, Go's load factor`, () => runModel(k, v, {}, 60));
  }
  test('int32 -> int32, load factor 12 (long chains, many spills)', () => runModel('int32', 'int32', { loadFactor: 12 }, 60));
  test('float64 -> any, load factor 0.5', () => runModel('float64', 'any', { loadFactor: 0.5 }, 40));
  test('bigint64 -> int32, all-at-once growth', () => runModel('bigint64', 'int32', { growth: 'all-at-once' }, 40));
});

describe('growth', () => {
  test('doubling is incremental: each write evacuates at most two old buckets, and growth completes', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', seed: 7 });
    let sawGrowing = false;
    let prevEvac = 0;
    for (let i = 0; i < 50_000; i++) {
      const before = m.stats();
      m.set(i, i);
      const s = m.stats();
      if (s.growing) {
        sawGrowing = true;
        const moved = before.growing && before.B === s.B ? s.evacuated - prevEvac : s.evacuated;
        assert.ok(moved <= 2, `one set evacuated ${moved} buckets`);
      }
      prevEvac = s.evacuated;
      if (i % 4999 === 0) m.verify();
    }
    assert.ok(sawGrowing);
    const s = m.stats();
    assert.equal(s.count, 50_000);
    assert.ok(s.B >= 13 && s.loadFactor <= 6.5, `B=${s.B} load=${s.loadFactor}`);
    for (let i = 0; i < 50_000; i += 7) assert.equal(m.get(i), i);
  });

  test('capacity pre-sizes: no growth until more than capacity entries', () => {
    const m = new HashMap({ key: 'uint32', value: 'int32', capacity: 10_000 });
    const B = m.stats().B;
    for (let i = 0; i < 10_000; i++) {
      m.set(i, i);
      assert.equal(m.stats().growing, false);
    }
    assert.equal(m.stats().B, B);
    for (let i = 10_000; i < 60_000 && m.stats().B === B; i++) m.set(i, i);
    assert.ok(m.stats().B > B);
  });

  test('churn at a steady size triggers same-size growth, which re-packs overflow chains', () => {
    // Near the load limit (6.4 of 6.5 per bucket) about a fifth of the chains overflow at any time; churn keeps
    // adding overflow buckets that deletes never return, until there are as many as buckets.
    const m = new HashMap({ key: 'int32', value: 'int32', seed: 3, capacity: 3300 });
    const B = m.stats().B;
    assert.equal(B, 9);
    let next = 0;
    const live: number[] = [];
    for (; next < 3270; next++) {
      m.set(next * 31, next);
      live.push(next * 31);
    }
    let sameSize = 0;
    for (let r = 0; r < 200_000 && sameSize === 0; r++) {
      const victim = live.splice((r * 7919) % live.length, 1)[0]!;
      assert.equal(m.delete(victim), true);
      m.set(next * 31, next);
      live.push(next * 31);
      next++;
      if (m.stats().sameSizeGrow) sameSize++;
    }
    m.verify();
    assert.ok(sameSize > 0, 'no same-size growth happened');
    assert.equal(m.stats().B, B);
    // Finish the growth with more churn; the re-packed table has fewer overflow buckets than the trigger.
    for (let r = 0; m.stats().growing; r++) {
      const victim = live.splice((r * 7919) % live.length, 1)[0]!;
      m.delete(victim);
      m.set(next * 31, next);
      live.push(next * 31);
      next++;
    }
    m.verify();
    assert.ok(m.stats().overflowBuckets < 2 ** B, `${m.stats().overflowBuckets} overflow buckets after re-packing`);
    for (const k of live) assert.ok(m.has(k));
  });

  test('regression: load factor 12 on a one-bucket table does not loop forever in same-size growth', () => {
    // A 1-bucket table at load factor 12 holds 12 entries, which needs an overflow bucket; a same-size growth
    // finished inside the same set() and was started again, forever.
    for (const growth of ['incremental', 'all-at-once'] as const) {
      const m = new HashMap({ key: 'int32', value: 'int32', loadFactor: 12, seed: 1, growth });
      for (let i = 0; i < 200; i++) {
        m.set(i, i);
        m.verify();
      }
      assert.equal(m.size, 200);
    }
  });

  test('all-at-once growth never leaves the map growing', () => {
    const m = new HashMap({ key: 'int32', value: 'float64', growth: 'all-at-once' });
    for (let i = 0; i < 20_000; i++) {
      m.set(i, i / 2);
      assert.equal(m.stats().growing, false);
    }
    m.verify();
  });

  test('a million entries (more than 2^17 buckets) stay findable', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    for (let i = 0; i < 1_000_000; i++) m.set(i * 3, i);
    m.verify();
    assert.equal(m.size, 1_000_000);
    for (let i = 0; i < 1_000_000; i += 101) assert.equal(m.get(i * 3), i);
    assert.equal(m.get(1), undefined);
  });
});

describe('seeds', () => {
  const seedOf = (m: unknown): number => (m as { _h: { seed: number } })._h.seed;

  test('a random seed is re-drawn when the map empties, by delete or clear', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    const seeds = new Set([seedOf(m)]);
    for (let r = 0; r < 4; r++) {
      m.set(1, 1).set(2, 2);
      m.delete(1);
      m.delete(2);
      seeds.add(seedOf(m));
      m.set(3, 3);
      m.clear();
      seeds.add(seedOf(m));
    }
    assert.ok(seeds.size >= 8, `only ${seeds.size} distinct seeds`);
  });

  test('a fixed seed stays fixed', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', seed: 42 });
    m.set(1, 1);
    m.delete(1);
    m.clear();
    assert.equal(seedOf(m), 42);
  });
});

describe('bad input leaves the map unchanged', () => {
  const cases: [KeyKind, unknown[], ValueKind, unknown[]][] = [
    ['int32', [1.5, 2 ** 31, -(2 ** 31) - 1, '1', NaN, 1n, null], 'int32', [1.5, 2 ** 31, '1', undefined]],
    ['uint32', [-1, 2 ** 32, 1.5, '1'], 'uint32', [-1, 2 ** 32, 0.5]],
    ['float64', ['1', 1n, undefined, {}], 'float64', ['1', 1n, null]],
    ['bigint64', [2n ** 63n, -(2n ** 63n) - 1n, 1, '1'], 'bigint64', [2n ** 64n, 1, '1']],
    ['string', [1, 1n, null, undefined, {}, new String('x')], 'string', [1, null, undefined, 1n, ['a']]],
  ];
  for (const [kind, badKeys, vkind, badValues] of cases) {
    test(`${kind} keys, ${vkind} values`, () => {
      const m = new HashMap({ key: kind, value: vkind, seed: 1 }) as unknown as HashMap<unknown, unknown>;
      const goodKey = keyFor[kind](5);
      const goodValue = valueFor[vkind](9);
      m.set(goodKey, goodValue);
      const snapshot = JSON.stringify(m.stats());
      for (const k of badKeys) {
        for (const call of [() => m.set(k, goodValue), () => m.get(k), () => m.has(k), () => m.delete(k)]) {
          assert.throws(call, (e: Error) => {
            assert.ok(e instanceof TypeError || e instanceof RangeError, `${e.name} for key ${String(k)}`);
            assert.match(e.message, new RegExp(kind));
            return true;
          });
        }
        assert.equal(e2type(k, kind), true);
      }
      for (const v of badValues) {
        assert.throws(() => m.set(keyFor[kind](6), v), (e: Error) => e instanceof TypeError || e instanceof RangeError);
        assert.throws(() => m.set(goodKey, v), (e: Error) => e.message.includes(vkind));
      }
      assert.equal(JSON.stringify(m.stats()), snapshot);
      assert.equal(m.get(goodKey), goodValue);
      assert.equal(m.has(keyFor[kind](6)), false);
      m.verify();
    });
  }

  /** The error class follows the rule: TypeError for the wrong JS type, RangeError for out of range. */
  function e2type(k: unknown, kind: KeyKind): boolean {
    const expected = kind === 'bigint64' ? 'bigint' : kind === 'string' ? 'string' : 'number';
    try {
      new HashMap({ key: kind, value: 'int32' }).get(k as never);
    } catch (e) {
      return typeof k === expected ? e instanceof RangeError : e instanceof TypeError;
    }
    return false;
  }

  test('options: wrong JS type is a TypeError, out of range a RangeError, null is not "absent"', () => {
    const typeErrors = [
      { capacity: '10' },
      { capacity: null },
      { seed: '1' },
      { seed: null },
      { loadFactor: '6.5' },
      { loadFactor: null },
      { growth: null },
    ];
    for (const o of typeErrors) {
      assert.throws(() => new HashMap({ key: 'int32', value: 'int32', ...o } as never), TypeError, JSON.stringify(o));
    }
    for (const o of [{ capacity: -1 }, { capacity: 1.5 }, { seed: -1 }, { seed: 2 ** 32 }, { loadFactor: 0 }, { loadFactor: 65 }]) {
      assert.throws(() => new HashMap({ key: 'int32', value: 'int32', ...o } as never), RangeError, JSON.stringify(o));
    }
  });

  test('invalid options throw at construction', () => {
    // (undefined and null are Map's "no entries": new HashMap() has 'any' keys and values.)
    const bad: unknown[] = [
      42,
      'int32',
      {},
      { key: 'int32' },
      { key: 'utf8', value: 'int32' },
      { key: 'int32', value: 'int8' },
      { key: 'int32', value: 'int32', capacity: -1 },
      { key: 'int32', value: 'int32', capacity: 1.5 },
      { key: 'int32', value: 'int32', capacity: '10' },
      { key: 'int32', value: 'int32', seed: -1 },
      { key: 'int32', value: 'int32', seed: 2 ** 32 },
      { key: 'int32', value: 'int32', loadFactor: 0 },
      { key: 'int32', value: 'int32', loadFactor: NaN },
      { key: 'int32', value: 'int32', growth: 'lazy' },
      { key: 'int32', value: 'int32', capcity: 10 },
      { key: 'int32', value: 'int32', capacity: 2 ** 40 },
    ];
    for (const o of bad) {
      assert.throws(() => new HashMap(o as never), (e: Error) => e instanceof TypeError || e instanceof RangeError, JSON.stringify(o));
    }
  });
});

describe('Map surface', () => {
  test('float64 keys use SameValueZero', () => {
    const m = new HashMap({ key: 'float64', value: 'int32' });
    m.set(NaN, 1).set(-0, 2);
    assert.equal(m.get(NaN), 1);
    assert.equal(m.get(0), 2);
    m.set(0, 3);
    assert.equal(m.size, 2);
    assert.ok(Object.is([...m.keys()].find((k) => k === 0), 0));
  });

  test('forEach passes (value, key, map) and honours thisArg; iterators follow the protocol', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    m.set(1, 10).set(2, 20);
    const ctx = { sum: 0 };
    m.forEach(function (this: typeof ctx, v, k, map) {
      assert.equal(map, m);
      assert.equal(v, k * 10);
      this.sum += v;
    }, ctx);
    assert.equal(ctx.sum, 30);
    assert.throws(() => m.forEach(42 as never), TypeError);
    const it = m.keys();
    assert.equal(it[Symbol.iterator](), it);
    assert.deepEqual([...it].sort(), [1, 2]);
    assert.deepEqual(it.next(), { value: undefined, done: true });
    assert.deepEqual([...m.values()].sort(), [10, 20]);
    assert.equal(Object.prototype.toString.call(m), '[object HashMap]');
    assert.ok(m instanceof HashMap);
  });

  test('clear() ends running iterations and frees the table', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    for (let i = 0; i < 1000; i++) m.set(i, i);
    const big = m.stats().bytes;
    const it = m.entries();
    it.next();
    m.clear();
    assert.deepEqual(it.next(), { value: undefined, done: true });
    assert.equal(m.size, 0);
    assert.ok(m.stats().bytes < big);
  });
});
