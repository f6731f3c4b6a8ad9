// The shared map (issue 5) in one thread: a model test against a native Map for every numeric key kind, in both
// concurrency modes, with verify() after every step; options validation; share()/attach views; the maxBytes
// limit; iteration while the map grows. (Worker threads: test/shared-workers.test.ts.)
//
// Map seeds are drawn by fast-check, so a failing case reproduces its bucket layout.

import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import { HashMap, Mutex } from '../src/index.js';
import type { HashMapOptions } from '../src/index.js';
import { attach } from './workers/shared-map-shared.js';
import type { NumericKind, SharedMap } from './workers/shared-map-shared.js';

// ---------------------------------------------------------------------------------------------------------------
// Domains

const payloadNaN = new Float64Array(new BigUint64Array([0x7ff4000000000001n]).buffer)[0]!;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const tiny = fc.integer({ min: -40, max: 40 });

function withEdges(base: fc.Arbitrary<unknown>, edges: unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: base, weight: 8 }, { arbitrary: fc.constantFrom(...edges), weight: 2 });
}

const keyArbs: Record<NumericKind, { small: fc.Arbitrary<unknown>; wide: fc.Arbitrary<unknown> }> = {
  int32: {
    small: withEdges(tiny, [-(2 ** 31), 2 ** 31 - 1, -0]),
    wide: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  },
  uint32: {
    small: withEdges(
      tiny.map((x) => x >>> 0),
      [0, 2 ** 32 - 1, 2 ** 31],
    ),
    wide: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  },
  float64: {
    small: withEdges(
      tiny.map((x) => x / 4),
      [NaN, payloadNaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, 2 ** 53, Number.MAX_VALUE],
    ),
    wide: fc.double(),
  },
  bigint64: {
    small: withEdges(
      tiny.map((x) => BigInt(x)),
      [int64Min, int64Max, 0n, -1n, 2n ** 32n],
    ),
    wide: fc.bigInt({ min: int64Min, max: int64Max }),
  },
};

const valueArbs: Record<NumericKind, fc.Arbitrary<unknown>> = {
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => v | 0),
  uint32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  float64: fc.double(), // NaN, -0, infinities: values round-trip bit for bit (Object.is)
  bigint64: fc.bigInt({ min: int64Min, max: int64Max }),
};

/** Increment deltas: mostly small, sometimes large enough to overflow the kind (RangeError, nothing changes). */
const deltaArbs: Record<NumericKind, fc.Arbitrary<unknown>> = {
  int32: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -5, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 31 - 1, -(2 ** 31)) }),
  uint32: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -5, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 32 - 1, -(2 ** 32)) }),
  float64: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -5, max: 5 }).map((x) => x / 2) }, { weight: 1, arbitrary: fc.double() }),
  bigint64: fc.oneof({ weight: 8, arbitrary: fc.bigInt({ min: -5n, max: 5n }) }, { weight: 1, arbitrary: fc.constantFrom(int64Max, int64Min) }),
};

function fits(kind: NumericKind, v: number | bigint): boolean {
  switch (kind) {
    case 'int32':
      return typeof v === 'number' && (v | 0) === v;
    case 'uint32':
      return typeof v === 'number' && v >>> 0 === v;
    case 'float64':
      return typeof v === 'number';
    case 'bigint64':
      return typeof v === 'bigint' && v >= int64Min && v <= int64Max;
  }
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return typeof v;
}

