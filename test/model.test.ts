// Model-based property tests: random command sequences run against a HashMap and against a native Map (the
// oracle), for every key kind and several value kinds, with verify() after every single step.
//
// Map seeds are drawn by fast-check, so a failing case reproduces its bucket layout. (Iterators start at a
// random bucket from the OS RNG, so iteration steps are not bit-for-bit reproducible; their checks hold for
// every start position.)
//
// Load factors above 8 (12, 64) make long overflow chains even without churn, and used to make set() loop
// forever on tiny tables and with 'all-at-once' growth (regression tests in growth.test.ts); they are run here
// from an empty table and with both growth modes.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashMap } from '../src/index.js';
import type { HashMapOptions, KeyKind, ValueKind } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMap = HashMap<any, any>;

// ---------------------------------------------------------------------------------------------------------------
// Key and value domains

/** A NaN with a non-canonical payload (and one with the sign bit): SameValueZero makes them the same key as NaN. */
const payloadNaN = new Float64Array(new BigUint64Array([0x7ff4000000000001n]).buffer)[0]!;
const negativeNaN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0]!;

interface KeySpec {
  kind: KeyKind;
  /** Tiny domain (about 81 keys plus edge cases): collisions, updates and deletes of present keys are frequent. */
  small: fc.Arbitrary<unknown>;
  /** The whole kind. */
  wide: fc.Arbitrary<unknown>;
}

function withEdges(base: fc.Arbitrary<unknown>, edges: unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: base, weight: 8 }, { arbitrary: fc.constantFrom(...edges), weight: 2 });
}

const tiny = fc.integer({ min: -40, max: 40 });
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

const keySpecs: KeySpec[] = [
  {
    kind: 'int32',
    small: withEdges(tiny, [-(2 ** 31), 2 ** 31 - 1, -(2 ** 31) + 1, 2 ** 31 - 2]),
    wide: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  },
  {
    kind: 'uint32',
    // Negative tiny values wrap to just below 2^32, so both ends of the range are exercised.
    small: withEdges(
      tiny.map((x) => x >>> 0),
      [0, 2 ** 32 - 1, 2 ** 31, 2 ** 31 - 1],
    ),
    wide: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  },
  {
    kind: 'float64',
    small: withEdges(
      tiny.map((x) => x / 4),
      [
        NaN,
        payloadNaN,
        negativeNaN,
        -0,
        0,
        Infinity,
        -Infinity,
        Number.MIN_VALUE,
        -Number.MIN_VALUE,
        2 ** 53,
        2 ** 53 + 2,
        -(2 ** 53),
        Number.MAX_VALUE,
      ],
    ),
    wide: fc.double(),
  },
  {
    kind: 'bigint64',
    small: withEdges(
      tiny.map((x) => BigInt(x)),
      [int64Min, int64Max, int64Min + 1n, 0n, -1n, 2n ** 32n, -(2n ** 32n), 2n ** 31n],
    ),
    wide: fc.bigInt({ min: int64Min, max: int64Max }),
  },
  {
    kind: 'string',
    // Tiny domain: short strings over a few units, lone surrogates and a NUL among them, so keys of equal
    // length and shared prefixes collide often; edges: '', lone and reversed surrogates, long strings.
    small: withEdges(
      fc.string({ unit: fc.constantFrom('a', 'b', '\ud800', '\udc00', '\0'), maxLength: 3 }),
      ['', '\ud800', '\udfff', '\udc00\ud800', '\u{1f600}', 'é', 'e\u0301', 'x'.repeat(40), 'x'.repeat(10_000), 'x'.repeat(9_999) + 'y'],
    ),
    wide: fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
      fc.string({ unit: 'binary-ascii', maxLength: 100 }),
    ),
  },
];

const valueArbs: Record<ValueKind, fc.Arbitrary<unknown>> = {
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => v | 0),
  uint32: fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((v) => v >>> 0),
  float64: fc.double(), // NaN, -0, infinities included: values must round-trip bit for bit (Object.is)
  bigint64: fc.bigInt({ min: int64Min, max: int64Max }),
  string: fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '\ud800', 'v'.repeat(200)) },
  ),
  any: fc.anything({ withNullPrototype: true, withMap: true, withSet: true }),
};

// ---------------------------------------------------------------------------------------------------------------
// Options

type Opts = Omit<HashMapOptions, 'key' | 'value'>;

