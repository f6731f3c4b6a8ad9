// Keys of kind 'any' and new HashMap() as new Map()'s drop-in: a model test against Map with keys of every type
// and verify() after every step, heavy churn, SameValueZero and identity semantics, Symbol.for against Symbol(),
// deleted keys not kept alive (side arrays checked directly, and a --expose-gc child process with WeakRefs),
// iteration while the table grows, the constructor's defaults and Map's errors for bad iterables.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { HashMap } from '../src/index.js';
import { hash1, hashString } from '../src/hash.js';
import { invertHash1 } from '../src/lab/craft.js';

type AnyMap = HashMap<unknown, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Raw access to the table, for the retention checks.

interface RawSeg {
  kv: unknown[] | null;
  side: unknown[] | null;
}
interface RawTable {
  segs: RawSeg[];
}
interface RawHmap {
  buckets: RawTable;
  oldbuckets: RawTable | null;
  seed: number;
}
function raw(m: object): RawHmap {
  return (m as unknown as { _h: RawHmap })._h;
}

/** Whether any side array of the map (current and old table) still references x. */
function holds(m: object, x: unknown): boolean {
  const h = raw(m);
  for (const t of [h.buckets, h.oldbuckets]) {
    if (t === null) continue;
    for (const s of t.segs) {
      if (s.kv !== null && s.kv.includes(x)) return true;
      if (s.side !== null && s.side.includes(x)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// A key pool with every type Map accepts. Objects, functions and symbols are fixed instances, so a command that
// names pool index i always means the same key.

const objects = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? [i] : i % 3 === 1 ? { i } : new Map([[i, i]])));
const functions = [() => 1, function named(): void {}, class K {}, Math.max];
const symbols = [Symbol('a'), Symbol('a'), Symbol(), Symbol.iterator, Symbol.for('a'), Symbol.for('b'), Symbol.for('')];
const pool: unknown[] = [
  0,
  -0,
  1,
  -1,
  NaN,
  0.5,
  -0.5,
  Infinity,
  -Infinity,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  '',
  '0',
  '1',
  'NaN',
  'a',
  '\ud800',
  'x'.repeat(100),
  0n,
  1n,
  -1n,
  2n ** 63n,
  -(2n ** 63n),
  2n ** 100n,
  -(2n ** 100n),
  true,
  false,
  null,
  undefined,
  ...symbols,
  ...objects,
  ...functions,
];

/** A key from the pool, or a fresh one of a common type (ints, strings, floats) for larger tables. */
const keyArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.nat(pool.length - 1).map((i) => pool[i]) },
  { weight: 2, arbitrary: fc.integer({ min: -300, max: 300 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 300 }).map((i) => `s${i}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((i) => i / 4) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((i) => BigInt(i) * 2n ** 40n) },
);

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.constantFrom(undefined, null, NaN, -0, 'v', {}, Symbol('v'), 1n),
);

type Cmd =
  | { op: 'set'; k: unknown; v: unknown }
  | { op: 'get' | 'has' | 'delete'; k: unknown }
  | { op: 'getOrInsert'; k: unknown; v: unknown }
  | { op: 'clear' }
  | { op: 'iterate'; mutate: boolean };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('set' as const), k: keyArb, v: valueArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const), k: keyArb }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('delete' as const), k: keyArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('getOrInsert' as const), k: keyArb, v: valueArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('iterate' as const), mutate: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

function label(k: unknown): string {
  return typeof k === 'symbol' ? k.toString() : typeof k === 'bigint' ? `${k}n` : Object.is(k, -0) ? '-0' : typeof k === 'function' ? 'fn' : typeof k === 'object' && k !== null ? 'obj' : String(k);
}

/** Same entries as the model (keys by SameValueZero, values by Object.is), each key once; keys come back as stored by Map (+0). */
function sameContents(m: AnyMap, model: Map<unknown, unknown>): void {
  assert.equal(m.size, model.size);
  const seen = new Map<unknown, unknown>();
  for (const [k, v] of m) {
    assert.ok(!seen.has(k), `key ${label(k)} returned twice`);
    assert.ok(model.has(k), `key ${label(k)} is not in the model`);
    assert.ok(!Object.is(k, -0), 'a key reads back as +0, never -0');
    assert.ok(Object.is(v, model.get(k)), `value of ${label(k)}`);
    seen.set(k, v);
  }
  assert.equal(seen.size, model.size);
}

/** Iterates while inserting fresh keys (growing the table under the iterator) and deleting unvisited ones. */
function iterateMutating(m: AnyMap, model: Map<unknown, unknown>, fresh: { next: number }): void {
  const present = new Set(model.keys());
  const deleted = new Set<unknown>();
  const seen = new Set<unknown>();
  let steps = 0;
  for (const [k, v] of m) {
    assert.ok(!seen.has(k), `key ${label(k)} returned twice`);
    assert.ok(!deleted.has(k), `key ${label(k)} returned after its delete`);
    assert.ok(Object.is(v, model.get(k)));
    seen.add(k);
    if (++steps <= 10) {
      for (let j = 0; j < 6; j++) {
        const nk = j % 2 === 0 ? { fresh: fresh.next++ } : `fresh${fresh.next++}`;
        m.set(nk, j);
        model.set(nk, j);
      }
      for (const victim of model.keys()) {
        if (!seen.has(victim) && present.has(victim)) {
          assert.equal(m.delete(victim), true);
          model.delete(victim);
          deleted.add(victim);
          present.delete(victim);
          break;
        }
      }
    }
    m.verify();
  }
  for (const k of present) assert.ok(seen.has(k), `key ${label(k)}, present throughout, was not returned`);
}

function runCommands(m: AnyMap, cmds: Cmd[]): void {
  const model = new Map<unknown, unknown>();
  const fresh = { next: 0 };
  for (const c of cmds) {
    switch (c.op) {
      case 'set':
        assert.equal(m.set(c.k, c.v), m);
        model.set(c.k, c.v);
        break;
      case 'get':
        assert.ok(Object.is(m.get(c.k), model.get(c.k)), `get ${label(c.k)}`);
        break;
      case 'has':
        assert.equal(m.has(c.k), model.has(c.k), `has ${label(c.k)}`);
        break;
      case 'delete':
        assert.equal(m.delete(c.k), model.delete(c.k), `delete ${label(c.k)}`);
        break;
      case 'getOrInsert': {
        const expected = model.has(c.k) ? model.get(c.k) : c.v;
        if (!model.has(c.k)) model.set(c.k, c.v);
        assert.ok(Object.is(m.getOrInsert(c.k, c.v), expected));
        break;
      }
      case 'clear':
        m.clear();
        model.clear();
        break;
      case 'iterate':
        if (c.mutate) iterateMutating(m, model, fresh);
        else sameContents(m, model);
        break;
    }
    m.verify();
    assert.equal(m.size, model.size);
  }
  sameContents(m, model);
  for (const k of model.keys()) assert.ok(Object.is(m.get(k), model.get(k)));
}

describe("'any' keys: model against Map (verify after every step)", () => {
  test('mixed key types, any values, fixed seeds', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 20, maxLength: 250, size: 'max' }), fc.nat(2 ** 32 - 1), (cmds, seed) => {
        runCommands(new HashMap({ key: 'any', value: 'any', seed }), cmds);
      }),
      { numRuns: 60, interruptAfterTimeLimit: 8_000 },
    );
  });

  test('new HashMap() (random seed), load factors 0.5 and 12, all-at-once growth', () => {
    const makers: (() => AnyMap)[] = [
      () => new HashMap(),
      () => new HashMap({ key: 'any', value: 'any', loadFactor: 0.5 }),
      () => new HashMap({ key: 'any', value: 'any', loadFactor: 12 }),
      () => new HashMap({ key: 'any', value: 'any', growth: 'all-at-once' }),
    ];
    fc.assert(
      fc.property(fc.nat(makers.length - 1), fc.array(cmdArb, { minLength: 20, maxLength: 200, size: 'max' }), (i, cmds) => {
        runCommands(makers[i]!(), cmds);
      }),
      { numRuns: 40, interruptAfterTimeLimit: 6_000 },
    );
  });

  test('heavy churn: thousands of inserts and deletes of mixed keys, verify after every step', () => {
    // Objects and symbols hash by identity ids given in order of first sight (anykeys.ts), so the layout, and
    // whether one run's overflow buckets pile up to a same-size growth, depends on how many ids earlier tests
    // used (a property test before this one stops on a time limit): one run missed it in about 4% of id
    // offsets (a CI failure on 2026-11-23). Three seeds: every run is checked, the growth is asked of the three.
    let sameSize = 0;
    for (const seed of [7, 8, 9]) {
      const m = new HashMap({ key: 'any', value: 'any', seed });
      const model = new Map<unknown, unknown>();
      const live: unknown[] = [];
      let x = 12345;
      const rnd = (): number => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return x >>> 0;
      };

      for (let step = 0; step < 6000; step++) {
        const r = rnd();
        // Grow to about 100 live keys in 16 buckets, then churn: chains overflow and the overflow buckets pile
        // up until a same-size growth re-packs them.
        if (live.length < (step < 3000 ? 100 : 40 + (step % 300)) && r % 3 !== 0) {
          const t = r % 5;
          const k = t === 0 ? { step } : t === 1 ? `c${step}` : t === 2 ? step + 0.25 : t === 3 ? BigInt(step) : Symbol(String(step));
          m.set(k, step);
          model.set(k, step);
          live.push(k);
        } else if (live.length > 0) {
          const i = r % live.length;
          const k = live[i]!;
          live[i] = live[live.length - 1]!;
          live.pop();
          assert.equal(m.delete(k), true);
          model.delete(k);
          assert.equal(m.has(k), false);
          assert.equal(holds(m, k), false, 'a deleted key is not held by any side array');
        }
        m.verify();
      }
      sameSize += m.metrics().sameSizeGrowths;
      assert.ok(m.metrics().doublings > 3);
      sameContents(m, model);
    }
    assert.ok(sameSize > 0, 'the churn triggered a same-size growth');
  });

  test('every value kind with any keys, including string values (arena) and increment', () => {
    for (const value of ['int32', 'uint32', 'float64', 'bigint64', 'string', 'any'] as const) {
      const m = new HashMap({ key: 'any', value, seed: 3 }) as unknown as AnyMap;
      const model = new Map<unknown, unknown>();
      const val = (i: number): unknown =>
        value === 'bigint64' ? BigInt(i) : value === 'string' ? `v${i}`.repeat(i % 4) : value === 'float64' ? i / 2 : value === 'any' ? { i } : i;
      for (let i = 0; i < 1500; i++) {
        const k = pool[i % pool.length] ?? i;
        const key = i < pool.length ? k : i % 2 === 0 ? `k${i}` : i;
        const v = val(i);
        m.set(key, v);
        model.set(key, v);
        if (i % 3 === 0) {
          const victim = i % 2 === 0 ? `k${i - 6}` : i - 3;
          assert.equal(m.delete(victim), model.delete(victim));
        }
        if (i % 50 === 0) m.verify();
      }
      m.verify();
      sameContents(m, model);
      if (value === 'int32' || value === 'float64') {
        const c = m as unknown as HashMap<unknown, number>;
        assert.equal(c.increment('counter'), 1);
        assert.equal(c.increment('counter', 4), 5);
        const fresh = {};
        assert.equal(c.increment(fresh), 1);
        assert.equal(c.get(fresh), 1);
        assert.equal(c.increment(objects[0], 2), (model.get(objects[0]) as number) + 2);
      }
    }
  });
});

describe("'any' keys: semantics", () => {
  test('SameValueZero: NaN is one key, -0 and +0 are one key stored as +0', () => {
    const m = new HashMap();
    const payloadNaN = new Float64Array(new BigUint64Array([0x7ff4000000000001n]).buffer)[0]!;
    m.set(NaN, 'nan');
    assert.equal(m.get(0 / 0), 'nan');
    assert.equal(m.get(payloadNaN), 'nan');
    m.set(payloadNaN, 'nan2');
    assert.equal(m.size, 1);
    m.set(-0, 'zero');
    assert.equal(m.get(0), 'zero');
    m.set(0, 'zero2');
    assert.equal(m.size, 2);
    assert.equal(m.get(-0), 'zero2');
    assert.ok([...m.keys()].some((k) => Object.is(k, 0)));
    assert.ok(![...m.keys()].some((k) => Object.is(k, -0)));
    assert.equal(m.delete(-0), true);
    assert.equal(m.has(0), false);
    assert.equal(m.delete(NaN), true);
    assert.equal(m.size, 0);
    m.verify();
  });

  test('types are never confused: 1, 1n, "1", true; null and undefined; 2^53 and 2n^53n', () => {
    const m = new HashMap();
    const keys: unknown[] = [1, 1n, '1', true, 0, 0n, '0', '', false, null, undefined, 'null', 'undefined', 2 ** 53, 2n ** 53n, 1.5, '1.5'];
    keys.forEach((k, i) => m.set(k, i));
    assert.equal(m.size, keys.length);
    keys.forEach((k, i) => assert.equal(m.get(k), i, label(k)));
    assert.equal(m.get(2 ** 53 + 1), keys.indexOf(2 ** 53), '2^53 + 1 is the same double as 2^53');
    assert.equal(m.get(BigInt(1)), 1);
    assert.equal(m.get(String(1)), 2);
    m.verify();
  });

  test('keys of different types with the same full 32-bit hash stay apart (strings and int32s crafted to collide)', () => {
    // hashAny of an int32 is hash1, which inverts (src/lab/craft.ts), so each string gets a number with the same
    // hash word and tophash: the probe then has only the side key comparison (sameKey) to tell them apart.
    const seed = 0x2b7e1516;
    for (const s of ['abc', '', '1', 'x'.repeat(100), '\ud800']) {
      const n = invertHash1(hashString(s, seed), seed);
      assert.equal(hash1(n, seed), hashString(s, seed), 'setup: the crafted number collides');
      // Both insertion orders, so that each key is once the first candidate the other's probe meets.
      for (const [a, b] of [[s, n], [n, s]] as const) {
        const m = new HashMap({ key: 'any', value: 'any', seed });
        m.set(a, 'a').set(b, 'b');
        assert.equal(m.size, 2, label(s));
        assert.equal(m.get(a), 'a');
        assert.equal(m.get(b), 'b');
        assert.equal(m.getOrInsert(b, 'x'), 'b');
        m.verify();
        assert.equal(m.delete(b), true);
        assert.equal(m.get(a), 'a', `${label(a)} survives the delete of the key colliding with it`);
        assert.equal(m.has(b), false);
        m.set(b, 'again');
        assert.equal(m.delete(a), true);
        assert.equal(m.get(b), 'again');
        assert.equal(m.size, 1);
        m.verify();
      }
    }
  });

  test('objects, arrays and functions by identity, not by structure', () => {
    const m = new HashMap<object, string>();
    const a = { x: 1 };
    const b = { x: 1 };
    const f = (): number => 1;
    const g = (): number => 1;
    m.set(a, 'a').set(b, 'b').set(f, 'f').set(g, 'g').set([], 'arr');
    assert.equal(m.size, 5);
    assert.equal(m.get(a), 'a');
    assert.equal(m.get(b), 'b');
    assert.equal(m.get({ x: 1 }), undefined);
    assert.equal(m.get(f), 'f');
    assert.equal(m.get([]), undefined);
    // Frozen objects, proxies and objects from Object.create(null) work too.
    const frozen = Object.freeze({});
    const proxy = new Proxy({}, {});
    const bare = Object.create(null) as object;
    m.set(frozen, 'frozen').set(proxy, 'proxy').set(bare, 'bare');
    assert.equal(m.get(frozen), 'frozen');
    assert.equal(m.get(proxy), 'proxy');
    assert.equal(m.get(bare), 'bare');
    // The same object is one key in several maps, each with its own seed.
    const n = new HashMap<object, number>();
    n.set(a, 1);
    assert.equal(n.get(a), 1);
    assert.equal(m.get(a), 'a');
    m.verify();
    n.verify();
  });

  test('Symbol.for symbols are one key per name; Symbol() symbols are distinct; well-known symbols work', () => {
    const m = new HashMap<symbol, number>();
    m.set(Symbol.for('k'), 1);
    assert.equal(m.get(Symbol.for('k')), 1, 'the registry returns the same symbol');
    const s1 = Symbol('k');
    const s2 = Symbol('k');
    m.set(s1, 2).set(s2, 3).set(Symbol.iterator, 4).set(Symbol.for(''), 5).set(Symbol(), 6);
    assert.equal(m.size, 6);
    assert.equal(m.get(s1), 2);
    assert.equal(m.get(s2), 3);
    assert.equal(m.get(Symbol('k')), undefined);
    assert.equal(m.get(Symbol.iterator), 4);
    assert.equal(m.get(Symbol.for('')), 5);
    assert.equal(m.delete(Symbol.for('k')), true);
    assert.equal(m.has(Symbol.for('k')), false);
    assert.equal(m.get(s1), 2);
    m.verify();
  });

  test('keys come back as the same values: identity, bigints beyond 64 bits, strings', () => {
    const keys: unknown[] = [...pool, 2n ** 200n, -(2n ** 64n), 'x'.repeat(5000)];
    const m = new HashMap();
    for (const k of keys) m.set(k, label(k));
    const back = new Map(m);
    assert.equal(back.size, new Map(keys.map((k) => [k, 0])).size);
    for (const k of keys) assert.ok(back.has(k), `key ${label(k)} round-trips`);
  });

  test('upserts and deleteIf', () => {
    const m = new HashMap<unknown, number>();
    const o = {};
    assert.equal(m.getOrInsert(o, 1), 1);
    assert.equal(m.getOrInsert(o, 2), 1);
    assert.equal(m.getOrInsertComputed('k', () => 5), 5);
    assert.equal(m.getOrInsertComputed('k', () => 6), 5);
    assert.equal(m.update(o, (v) => (v ?? 0) + 10), 11);
    assert.equal(m.update(NaN, (v) => (v ?? 0) + 1), 1);
    assert.throws(() => m.increment('k'), TypeError, "increment needs numeric values; new HashMap()'s are 'any'");
    for (let i = 0; i < 100; i++) m.set(i % 2 ? i : `${i}`, i);
    assert.equal(m.deleteIf((_, k) => typeof k === 'string'), 51);
    assert.equal(m.size, 52);
    assert.equal(m.get(o), 11);
    m.verify();
  });

  test('metrics work on any keys', () => {
    const m = new HashMap({ key: 'any', value: 'any', metrics: true });
    m.set('a', undefined);
    m.get('a');
    m.get('b');
    m.set({}, 1);
    const s = m.metrics();
    assert.equal(s.hits, 1, 'a stored undefined is a hit');
    assert.equal(s.misses, 1);
    assert.equal(s.inserts, 2);
  });
});

describe("'any' keys: deleted keys are not kept alive", () => {
  test('delete, overwrite, clear, the overflow spill and evacuation leave no stale key or value in side arrays', () => {
    const m = new HashMap({ key: 'any', value: 'any', seed: 11 });
    const keep: object[] = [];
    for (let i = 0; i < 400; i++) {
      const k = { i };
      keep.push(k);
      m.set(k, { v: i });
    }
    // Delete half, some of them while the table grows (the old table keeps moved keys for iterators until then).
    let deletedWhileGrowing = 0;
    for (let i = 0; i < 400; i += 2) {
      const k = keep[i]!;
      const growing = m.stats().growing;
      m.delete(k);
      if (growing) deletedWhileGrowing++;
      assert.equal(holds(m, k), false, `deleted key ${i} is still referenced`);
      m.set(`filler${i}`, i); // writes grow the table and move evacuation on
      m.set(i + 0.5, i);
    }
    assert.ok(deletedWhileGrowing > 0, 'some deletes ran during a growth');
    // Overwritten values are dropped.
    const oldValue = { old: true };
    const k = keep[1]!;
    m.set(k, oldValue);
    m.set(k, 'new');
    assert.equal(holds(m, oldValue), false);
    m.verify();
    m.clear();
    assert.equal(holds(m, keep[1]), false);
  });

  test('a deleted object key is collected (WeakRef, --expose-gc child process)', () => {
    const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js');
    const script = `
import { HashMap } from ${JSON.stringify(pathToFileURL(dist).href)};
const m = new HashMap();
const refs = [];
const kept = [];
for (let i = 0; i < 3000; i++) {
  const k = { i };
  const v = { v: i };
  m.set(k, v);
  if (i % 2 === 0) refs.push([new WeakRef(k), new WeakRef(v), k]);
  else kept.push(k);
}
// Delete the even keys, interleaved with inserts so some deletes run while the table grows.
for (let j = 0; j < refs.length; j++) {
  m.delete(refs[j][2]);
  refs[j][2] = null;
  m.set('s' + j, j);
}
await new Promise((r) => setTimeout(r, 0));
globalThis.gc();
await new Promise((r) => setTimeout(r, 0));
globalThis.gc();
const aliveKeys = refs.filter((r) => r[0].deref() !== undefined).length;
const aliveValues = refs.filter((r) => r[1].deref() !== undefined).length;
m.verify();
console.log(JSON.stringify({ aliveKeys, aliveValues, size: m.size, kept: kept.length, growing: m.stats().growing }));
`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const r = JSON.parse(out) as { aliveKeys: number; aliveValues: number; size: number; kept: number };
    assert.equal(r.aliveKeys, 0, 'deleted keys were collected');
    assert.equal(r.aliveValues, 0, 'their values were collected');
    assert.equal(r.size, 1500 + 1500);
  });
});

describe("'any' keys: iteration while the table grows", () => {
  test('an iterator started before a growth returns every key present throughout exactly once', () => {
    for (const seed of [1, 2, 3, 4]) {
      const m = new HashMap({ key: 'any', value: 'any', seed });
      const model = new Map<unknown, unknown>();
      for (let i = 0; i < 52; i++) {
        const k = i % 3 === 0 ? { i } : i % 3 === 1 ? `k${i}` : i + 0.5;
        m.set(k, i);
        model.set(k, i);
      }
      iterateMutating(m, model, { next: 0 });
      sameContents(m, model);
    }
  });

  test('an iterator held across a growth and deletes of moved keys does not return them', () => {
    const m = new HashMap({ key: 'any', value: 'any', seed: 9 });
    const objs = Array.from({ length: 100 }, (_, i) => ({ i }));
    for (const o of objs) m.set(o, o.i);
    const it = m.keys();
    const first = it.next().value;
    // Grow (the iterator's table becomes old), then delete every other key: some moved, some not yet.
    for (let i = 0; i < 2000; i++) m.set(`g${i}`, i);
    const deleted = new Set<unknown>();
    for (let i = 0; i < 100; i += 2) if (objs[i] !== first && m.delete(objs[i])) deleted.add(objs[i]);
    const seen = new Set<unknown>([first]);
    for (let r = it.next(); !r.done; r = it.next()) {
      assert.ok(!deleted.has(r.value), 'a deleted key was returned');
      assert.ok(!seen.has(r.value), 'a key was returned twice');
      seen.add(r.value);
    }
    for (let i = 1; i < 100; i += 2) if (objs[i] !== first) assert.ok(seen.has(objs[i]), `key ${i} present throughout was returned`);
    m.verify();
  });
});

describe('new HashMap() is new Map()', () => {
  test('no arguments, undefined and null: an empty map of any keys and values', () => {
    for (const m of [new HashMap(), new HashMap(undefined), new HashMap(null)]) {
      assert.equal(m.size, 0);
      m.set('a', 1).set(1, 'a').set(null, undefined);
      assert.equal(m.size, 3);
      assert.equal(m.get(1), 'a');
      assert.equal(m.has(null), true);
      assert.equal(m.stats().B, 0);
      assert.ok(m instanceof HashMap);
      m.verify();
    }
  });

  test('entries: arrays, Maps, HashMaps, generators, entry-like objects; the iterable decides', () => {
    const o = {};
    const src: [unknown, unknown][] = [[1, 'a'], ['1', 'b'], [o, 'c'], [1, 'd']];
    const m = new HashMap(src);
    assert.equal(m.size, 3);
    assert.equal(m.get(1), 'd');
    assert.equal(m.get(o), 'c');
    assert.equal(new HashMap(new Map(src)).get('1'), 'b');
    const copy = new HashMap(m);
    assert.equal(copy.size, 3);
    assert.equal(copy.get(o), 'c');
    function* gen(): Generator<[string, number]> {
      yield ['x', 1];
      yield ['y', 2];
    }
    assert.equal(new HashMap(gen()).get('y'), 2);
    assert.equal(new HashMap([{ 0: 'k', 1: 'v' } as unknown as [string, string]]).get('k'), 'v');
    assert.equal(new HashMap([['k'] as unknown as [string, string]]).has('k'), true);
    // Entries and options: capacity and seed apply.
    const sized = new HashMap(src, { key: 'any', value: 'any', capacity: 1000, seed: 5 });
    assert.equal(sized.size, 3);
    assert.ok(sized.stats().B >= 7);
    sized.verify();
  });

  test("bad iterables throw Map's TypeErrors; the source iterator is closed", () => {
    for (const bad of [42, true, {}, { key: 'int32' }, Symbol('x'), 1n]) {
      assert.throws(() => new Map(bad as never), TypeError, `Map rejects ${label(bad)}`);
      assert.throws(() => new HashMap(bad as never), TypeError, `HashMap rejects ${label(bad)}`);
    }
    for (const bad of [[1], ['ab'], [null], 'ab', [undefined]]) {
      assert.throws(() => new Map(bad as never), TypeError);
      assert.throws(() => new HashMap(bad as never), TypeError);
    }
    let closed = 0;
    const iterable = {
      [Symbol.iterator]() {
        let i = 0;
        return {
          next: () => ({ value: i++ === 0 ? ['a', 1] : 7, done: false }),
          return: () => {
            closed++;
            return { value: undefined, done: true };
          },
        };
      },
    };
    assert.throws(() => new Map(iterable as never), TypeError);
    assert.throws(() => new HashMap(iterable as never), TypeError);
    assert.equal(closed, 2, 'both closed the iterator');
    // An error thrown by the iterator itself propagates as it is.
    const throwing = {
      [Symbol.iterator]: () => ({
        next: () => {
          throw new RangeError('boom');
        },
      }),
    };
    assert.throws(() => new HashMap(throwing as never), RangeError);
    // A non-callable Symbol.iterator is not iterable.
    assert.throws(() => new HashMap({ [Symbol.iterator]: 1 } as never), TypeError);
  });

  test('types: new HashMap<K, V>() and inference from entries, as for Map', () => {
    const a = new HashMap<string, number>();
    a.set('x', 1);
    const n: number | undefined = a.get('x');
    const b = new HashMap([['k', 1n]] as [string, bigint][]);
    const big: bigint | undefined = b.get('k');
    const c: HashMap<unknown, unknown> = new HashMap();
    const d = new HashMap<string, { name: string }>(null, { key: 'any', value: 'any', capacity: 100 });
    d.set('u', { name: 'x' });
    const e = new HashMap({ key: 'any', value: 'int32' });
    e.set({}, 1);
    const en: number | undefined = e.get('anything');
    assert.equal(n, 1);
    assert.equal(big, 1n);
    assert.equal(c.size, 0);
    assert.equal(d.get('u')?.name, 'x');
    assert.equal(en, undefined);
    const rejected = [
      // @ts-expect-error a number key on a HashMap<string, number>
      () => a.set(1, 1),
      // @ts-expect-error a string value on a HashMap<string, number>
      () => a.set('y', 'z'),
    ];
    assert.equal(rejected.length, 2);
  });
});