/** The i-th key of a scattered sequence of keys of a kind. */
function seqKey(kind: NumericKind, i: number): unknown {
  const x = Math.imul(i, 0x9e3779b1);
  switch (kind) {
    case 'int32':
      return x | 0;
    case 'uint32':
      return x >>> 0;
    case 'float64':
      return x / 8 + 0.5;
    case 'bigint64':
      return BigInt.asIntN(64, BigInt(x) * 0x9e3779b97f4a7c15n);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

type Cmd =
  | { t: 'set'; k: unknown; v: unknown }
  | { t: 'get'; k: unknown }
  | { t: 'has'; k: unknown }
  | { t: 'delete'; k: unknown }
  | { t: 'deletePresent'; pick: number }
  | { t: 'clear' }
  | { t: 'burst'; ks: unknown[]; v: unknown }
  | { t: 'churn'; ks: unknown[]; v: unknown }
  | { t: 'churnLong'; start: number; n: number; v: unknown }
  | { t: 'getOrInsert'; k: unknown; v: unknown }
  | { t: 'getOrInsertComputed'; k: unknown; v: unknown }
  | { t: 'update'; k: unknown; v: unknown }
  | { t: 'increment'; k: unknown; d: unknown }
  | { t: 'deleteIf'; mod: number }
  | { t: 'iter'; mode: 'entries' | 'keys' | 'values' | 'forEach' | 'default' }
  | { t: 'iterMut'; steps: Mut[] }
  | { t: 'view' };

type Mut = { t: 'next' } | { t: 'set'; k: unknown; v: unknown } | { t: 'delete'; pick: number } | { t: 'burst'; ks: unknown[]; v: unknown };

function cmdArb(kk: NumericKind, vk: NumericKind): fc.Arbitrary<Cmd> {
  const small = keyArbs[kk].small;
  const wide = keyArbs[kk].wide;
  const val = valueArbs[vk];
  const mut = fc.oneof(
    { weight: 10, arbitrary: fc.constant<Mut>({ t: 'next' }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), k: small, v: val }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('burst' as const), ks: fc.array(wide, { minLength: 5, maxLength: 60, size: 'max' }), v: val }) },
  ) as fc.Arbitrary<Mut>;
  return fc.oneof(
    { weight: 30, arbitrary: fc.record({ t: fc.constant('set' as const), k: small, v: val }) },
    { weight: 10, arbitrary: fc.record({ t: fc.constant('get' as const), k: small }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('has' as const), k: small }) },
    { weight: 10, arbitrary: fc.record({ t: fc.constant('delete' as const), k: small }) },
    { weight: 6, arbitrary: fc.record({ t: fc.constant('deletePresent' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant<Cmd>({ t: 'clear' }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('burst' as const), ks: fc.array(wide, { minLength: 10, maxLength: 120, size: 'max' }), v: val }) },
    // A burst big enough to bring a 64-bucket table near its load factor: churn then makes overflow chains.
    { weight: 1, arbitrary: fc.record({ t: fc.constant('burst' as const), ks: fc.array(wide, { minLength: 300, maxLength: 420, size: 'max' }), v: val }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('churn' as const), ks: fc.array(wide, { minLength: 50, maxLength: 400, size: 'max' }), v: val }) },
    // Thousands of sliding-window inserts (keys from a sequence): enough overflow for a same-size growth.
    { weight: 1, arbitrary: fc.record({ t: fc.constant('churnLong' as const), start: fc.nat(), n: fc.integer({ min: 2000, max: 5000 }), v: val }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('getOrInsert' as const), k: small, v: val }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('getOrInsertComputed' as const), k: small, v: val }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('update' as const), k: small, v: val }) },
    { weight: 6, arbitrary: fc.record({ t: fc.constant('increment' as const), k: small, d: deltaArbs[vk] }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('deleteIf' as const), mod: fc.integer({ min: 1, max: 4 }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('iter' as const),
        mode: fc.constantFrom('entries' as const, 'keys' as const, 'values' as const, 'forEach' as const, 'default' as const),
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('iterMut' as const), steps: fc.array(mut, { maxLength: 60, size: 'max' }) }) },
    { weight: 1, arbitrary: fc.constant<Cmd>({ t: 'view' }) },
  ) as fc.Arbitrary<Cmd>;
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

function assertSameContents(m: SharedMap, model: Map<unknown, unknown>): void {
  assert.equal(m.size, model.size, 'size');
  const seen = new Map<unknown, unknown>();
  for (const [k, v] of m.entries()) {
    assert.ok(!seen.has(k), `entries() returned key ${show(k)} twice`);
    seen.set(k, v);
    assert.ok(model.has(k), `entries() returned key ${show(k)} that is not in the model`);
    assert.ok(Object.is(model.get(k), v), `entries() value for key ${show(k)}: ${show(v)} vs ${show(model.get(k))}`);
  }
  assert.equal(seen.size, model.size, 'entries() count');
}

function assertSameMultiset(got: unknown[], expected: unknown[], what: string): void {
  assert.equal(got.length, expected.length, `${what}: count`);
  const rest = [...expected];
  for (const g of got) {
    const i = rest.findIndex((e) => Object.is(e, g));
    assert.ok(i >= 0, `${what}: unexpected ${show(g)}`);
    rest.splice(i, 1);
  }
}