const seedArb = fc.integer({ min: 0, max: 2 ** 32 - 1 });

const optsArb: fc.Arbitrary<Opts> = fc.oneof(
  fc.record({ seed: seedArb, capacity: fc.constant(0) }),
  fc.record({
    seed: seedArb,
    capacity: fc.constantFrom(0, 1, 8, 9, 13, 14, 40, 120),
    loadFactor: fc.constantFrom(0.5, 1, 6.5, 12),
    growth: fc.constantFrom('incremental' as const, 'all-at-once' as const),
  }),
  // Long overflow chains.
  fc.record({
    seed: seedArb,
    capacity: fc.integer({ min: 0, max: 100 }),
    loadFactor: fc.constantFrom(12, 64),
    growth: fc.constantFrom('incremental' as const, 'all-at-once' as const),
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Commands

type Cmd =
  | { t: 'set'; k: unknown; v: unknown }
  | { t: 'get'; k: unknown }
  | { t: 'has'; k: unknown }
  | { t: 'delete'; k: unknown }
  | { t: 'deletePresent'; pick: number }
  | { t: 'clear' }
  | { t: 'size' }
  | { t: 'burst'; ks: unknown[]; v: unknown }
  | { t: 'iter'; mode: 'entries' | 'keys' | 'values' | 'forEach' | 'default' }
  | { t: 'iterMut'; driver: 'next' | 'forEach'; steps: Mut[] };

type Mut =
  | { t: 'next' }
  | { t: 'set'; k: unknown; v: unknown }
  | { t: 'update'; pick: number; v: unknown }
  | { t: 'delUnseen'; pick: number }
  | { t: 'delSeen'; pick: number }
  | { t: 'delMissing'; k: unknown }
  | { t: 'burst'; ks: unknown[]; v: unknown }
  | { t: 'get'; k: unknown };

function mutArb(keyArb: fc.Arbitrary<unknown>, wideArb: fc.Arbitrary<unknown>, valArb: fc.Arbitrary<unknown>) {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant<Mut>({ t: 'next' }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), k: keyArb, v: valArb }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('update' as const), pick: fc.nat(), v: valArb }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('delUnseen' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('delSeen' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('delMissing' as const), k: keyArb }) },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('burst' as const),
        ks: fc.array(wideArb, { minLength: 5, maxLength: 60, size: 'max' }),
        v: valArb,
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('get' as const), k: keyArb }) },
  ) as fc.Arbitrary<Mut>;
}