function nthKey<T>(keys: Iterable<T>, pick: number, count: number): T {
  let i = pick % count;
  for (const k of keys) if (i-- === 0) return k;
  throw new Error('unreachable');
}

/** A key as the map (and Map) stores it: -0 is +0. */
function canon(k: unknown): unknown {
  return Object.is(k, -0) ? 0 : k;
}

/**
 * One iteration with mutations between next() calls, checked against the weak consistency the issue promises:
 * an entry present and unchanged during the whole iteration is returned exactly once; every returned entry
 * is one the map held at some point of the iteration (no made-up keys or values); a key is returned twice only
 * if it changed during the iteration.
 */
function iterateWithMutations(m: SharedMap, model: Map<unknown, unknown>, steps: Mut[]): void {
  const start = new Map(model);
  /** Every value each key had during the iteration (the start's included). */
  const history = new Map<unknown, unknown[]>();
  for (const [k, v] of model) history.set(k, [v]);
  const changed = new Set<unknown>();
  const returned = new Map<unknown, number>();
  const it = m.entries();
  let done = false;
  let calls = 0;
  const limit = 4 * (start.size + steps.length * 60) + 100;
  const pull = (): void => {
    if (done) return;
    const r = it.next();
    if (r.done) {
      done = true;
      return;
    }
    assert.ok(++calls <= limit, 'iterator does not terminate');
    const [k, v] = r.value as [unknown, unknown];
    const seenBefore = returned.get(k) ?? 0;
    assert.ok(seenBefore === 0 || changed.has(k), `iteration returned unchanged key ${show(k)} twice`);
    returned.set(k, seenBefore + 1);
    const h = history.get(k);
    assert.ok(h !== undefined, `iteration returned key ${show(k)}, never in the map during the iteration`);
    assert.ok(
      h.some((x) => Object.is(x, v)),
      `iteration returned ${show(k)} with ${show(v)}, a value it never had during the iteration`,
    );
  };
  const write = (k: unknown, v: unknown): void => {
    k = canon(k);
    m.set(k, v);
    model.set(k, v);
    changed.add(k);
    const h = history.get(k);
    if (h === undefined) history.set(k, [v]);
    else h.push(v);
  };
  for (const s of steps) {
    switch (s.t) {
      case 'next':
        pull();
        break;
      case 'set':
        write(s.k, s.v);
        break;
      case 'delete': {
        if (model.size === 0) break;
        const k = nthKey(model.keys(), s.pick, model.size);
        assert.equal(m.delete(k), true);
        model.delete(k);
        changed.add(k);
        break;
      }
      case 'burst':
        for (const k of s.ks) write(k, s.v);
        break;
    }
    if (s.t !== 'next') {
      m.verify();
      assert.equal(m.size, model.size);
    }
  }
  while (!done) pull();
  assert.deepEqual(it.next(), { value: undefined, done: true }, 'a finished iterator stays done');
  for (const k of start.keys()) {
    if (!changed.has(k)) assert.equal(returned.get(k), 1, `key ${show(k)}, present and unchanged throughout, returned ${returned.get(k) ?? 0} times`);
  }
}

function runCommands(first: SharedMap, kk: NumericKind, vk: NumericKind, cmds: Cmd[]): void {
  let m = first;
  const model = new Map<unknown, unknown>();
  m.verify();
  for (const c of cmds) {
    switch (c.t) {
      case 'set':
        assert.equal(m.set(c.k, c.v), m, 'set returns the map');
        model.set(canon(c.k), c.v);
        assert.ok(Object.is(m.get(c.k), c.v), `get right after set(${show(c.k)})`);
        break;
      case 'get':
        assert.ok(Object.is(m.get(c.k), model.get(canon(c.k))), `get(${show(c.k)})`);
        break;
      case 'has':
        assert.equal(m.has(c.k), model.has(canon(c.k)), `has(${show(c.k)})`);
        break;
      case 'delete':
        assert.equal(m.delete(c.k), model.delete(canon(c.k)), `delete(${show(c.k)})`);
        assert.equal(m.has(c.k), false);
        break;
      case 'deletePresent': {
        if (model.size === 0) break;
        const k = nthKey(model.keys(), c.pick, model.size);
        assert.equal(m.delete(k), true, `delete(${show(k)}) of a present key`);
        model.delete(k);
        assert.equal(m.get(k), undefined);
        break;
      }
      case 'clear':
        m.clear();
        model.clear();
        assert.equal(m.stats().count, 0);
        break;
      case 'burst':
        for (const k of c.ks) {
          m.set(k, c.v);
          model.set(canon(k), c.v);
        }
        break;
      case 'churn':
        // A sliding window: each new key in, the oldest key out. The count stays put while holes open in some
        // chains and others overflow: overflow buckets pile up until a same-size growth packs them.
        for (const k of c.ks) {
          const had = model.has(canon(k));
          m.set(k, c.v);
          model.set(canon(k), c.v);
          if (!had) {
            const oldest = model.keys().next().value;
            assert.equal(m.delete(oldest), true);
            model.delete(oldest);
          }
        }
        break;
      case 'churnLong': {
        // Fill up to 380 live keys (a 64-bucket table holds 416 at load factor 6.5), then slide.
        for (let j = 0; j < c.n; j++) {
          const k = canon(seqKey(kk, c.start + j));
          const had = model.has(k);
          m.set(k, c.v);
          model.set(k, c.v);
          if (!had && model.size > 380) {
            const oldest = model.keys().next().value;
            assert.equal(m.delete(oldest), true);
            model.delete(oldest);
          }
        }
        break;
      }
      case 'getOrInsert': {
        const k = canon(c.k);
        const expected = model.has(k) ? model.get(k) : c.v;
        assert.ok(Object.is(m.getOrInsert(c.k, c.v), expected), `getOrInsert(${show(c.k)})`);
        model.set(k, expected);
        break;
      }
      case 'getOrInsertComputed': {
        const k = canon(c.k);
        const had = model.has(k);
        let calls = 0;
        const got = m.getOrInsertComputed(c.k, (key: unknown) => {
          calls++;
          assert.ok(Object.is(canon(key), k), 'the callback gets the key');
          return c.v;
        });
        assert.equal(calls, had ? 0 : 1, 'callback called for an absent key only');
        if (!had) model.set(k, c.v);
        assert.ok(Object.is(got, model.get(k)), `getOrInsertComputed(${show(c.k)})`);
        break;
      }
      case 'update': {
        const k = canon(c.k);
        const old = model.get(k);
        const got = m.update(c.k, (v: unknown) => {
          assert.ok(Object.is(v, old), `update(${show(c.k)}): the updater gets the current value`);
          return c.v;
        });
        assert.ok(Object.is(got, c.v));
        model.set(k, c.v);
        break;
      }
      case 'increment': {
        const k = canon(c.k);
        const old = model.get(k);
        const d = c.d as number | bigint;
        const value = typeof d === 'bigint' ? ((old as bigint | undefined) ?? 0n) + d : ((old as number | undefined) ?? 0) + d;
        if (fits(vk, value)) {
          assert.ok(Object.is(m.increment(c.k, d), value), `increment(${show(c.k)}, ${show(d)})`);
          model.set(k, value);
        } else {
          assert.throws(() => m.increment(c.k, d), RangeError, `increment(${show(c.k)}, ${show(d)}) leaves the kind`);
        }
        break;
      }
      case 'deleteIf': {
        const pred = (v: unknown, k: unknown): boolean => (show(k).length + show(v).length) % c.mod === 0;
        let expected = 0;
        for (const [k, v] of model) {
          if (pred(v, k)) {
            model.delete(k);
            expected++;
          }
        }
        assert.equal(m.deleteIf(pred), expected, 'deleteIf count');
        break;
      }
      case 'iter':
        if (c.mode === 'values') assertSameMultiset([...m.values()], [...model.values()], 'values()');
        else if (c.mode === 'keys') {
          const keys = [...m.keys()];
          assert.equal(new Set(keys).size, keys.length, 'keys() returned a key twice');
          assert.equal(keys.length, model.size);
          for (const k of keys) assert.ok(model.has(k), `keys() returned ${show(k)}`);
        } else if (c.mode === 'forEach') {
          const got = new Map<unknown, unknown>();
          m.forEach((v, k, map) => {
            assert.equal(map, m);
            assert.ok(!got.has(k), 'forEach visited a key twice');
            got.set(k, v);
          });
          assert.equal(got.size, model.size);
          for (const [k, v] of got) assert.ok(model.has(k) && Object.is(model.get(k), v));
        } else if (c.mode === 'default') {
          const got = new Map<unknown, unknown>(m as Iterable<[unknown, unknown]>);
          assert.equal(got.size, model.size);
          for (const [k, v] of model) assert.ok(got.has(k) && Object.is(got.get(k), v));
        } else assertSameContents(m, model);
        break;
      case 'iterMut':
        iterateWithMutations(m, model, c.steps);
        break;
      case 'view':
        // From here on, work through another view of the same memory.
        m = attach(structuredClone(m.share()));
        break;
    }
    m.verify();
    assert.equal(m.size, model.size, `size after ${c.t}`);
  }
  assertSameContents(m, model);
  assertSameContents(first, model);
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

type Opts = Pick<HashMapOptions, 'seed' | 'capacity' | 'loadFactor'>;

const optsArb: fc.Arbitrary<Opts> = fc.record(
  {
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    capacity: fc.constantFrom(0, 1, 8, 13),
    loadFactor: fc.constantFrom(1, 6.5, 12, 40),
  },
  { requiredKeys: ['seed'] },
);

function fcParams(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, interruptAfterTimeLimit: 20_000 };
}