function cmdArb(keyArb: fc.Arbitrary<unknown>, wideArb: fc.Arbitrary<unknown>, valArb: fc.Arbitrary<unknown>) {
  return fc.oneof(
    { weight: 30, arbitrary: fc.record({ t: fc.constant('set' as const), k: keyArb, v: valArb }) },
    { weight: 10, arbitrary: fc.record({ t: fc.constant('get' as const), k: keyArb }) },
    { weight: 5, arbitrary: fc.record({ t: fc.constant('has' as const), k: keyArb }) },
    { weight: 12, arbitrary: fc.record({ t: fc.constant('delete' as const), k: keyArb }) },
    { weight: 8, arbitrary: fc.record({ t: fc.constant('deletePresent' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant<Cmd>({ t: 'clear' }) },
    { weight: 2, arbitrary: fc.constant<Cmd>({ t: 'size' }) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('burst' as const),
        ks: fc.array(wideArb, { minLength: 10, maxLength: 120, size: 'max' }),
        v: valArb,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('iter' as const),
        mode: fc.constantFrom('entries' as const, 'keys' as const, 'values' as const, 'forEach' as const, 'default' as const),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('iterMut' as const),
        driver: fc.constantFrom('next' as const, 'forEach' as const),
        steps: fc.array(mutArb(keyArb, wideArb, valArb), { maxLength: 80, size: 'max' }),
      }),
    },
  ) as fc.Arbitrary<Cmd>;
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return typeof v;
}

/** Full comparison of the map's contents with the model, through entries(). */
function assertSameContents(m: AnyMap, model: Map<unknown, unknown>): void {
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

/** Removes each of `got` from a copy of `expected` by Object.is; both must match as multisets. */
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

/**
 * Runs one iteration with mutations between steps. Checks, for entries present when iteration started and never
 * deleted: returned exactly once; for every returned entry: present in the map at that moment with that value,
 * and never returned before. Deleted keys are never re-inserted during the iteration, so "no duplicates" is strict
 * and "deleted before being reached is not returned" follows from "present at the moment it is returned".
 */
function iterateWithMutations(
  m: AnyMap,
  model: Map<unknown, unknown>,
  driver: 'next' | 'forEach',
  steps: Mut[],
): void {
  const start = new Map(model);
  const returned = new Map<unknown, true>();
  const deleted = new Map<unknown, true>();
  let done = false;

  const onEntry = (k: unknown, v: unknown): void => {
    assert.ok(!returned.has(k), `iteration returned key ${show(k)} twice`);
    assert.ok(model.has(k), `iteration returned key ${show(k)}, which is not in the map (deleted: ${deleted.has(k)})`);
    assert.ok(Object.is(model.get(k), v), `iteration returned ${show(k)} with a stale value`);
    returned.set(k, true);
  };
  const setKey = (k: unknown, v: unknown): void => {
    if (deleted.has(k)) return; // keep "no duplicates" strict: deleted keys stay deleted during the iteration
    m.set(k, v);
    model.set(k, v);
  };
  const applyMutation = (s: Mut): void => {
    switch (s.t) {
      case 'next':
        return;
      case 'set':
        setKey(s.k, s.v);
        break;
      case 'update': {
        if (model.size === 0) return;
        const k = nthKey(model.keys(), s.pick, model.size);
        m.set(k, s.v);
        model.set(k, s.v);
        break;
      }
      case 'delUnseen':
      case 'delSeen': {
        const candidates = [...model.keys()].filter((k) => returned.has(k) === (s.t === 'delSeen'));
        if (candidates.length === 0) return;
        const k = candidates[s.pick % candidates.length];
        assert.equal(m.delete(k), true);
        model.delete(k);
        deleted.set(k, true);
        break;
      }
      case 'delMissing':
        if (model.has(s.k)) return;
        assert.equal(m.delete(s.k), false);
        break;
      case 'burst':
        for (const k of s.ks) setKey(k, s.v);
        break;
      case 'get':
        assert.ok(Object.is(m.get(s.k), model.get(s.k)));
        break;
    }
    m.verify();
    assert.equal(m.size, model.size);
  };

  const limit = 4 * (start.size + steps.length * 130) + 100;
  if (driver === 'next') {
    const it = m.entries();
    let calls = 0;
    const pull = (): void => {
      if (done) return;
      const r = it.next();
      if (r.done) {
        done = true;
        assert.equal(r.value, undefined);
        return;
      }
      assert.ok(++calls <= limit, 'iterator does not terminate');
      onEntry(r.value[0], r.value[1]);
    };
    for (const s of steps) {
      if (s.t === 'next') pull();
      else applyMutation(s);
    }
    while (!done) pull();
    assert.deepEqual(it.next(), { value: undefined, done: true }, 'a finished iterator stays done');
  } else {
    let i = 0;
    let calls = 0;
    m.forEach((v, k, map) => {
      assert.equal(map, m);
      assert.ok(++calls <= limit, 'forEach does not terminate');
      onEntry(k, v);
      // Run the mutations up to the next 'next' step.
      while (i < steps.length) {
        const s = steps[i++]!;
        if (s.t === 'next') break;
        applyMutation(s);
      }
    });
  }
  m.verify();
  for (const k of start.keys()) {
    if (!deleted.has(k)) assert.ok(returned.has(k), `key ${show(k)}, present throughout the iteration, was not returned`);
  }
}

function runCommands(m: AnyMap, cmds: Cmd[]): void {
  const model = new Map<unknown, unknown>();
  m.verify();
  for (const c of cmds) {
    switch (c.t) {
      case 'set': {
        assert.equal(m.set(c.k, c.v), m, 'set returns the map');
        model.set(c.k, c.v);
        assert.ok(Object.is(m.get(c.k), c.v), `get right after set(${show(c.k)})`);
        break;
      }
      case 'get':
        assert.ok(Object.is(m.get(c.k), model.get(c.k)), `get(${show(c.k)})`);
        break;
      case 'has':
        assert.equal(m.has(c.k), model.has(c.k), `has(${show(c.k)})`);
        break;
      case 'delete':
        assert.equal(m.delete(c.k), model.delete(c.k), `delete(${show(c.k)})`);
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
      case 'size':
        assert.equal(m.size, model.size);
        break;
      case 'burst':
        for (const k of c.ks) {
          m.set(k, c.v);
          model.set(k, c.v);
        }
        break;
      case 'iter': {
        if (c.mode === 'values') {
          assertSameMultiset([...m.values()], [...model.values()], 'values()');
        } else if (c.mode === 'keys') {
          const keys = [...m.keys()];
          assert.equal(new Set(keys).size, keys.length, 'keys() returned a key twice');
          assert.equal(keys.length, model.size);
          for (const k of keys) assert.ok(model.has(k), `keys() returned ${show(k)}`);
        } else if (c.mode === 'forEach') {
          const got = new Map<unknown, unknown>();
          m.forEach((v, k) => {
            assert.ok(!got.has(k), 'forEach visited a key twice');
            got.set(k, v);
          });
          assert.equal(got.size, model.size);
          for (const [k, v] of got) assert.ok(model.has(k) && Object.is(model.get(k), v));
        } else if (c.mode === 'default') {
          const got = new Map<unknown, unknown>(m as Iterable<[unknown, unknown]>);
          assert.equal(got.size, model.size);
          for (const [k, v] of model) assert.ok(got.has(k) && Object.is(got.get(k), v));
        } else {
          assertSameContents(m, model);
        }
        break;
      }
      case 'iterMut':
        iterateWithMutations(m, model, c.driver, c.steps);
        break;
    }
    m.verify();
    assert.equal(m.size, model.size, `size after ${c.t}`);
  }
  assertSameContents(m, model);
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/**
 * fast-check parameters. The time limit only matters when something is broken: shrinking a failing 200-step
 * sequence on a badly broken map can take many minutes; past the limit fast-check reports the failure with the
 * counterexample shrunk so far. (A healthy property finishes far below the limit.)
 */
function fcParams(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, interruptAfterTimeLimit: 20_000 };
}

const valueKindsUnderTest: ValueKind[] = ['int32', 'uint32', 'float64', 'bigint64', 'string', 'any'];

for (const spec of keySpecs) {
  describe(`model: ${spec.kind} keys`, () => {
    for (const vk of valueKindsUnderTest) {
      test(`${spec.kind} -> ${vk}, tiny key domain`, () => {
        fc.assert(
          fc.property(optsArb, fc.array(cmdArb(spec.small, spec.wide, valueArbs[vk]), { maxLength: 200, size: 'max' }), (opts, cmds) => {
            const m = new HashMap({ key: spec.kind, value: vk, ...opts }) as AnyMap;
            runCommands(m, cmds);
          }),
          fcParams(vk === 'int32' || vk === 'any' ? 120 : 60),
        );
      });
    }

    test(`${spec.kind} -> int32, wide key domain`, () => {
      fc.assert(
        fc.property(optsArb, fc.array(cmdArb(spec.wide, spec.wide, valueArbs.int32), { maxLength: 200, size: 'max' }), (opts, cmds) => {
          const m = new HashMap({ key: spec.kind, value: 'int32', ...opts }) as AnyMap;
          runCommands(m, cmds);
        }),
        fcParams(80),
      );
    });

    test(`${spec.kind} -> any, iteration with mutation (tiny domain, many iterations)`, () => {
      const iterOnly = fc.array(
        fc.record({
          t: fc.constant('iterMut' as const),
          driver: fc.constantFrom('next' as const, 'forEach' as const),
          steps: fc.array(mutArb(spec.small, spec.wide, valueArbs.any), { maxLength: 120, size: 'max' }),
        }) as fc.Arbitrary<Cmd>,
        { minLength: 1, maxLength: 6 },
      );
      fc.assert(
        fc.property(optsArb, iterOnly, (opts, cmds) => {
          const m = new HashMap({ key: spec.kind, value: 'any', ...opts }) as AnyMap;
          runCommands(m, cmds);
        }),
        fcParams(150),
      );
    });

    test(`${spec.kind}: every edge key is its own entry, and SameValueZero aliases are one entry`, () => {
      const edges = fc.sample(spec.small, { numRuns: 400, seed: 42 });
      const m = new HashMap({ key: spec.kind, value: 'any', seed: 7 }) as AnyMap;
      const model = new Map<unknown, unknown>();
      edges.forEach((k, i) => {
        m.set(k, i);
        model.set(k, i);
        m.verify();
      });
      assertSameContents(m, model);
      for (const k of model.keys()) {
        assert.equal(m.delete(k), true);
        assert.equal(m.has(k), false);
      }
      assert.equal(m.size, 0);
      m.verify();
    });
  });
}