const valueKindsFor: Record<NumericKind, NumericKind[]> = {
  int32: ['int32', 'bigint64'],
  uint32: ['uint32', 'float64'],
  float64: ['float64', 'int32'],
  bigint64: ['bigint64', 'uint32'],
};

for (const kk of Object.keys(valueKindsFor) as NumericKind[]) {
  describe(`shared map model: ${kk} keys`, () => {
    for (const vk of valueKindsFor[kk]) {
      for (const concurrency of ['locked', 'none'] as const) {
        test(`${kk} -> ${vk}, concurrency '${concurrency}'`, () => {
          fc.assert(
            fc.property(optsArb, fc.array(cmdArb(kk, vk), { maxLength: 120, size: 'max' }), (opts, cmds) => {
              const m = new HashMap({ key: kk, value: vk, shared: true, concurrency, ...opts });
              runCommands(m, kk, vk, cmds);
            }),
            fcParams(40),
          );
        });
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic cases

describe('shared map: growth', () => {
  it('grows from capacity 0 to 20000 keys, and churn at a steady size triggers same-size growth, memory bounded', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true, capacity: 0, seed: 1 });
    for (let i = 0; i < 20_000; i++) m.set(i, -i | 0);
    m.verify();
    assert.equal(m.size, 20_000);
    for (let i = 0; i < 20_000; i++) assert.equal(m.get(i), -i | 0);
    assert.ok(m.stats().B >= 11, `B = ${m.stats().B}`);

    const c = new HashMap({ key: 'int32', value: 'int32', shared: true, capacity: 0, seed: 2 });
    // A sliding window of 380 live keys (64 buckets, the smallest table, hold 416 at load factor 6.5) over
    // 200000 inserts: chains fill up, overflow buckets pile up, same-size growth packs them again.
    const w = 380;
    for (let i = 0; i < w; i++) c.set(i, i);
    const B = c.stats().B;
    let sameSize = 0;
    let maxOverflow = 0;
    for (let i = w; i < 200_000; i++) {
      c.set(i, i);
      assert.equal(c.delete(i - w), true);
      const s = c.stats();
      if (s.sameSizeGrow) sameSize++;
      maxOverflow = Math.max(maxOverflow, s.overflowBuckets);
      if (i % 10_000 === 0) c.verify();
    }
    c.verify();
    assert.equal(c.size, w);
    for (let i = 200_000 - w; i < 200_000; i++) assert.equal(c.get(i), i);
    const s = c.stats();
    assert.ok(s.B <= B + 1, `churn at a steady size does not double the table: B ${B} -> ${s.B}`);
    assert.ok(sameSize > 0, 'same-size growth happened');
    assert.ok(maxOverflow <= 2 << B, `overflow buckets stay bounded (max ${maxOverflow}, B ${B})`);
  });

  it('iteration during growth returns every unchanged entry exactly once (next() and forEach)', () => {
    for (const driver of ['next', 'forEach'] as const) {
      for (let seed = 0; seed < 6; seed++) {
        const m = new HashMap({ key: 'uint32', value: 'float64', shared: true, capacity: 0, seed });
        const n = 200;
        for (let i = 0; i < n; i++) m.set(i, i + 0.5);
        const returned = new Map<number, number>();
        const changed = new Set<number>();
        let next = 1_000_000;
        let steps = 0;
        const onEntry = (k: number, v: number): void => {
          returned.set(k, (returned.get(k) ?? 0) + 1);
          if (k < n && !changed.has(k)) assert.equal(v, k + 0.5, `value of unchanged key ${k}`);
          // Between entries: many inserts (the table doubles several times), some deletes and updates.
          steps++;
          // (Capped: the iteration may return keys inserted meanwhile, so endless inserts could keep it going.)
          if (next < 1_008_000) for (let j = 0; j < 40; j++) m.set(next++, 1);
          if (steps % 7 === 0) {
            const d = (steps * 31) % n;
            if (!changed.has(d)) {
              m.delete(d);
              changed.add(d);
            }
          }
          if (steps % 11 === 0) {
            const u = (steps * 17 + 3) % n;
            m.set(u, -1);
            changed.add(u);
          }
        };
        if (driver === 'next') {
          const it = m.entries();
          for (let r = it.next(); !r.done; r = it.next()) onEntry(r.value[0] as number, r.value[1] as number);
        } else {
          m.forEach((v, k) => onEntry(k as number, v as number));
        }
        m.verify();
        assert.ok(m.stats().B >= 8, 'the map grew during the iteration');
        for (let i = 0; i < n; i++) {
          if (!changed.has(i)) assert.equal(returned.get(i), 1, `${driver}, seed ${seed}: unchanged key ${i} returned ${returned.get(i) ?? 0} times`);
        }
        for (const [k, times] of returned) {
          assert.ok(times === 1 || changed.has(k) || k >= 1_000_000, `key ${k} returned ${times} times`);
        }
      }
    }
  });
});

describe('shared map: options and rejected input', () => {
  it("'any' keys or values throw TypeError at construction", () => {
    assert.throws(() => new HashMap({ key: 'any', value: 'int32', shared: true }), TypeError);
    assert.throws(() => new HashMap({ key: 'int32', value: 'any', shared: true }), TypeError);
    assert.throws(() => new HashMap({ key: 'any', value: 'any', shared: true }), TypeError);
  });

  it('concurrency and maxBytes need shared: true', () => {
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', concurrency: 'none' }), TypeError);
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', shared: false, maxBytes: 1 << 20 }), TypeError);
    // shared: false is an ordinary map.
    const m = new HashMap({ key: 'int32', value: 'int32', shared: false });
    m.set(1, 2);
    assert.equal(m.get(1), 2);
  });

  it('every numeric key and value kind is accepted', () => {
    const kinds: NumericKind[] = ['int32', 'uint32', 'float64', 'bigint64'];
    for (const k of kinds) {
      for (const v of kinds) {
        const m = new HashMap({ key: k, value: v, shared: true });
        const key = k === 'bigint64' ? 5n : 5;
        const value = v === 'bigint64' ? 7n : 7;
        m.set(key, value);
        assert.equal(m.get(key), value, `${k} -> ${v}`);
        m.verify();
      }
    }
  });

  it('bad concurrency, maxBytes and shared values', () => {
    const base = { key: 'int32', value: 'int32', shared: true } as const;
    for (const c of ['lock', 'LOCKED', '', 1, null, true]) {
      assert.throws(() => new HashMap({ ...base, concurrency: c as never }), TypeError, `concurrency ${String(c)}`);
    }
    for (const b of ['1000', null, 10n, {}]) {
      assert.throws(() => new HashMap({ ...base, maxBytes: b as never }), TypeError, `maxBytes ${String(b)}`);
    }
    for (const b of [-1, 0, NaN, 1.5, -Infinity]) {
      assert.throws(() => new HashMap({ ...base, maxBytes: b }), RangeError, `maxBytes ${String(b)}`);
    }
    // A cap too small for the table the capacity asks for.
    assert.throws(() => new HashMap({ ...base, capacity: 1_000_000, maxBytes: 65_536 }), RangeError);
    for (const s of ['yes', 1, null]) {
      assert.throws(() => new HashMap({ ...base, shared: s as never }), TypeError, `shared ${String(s)}`);
    }
    // The ordinary options are still checked.
    assert.throws(() => new HashMap({ ...base, capacity: -1 }), RangeError);
    assert.throws(() => new HashMap({ ...base, loadFactor: 100 }), RangeError);
    assert.throws(() => new HashMap({ ...base, seed: 'x' as never }), TypeError);
    // Both modes are accepted.
    for (const c of ['locked', 'none'] as const) new HashMap({ ...base, concurrency: c }).verify();
  });

  it('HashMap.attach of anything but a handle throws TypeError', () => {
    const bad: unknown[] = [undefined, null, 0, 'x', {}, [], { kind: 'hmap.HashMap' }, new Mutex().share(), new SharedArrayBuffer(64)];
    for (const h of bad) assert.throws(() => attach(h), TypeError, `attach(${Object.prototype.toString.call(h)})`);
    // A handle with its buffers swapped for others.
    const handle = new HashMap({ key: 'int32', value: 'int32', shared: true }).share();
    const swap = (x: unknown): unknown => {
      if (x instanceof SharedArrayBuffer) return new ArrayBuffer(x.byteLength);
      if (Array.isArray(x)) return x.map(swap);
      if (typeof x === 'object' && x !== null && !ArrayBuffer.isView(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, swap(v)]));
      return x;
    };
    assert.throws(() => attach(swap(handle)), TypeError, 'a handle with ArrayBuffers');
    // A handle whose kinds do not match its table.
    assert.throws(() => attach({ ...handle, value: 'float64' }), TypeError, 'kinds swapped');
    assert.throws(() => attach({ ...handle, table: {} }), TypeError, 'no table');
  });

  it('a rejected key, value or delta leaves the map unchanged', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true, capacity: 0 });
    for (let i = 0; i < 50; i++) m.set(i, i);
    const before = [...m.entries()];
    const same = (): void => {
      m.verify();
      assert.equal(m.size, 50);
      assert.deepEqual(new Map(m), new Map(before));
    };
    assert.throws(() => m.set('1' as never, 1), TypeError);
    assert.throws(() => m.set(1.5, 1), RangeError);
    assert.throws(() => m.set(2 ** 31, 1), RangeError);
    assert.throws(() => m.set(1, 1.5), RangeError);
    assert.throws(() => m.set(1, 1n as never), TypeError);
    assert.throws(() => m.set(100, 'x' as never), TypeError);
    assert.throws(() => m.getOrInsert(100, 2 ** 40), RangeError);
    assert.throws(() => m.getOrInsertComputed(100, () => 0.5), RangeError);
    assert.throws(() => m.update(1, () => 'x' as never), TypeError);
    assert.throws(() => m.update(100, () => {
      throw new Error('boom');
    }), /boom/);
    assert.throws(() => m.increment(1, 1n as never), TypeError);
    assert.throws(() => m.increment(1, 2 ** 31), RangeError);
    assert.throws(() => m.delete('1' as never), TypeError);
    same();

    const b = new HashMap({ key: 'bigint64', value: 'bigint64', shared: true });
    b.set(1n, 1n);
    assert.throws(() => b.set(2n ** 63n, 1n), RangeError);
    assert.throws(() => b.set(1 as never, 1n), TypeError);
    assert.throws(() => b.set(1n, 1 as never), TypeError);
    assert.throws(() => b.increment(1n, int64Max), RangeError);
    assert.equal(b.get(1n), 1n);
    assert.equal(b.size, 1);
    b.verify();
  });
});

describe('shared map: share() and attach in one thread', () => {
  it('two views of one map: writes through one are seen through the other, growth included', () => {
    for (const concurrency of ['locked', 'none'] as const) {
      const a = new HashMap({ key: 'float64', value: 'bigint64', shared: true, capacity: 0, concurrency, seed: 9 });
      const handle = a.share();
      const b = attach(handle);
      const c = attach(structuredClone(handle));
      a.set(1.5, 15n);
      assert.equal(b.get(1.5), 15n);
      assert.equal(c.get(1.5), 15n);
      b.set(NaN, -1n);
      assert.equal(a.get(NaN), -1n);
      c.delete(1.5);
      assert.equal(a.has(1.5), false);
      assert.equal(b.size, 1);
      // b grows the table; a and c see every key.
      for (let i = 0; i < 5000; i++) b.set(i, BigInt(i));
      assert.equal(a.size, 5001);
      assert.equal(c.size, 5001);
      for (let i = 0; i < 5000; i += 7) assert.equal(a.get(i), BigInt(i));
      assert.equal(c.increment(7, 3n), 10n);
      assert.equal(a.get(7), 10n);
      assert.equal(a.deleteIf((_, k) => (k as number) >= 2500), 2500);
      assert.equal(c.size, 2501);
      assert.deepEqual(new Map(c), new Map(a));
      a.verify();
      b.verify();
      c.verify();
      // A view's own handle works as well; clear() through one empties all.
      const d = attach(c.share());
      d.clear();
      assert.equal(a.size, 0);
      assert.equal([...b].length, 0);
      a.set(1, 1n);
      assert.equal(d.get(1), 1n);
      a.verify();
    }
  });
});

describe('shared map: maxBytes', () => {
  for (const kinds of [
    { key: 'int32', value: 'int32' },
    { key: 'bigint64', value: 'float64' },
  ] as const) {
    it(`${kinds.key} -> ${kinds.value}: inserts until RangeError naming the limit; the map stays valid and usable`, () => {
      const limit = 1 << 20;
      const m = new HashMap({ ...kinds, shared: true, capacity: 0, maxBytes: limit, seed: 5 });
      const key = (i: number): number | bigint => (kinds.key === 'bigint64' ? BigInt(i) * 1_000_003n : i);
      const value = (i: number): number => (kinds.value === 'float64' ? i / 4 : -i | 0);
      let n = 0;
      let error: unknown = null;
      for (; n < 1_000_000; n++) {
        try {
          m.set(key(n), value(n));
        } catch (e) {
          error = e;
          break;
        }
      }
      assert.ok(error instanceof RangeError, `RangeError after ${n} inserts, got ${String(error)}`);
      assert.match((error as Error).message, /maxBytes|1048576|1 ?MiB|1\.0 ?MiB/, 'the message names the limit');
      assert.ok(n > 1000, `${n} entries fit in ${limit} bytes`);
      m.verify();
      assert.equal(m.size, n);
      assert.equal(m.has(key(n)), false, 'the failed insert is not there');
      for (let i = 0; i < n; i++) assert.equal(m.get(key(i)), value(i), `key ${i}`);
      assert.ok(m.stats().bytes <= limit, `bytes ${m.stats().bytes} <= ${limit}`);
      // Further inserts go where a chain has room, or throw RangeError and change nothing.
      const present = Array.from({ length: n }, (_, i) => i);
      for (let i = n + 1; i < n + 400; i++) {
        try {
          if (i % 2 === 0) m.set(key(i), value(i));
          else assert.equal(m.getOrInsert(key(i), value(i)), value(i));
          present.push(i);
        } catch (e) {
          assert.ok(e instanceof RangeError, String(e));
          assert.equal(m.has(key(i)), false, `key ${i} after its insert failed`);
        }
      }
      assert.ok(present.length < n + 399, 'the limit still holds');
      m.verify();
      assert.equal(m.size, present.length);
      for (const i of present) assert.equal(m.get(key(i)), value(i), `key ${i}`);
      // Updates, increments and deletes of present keys work.
      m.set(key(0), value(1));
      assert.equal(m.get(key(0)), value(1));
      assert.equal(m.update(key(1), () => value(7)), value(7));
      m.increment(key(2), 1);
      const deleted = present.filter((_, j) => j % 2 === 0);
      for (const i of deleted) assert.equal(m.delete(key(i)), true);
      m.verify();
      const left = present.length - deleted.length;
      assert.equal(m.size, left);
      // Re-inserting deleted keys either fits in the freed slots or throws RangeError; never a broken map.
      let back = 0;
      for (const i of deleted) {
        try {
          m.set(key(i), value(i));
          back++;
        } catch (e) {
          assert.ok(e instanceof RangeError, String(e));
          assert.equal(m.has(key(i)), false);
        }
      }
      m.verify();
      assert.equal(m.size, left + back);
      assert.deepEqual([...m].length, left + back);
    });
  }
});
