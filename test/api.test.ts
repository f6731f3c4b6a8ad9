// The Map-compatible surface, SameValueZero for float64 keys, input validation (kinds and options), stats(),
// and a compile-time section for the public types.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashMap } from '../src/index.js';
import type { KeyKind, ValueKind } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMap = HashMap<any, any>;

const keyKinds: KeyKind[] = ['int32', 'uint32', 'float64', 'bigint64', 'string', 'any'];
const valueKinds: ValueKind[] = ['int32', 'uint32', 'float64', 'bigint64', 'string', 'any'];

function make(key: KeyKind, value: ValueKind, opts: Record<string, unknown> = {}): AnyMap {
  return new HashMap({ key, value, ...opts }) as AnyMap;
}

/** Objects used as 'any' keys, one per i (so keyOf is a function of i). */
const anyKeyObjects: object[] = [];

/** A valid key of the kind, distinct for distinct i. */
function keyOf(kind: KeyKind, i: number): unknown {
  switch (kind) {
    case 'any':
      switch (i % 5) {
        case 0:
          return `key ${i}`;
        case 1:
          return i + 0.5;
        case 2:
          return BigInt(i);
        case 3:
          return (anyKeyObjects[i] ??= { i });
        default:
          return i;
      }
    case 'int32':
      return i * 7 - 1000;
    case 'uint32':
      return i * 7 + 3_000_000_000;
    case 'float64':
      return i + 0.25;
    case 'bigint64':
      return BigInt(i) * 3n - 2n ** 62n;
    case 'string':
      return i % 5 === 0 ? `\ud800${i}` : `key ${i}`;
  }
}

/** A valid value of the kind for i. */
function valueOf(kind: ValueKind, i: number): unknown {
  switch (kind) {
    case 'int32':
      return -i;
    case 'uint32':
      return 4_000_000_000 + i;
    case 'float64':
      return i / 8;
    case 'bigint64':
      return BigInt(i) - 2n ** 63n;
    case 'string':
      return i % 4 === 0 ? '' : `value ${i}`;
    case 'any':
      return { i };
  }
}

interface RawTable {
  segs: { u8: Uint8Array }[];
  arena: { chunks: Uint16Array[]; live: number; dead: number } | null;
}
interface RawHmap {
  seed: number;
  buckets: RawTable;
  oldbuckets: RawTable | null;
}
function raw(m: object): RawHmap {
  return (m as unknown as { _h: RawHmap })._h;
}

/** Bytes of one bucket: 8 tophash bytes, 8 keys, 8 values (values of kind 'any' live outside the buffers). */
function bucketBytes(key: KeyKind, value: ValueKind): number {
  const kw = key === 'int32' || key === 'uint32' || key === 'any' ? 1 : 2;
  const vw = value === 'any' ? 0 : value === 'int32' || value === 'uint32' ? 1 : 2;
  return 4 * (2 + 8 * kw + 8 * vw);
}

/** A map in the middle of an incremental doubling (so a write would evacuate). */
function growingMap(key: KeyKind, value: ValueKind): AnyMap {
  const m = make(key, value, { seed: 17 });
  for (let i = 0; !(m.stats().growing && m.stats().oldBuckets >= 8); i++) m.set(keyOf(key, i), valueOf(value, i));
  assert.ok(m.stats().evacuated < m.stats().oldBuckets);
  return m;
}

function keyString(k: unknown): string {
  return typeof k === 'bigint' ? `${k}n` : Object.is(k, -0) ? '-0' : String(k);
}

/** A test-name label for a value: strings quoted, objects as {}. */
function label(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? '{...}' : keyString(v);
}

/** Everything observable about a map, plus its raw bytes, for "left exactly as it was" checks. */
function snapshot(m: AnyMap): unknown {
  const h = raw(m);
  const bytes = (t: RawTable | null): string[] =>
    t === null
      ? []
      : [
          ...t.segs.map((s) => Buffer.from(s.u8).toString('base64')),
          ...(t.arena === null ? [] : [`${t.arena.live}/${t.arena.dead}`, ...t.arena.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'))]),
        ];
  const entries = [...m.entries()].map(([k, v]) => [keyString(k), v] as const);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { size: m.size, stats: m.stats(), seed: h.seed, entries, buckets: bytes(h.buckets), old: bytes(h.oldbuckets) };
}

/** How an error message may spell a value. */
function spellings(v: unknown): string[] {
  switch (typeof v) {
    case 'bigint':
      return [`${v}n`, `${v}`];
    case 'number':
      return [Object.is(v, -0) ? '-0' : String(v)];
    case 'string':
      return [JSON.stringify(v), `'${v}'`];
    case 'object':
      return v === null ? ['null'] : ['[object Object]', 'object'];
    default:
      return [String(v)];
  }
}

/** Whether `token` occurs in `msg` as a whole token (not as part of a longer number or word). */
function mentions(msg: string, token: string): boolean {
  const esc = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.])${esc}($|[^\\w.])`).test(msg);
}

function assertKindError(fn: () => unknown, cls: typeof TypeError | typeof RangeError, kind: string, role: string, v: unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.constructor, cls, `expected ${cls.name}, got ${e.constructor.name}: ${e.message}`);
    assert.ok(mentions(e.message, kind), `message does not name the kind ${kind}: ${e.message}`);
    assert.ok(mentions(e.message, role), `message does not say it is the ${role}: ${e.message}`);
    assert.ok(
      spellings(v).some((s) => mentions(e.message, s)),
      `message does not show the value (${spellings(v).join(' or ')}): ${e.message}`,
    );
    return true;
  });
}

// Values outside each kind: [value, error class].
const badByKind: Record<KeyKind, [unknown, typeof TypeError | typeof RangeError][]> = {
  int32: [
    [1.5, RangeError],
    [2 ** 31, RangeError],
    [-(2 ** 31) - 1, RangeError],
    [NaN, RangeError],
    [Infinity, RangeError],
    ['1', TypeError],
    [1n, TypeError],
    [undefined, TypeError],
    [null, TypeError],
    [{}, TypeError],
  ],
  uint32: [
    [-1, RangeError],
    [2 ** 32, RangeError],
    [1.5, RangeError],
    [NaN, RangeError],
    ['1', TypeError],
    [1n, TypeError],
  ],
  float64: [
    ['1', TypeError],
    ['x', TypeError],
    [1n, TypeError],
    [undefined, TypeError],
    [null, TypeError],
    [true, TypeError],
    [{ valueOf: () => 1 }, TypeError],
  ],
  bigint64: [
    [2n ** 63n, RangeError],
    [-(2n ** 63n) - 1n, RangeError],
    [2n ** 64n, RangeError],
    [1, TypeError],
    ['1', TypeError],
    [undefined, TypeError],
  ],
  string: [
    [1, TypeError],
    [1n, TypeError],
    [undefined, TypeError],
    [null, TypeError],
    [true, TypeError],
    [{}, TypeError],
    [new String('a'), TypeError],
  ],
  any: [],
};

// ---------------------------------------------------------------------------------------------------------------

describe('Map surface', () => {
  test('size, get, set (returns the map, chains), has, delete (boolean), clear', () => {
    const m = new HashMap({ key: 'int32', value: 'float64' });
    assert.equal(m.size, 0);
    assert.equal(m.get(1), undefined);
    assert.equal(m.has(1), false);
    assert.equal(m.delete(1), false);
    assert.equal(m.set(1, 1.5), m);
    assert.equal(m.set(2, 2.5).set(3, 3.5).set(1, 10), m);
    assert.equal(m.size, 3);
    assert.equal(m.get(1), 10);
    assert.equal(m.get(2), 2.5);
    assert.equal(m.get(4), undefined);
    assert.equal(m.has(3), true);
    assert.equal(m.has(4), false);
    assert.equal(m.delete(2), true);
    assert.equal(m.delete(2), false);
    assert.equal(m.size, 2);
    assert.equal(m.has(2), false);
    assert.equal(m.get(2), undefined);
    for (let i = 0; i < 1000; i++) m.set(i, i / 2);
    assert.equal(m.size, 1000);
    assert.equal(m.clear(), undefined);
    assert.equal(m.size, 0);
    assert.equal(m.get(1), undefined);
    assert.equal(m.stats().count, 0);
    assert.equal(m.stats().B, 0);
    m.clear();
    assert.equal(m.size, 0);
    m.set(7, 7);
    assert.equal(m.get(7), 7);
    assert.equal(m.size, 1);
    m.verify();
  });

  test('every key kind and value kind round-trips, including the ends of each range', () => {
    const keyEnds: Record<KeyKind, unknown[]> = {
      int32: [-(2 ** 31), 2 ** 31 - 1, 0, -1],
      uint32: [0, 2 ** 32 - 1, 2 ** 31, 1],
      float64: [-Infinity, Infinity, Number.MAX_VALUE, -Number.MIN_VALUE, Number.MIN_VALUE, 2 ** 53, 0.1],
      bigint64: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 32n],
      string: ['', '\0', '\ud800', '\udfff\ud800', '\u{1f600}', 'x'.repeat(70_000)],
      any: [undefined, null, true, false, 0, -1.5, NaN, 2 ** 53, '', '0', 0n, 2n ** 70n, Symbol.for('s'), Symbol('s'), {}, [], () => 1],
    };
    const valueEnds: Record<ValueKind, unknown[]> = {
      int32: [-(2 ** 31), 2 ** 31 - 1, 0, -1],
      uint32: [0, 2 ** 32 - 1, 2 ** 31, 1],
      float64: [-0, NaN, -Infinity, Number.MIN_VALUE, 0.1, -1e308],
      bigint64: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 32n],
      string: ['', '\ud800', 'y'.repeat(40), '\u{1f600}\udc00'],
      any: [undefined, null, 'str', { a: 1 }, [1], 1n, Symbol('s'), () => 1, NaN, -0],
    };
    for (const kk of keyKinds) {
      for (const vk of valueKinds) {
        const m = make(kk, vk, { seed: 3 });
        const ks = keyEnds[kk];
        const vs = valueEnds[vk];
        ks.forEach((k, i) => m.set(k, vs[i % vs.length]));
        assert.equal(m.size, ks.length, `${kk} -> ${vk}`);
        ks.forEach((k, i) => assert.ok(Object.is(m.get(k), vs[i % vs.length]), `${kk} -> ${vk}: get(${keyString(k)})`));
        const back = new Map(m as Iterable<[unknown, unknown]>);
        for (const k of ks) assert.ok(back.has(k), `${kk}: iteration returns key ${keyString(k)} unchanged`);
        m.verify();
      }
    }
  });

  test('forEach: (value, key, map), thisArg, every entry once, returns undefined', () => {
    const m = new HashMap({ key: 'uint32', value: 'int32' });
    for (let i = 0; i < 50; i++) m.set(i * 3, 100 - i);
    const ctx = { calls: 0 };
    const seen = new Map<number, number>();
    const ret = m.forEach(function (this: typeof ctx, value, key, map) {
      assert.equal(this, ctx);
      assert.equal(map, m);
      assert.equal(arguments.length, 3);
      this.calls++;
      assert.ok(!seen.has(key));
      seen.set(key, value);
    }, ctx);
    assert.equal(ret, undefined);
    assert.equal(ctx.calls, 50);
    for (let i = 0; i < 50; i++) assert.equal(seen.get(i * 3), 100 - i);
    let thisSeen: unknown = 'unset';
    m.forEach(function (this: unknown) {
      thisSeen = this;
    });
    assert.equal(thisSeen, undefined, 'no thisArg: this is undefined (strict callback)');
  });

  test('forEach with a non-function callback throws TypeError and changes nothing', () => {
    for (const bad of [undefined, null, 1, 'f', {}, [], Symbol.iterator]) {
      for (const m of [make('int32', 'int32'), growingMap('int32', 'int32')]) {
        const before = snapshot(m);
        assert.throws(
          () => m.forEach(bad as unknown as () => void),
          (e: unknown) => e instanceof TypeError && /callback|function/.test(e.message),
        );
        assert.deepEqual(snapshot(m), before);
      }
    }
  });

  test('keys, values, entries and [Symbol.iterator]: iterable iterators, next() protocol, done stays done', () => {
    const m = new HashMap({ key: 'bigint64', value: 'any' });
    const objs = new Map<bigint, object>();
    for (let i = 0n; i < 40n; i++) {
      const o = { i };
      objs.set(i * 5n, o);
      m.set(i * 5n, o);
    }
    const check = <T>(it: Iterator<T> & Iterable<T>, n: number, f: (v: T) => void): void => {
      assert.equal(it[Symbol.iterator](), it, 'an iterator is its own iterable');
      assert.equal(typeof it.next, 'function');
      for (let i = 0; i < n; i++) {
        const r = it.next();
        assert.deepEqual(Object.keys(r).sort(), ['done', 'value']);
        assert.equal(r.done, false);
        f(r.value);
      }
      for (let i = 0; i < 3; i++) assert.deepEqual(it.next(), { value: undefined, done: true });
      m.set(1000n, {}); // entries added after the end do not revive it
      assert.deepEqual(it.next(), { value: undefined, done: true });
      m.delete(1000n);
    };
    const keys = new Set<bigint>();
    check(m.keys(), 40, (k) => {
      assert.equal(typeof k, 'bigint');
      assert.ok(objs.has(k) && !keys.has(k));
      keys.add(k);
    });
    const vals = new Set<unknown>();
    check(m.values(), 40, (v) => {
      assert.ok([...objs.values()].includes(v as object) && !vals.has(v));
      vals.add(v);
    });
    const ents = new Set<bigint>();
    check(m.entries(), 40, (e) => {
      assert.ok(Array.isArray(e) && e.length === 2);
      assert.equal(e[1], objs.get(e[0]));
      assert.ok(!ents.has(e[0]));
      ents.add(e[0]);
    });
    const def = new Set<bigint>();
    check(m[Symbol.iterator](), 40, (e) => {
      assert.equal(e[1], objs.get(e[0]));
      def.add(e[0]);
    });
    assert.equal(def.size, 40);
    assert.equal([...m].length, 40);
    assert.equal(Array.from(m.keys()).length, 40);
    const copy = new Map(m);
    assert.equal(copy.size, 40);
    for (const [k, o] of objs) assert.equal(copy.get(k), o);
    // Empty map: done at once.
    const e = new HashMap({ key: 'int32', value: 'int32' });
    for (const it of [e.keys(), e.values(), e.entries(), e[Symbol.iterator]()]) {
      assert.deepEqual(it.next(), { value: undefined, done: true });
    }
  });

  test('an iterator started before clear() returns no cleared entry', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    for (let i = 0; i < 100; i++) m.set(i, i);
    const it = m.entries();
    const first = it.next();
    assert.equal(first.done, false);
    m.clear();
    for (let i = 1000; i < 1010; i++) m.set(i, i);
    for (let r = it.next(); !r.done; r = it.next()) {
      assert.ok(r.value[0] >= 1000, `cleared key ${r.value[0]} returned after clear()`);
      assert.equal(m.get(r.value[0]), r.value[1]);
    }
  });

  test("Symbol.toStringTag is 'HashMap'; instances are instanceof HashMap for every kind", () => {
    for (const kk of keyKinds) {
      for (const vk of valueKinds) {
        const m = make(kk, vk);
        assert.equal(m[Symbol.toStringTag], 'HashMap');
        assert.equal(Object.prototype.toString.call(m), '[object HashMap]');
        assert.equal(String(m), '[object HashMap]');
        assert.ok(m instanceof HashMap, `${kk} -> ${vk}`);
        assert.ok(!(({}) instanceof HashMap));
      }
    }
    assert.throws(() => (HashMap as unknown as (o: unknown) => unknown)({ key: 'int32', value: 'int32' }), TypeError);
  });
});

describe('SameValueZero keys', () => {
  test('float64: NaN is one key, whatever its bits', () => {
    const m = new HashMap({ key: 'float64', value: 'int32', seed: 1 });
    const payloadNaN = new Float64Array(new BigUint64Array([0x7ff0000000000001n]).buffer)[0]!;
    const negNaN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0]!;
    assert.ok(Number.isNaN(payloadNaN) && Number.isNaN(negNaN));
    m.set(NaN, 1);
    assert.equal(m.get(NaN), 1);
    assert.equal(m.has(NaN), true);
    assert.equal(m.get(payloadNaN), 1);
    assert.equal(m.get(0 / 0), 1);
    m.set(negNaN, 2);
    assert.equal(m.size, 1);
    assert.equal(m.get(NaN), 2);
    const keys = [...m.keys()];
    assert.equal(keys.length, 1);
    assert.ok(Number.isNaN(keys[0]));
    assert.equal(m.delete(payloadNaN), true);
    assert.equal(m.size, 0);
    assert.equal(m.has(NaN), false);
    m.verify();
  });

  test('float64: -0 and +0 are one key, iterated as +0 (like Map)', () => {
    const m = new HashMap({ key: 'float64', value: 'float64', seed: 2 });
    m.set(-0, 1);
    assert.equal(m.get(0), 1);
    assert.equal(m.get(-0), 1);
    assert.equal(m.size, 1);
    assert.ok(Object.is([...m.keys()][0], 0), 'the key comes back as +0');
    m.set(0, 2);
    assert.equal(m.size, 1);
    assert.equal(m.get(-0), 2);
    assert.equal(m.delete(-0), true);
    assert.equal(m.has(0), false);
    // Values keep their sign and NaN-ness.
    m.set(5, -0);
    assert.ok(Object.is(m.get(5), -0));
    m.set(6, NaN);
    assert.ok(Number.isNaN(m.get(6)));
    // Distinct doubles are distinct keys; equal doubles are equal keys.
    m.set(0.1 + 0.2, 1);
    m.set(0.3, 2);
    m.set(2 ** 53, 3);
    m.set(2 ** 53 + 1, 4); // the same double as 2^53
    m.set(Number.MIN_VALUE, 5);
    m.set(0, 6);
    assert.equal(m.get(0.1 + 0.2), 1);
    assert.equal(m.get(0.3), 2);
    assert.equal(m.get(2 ** 53), 4);
    assert.equal(m.get(Number.MIN_VALUE), 5);
    assert.equal(m.get(-0), 6);
    assert.equal(m.size, 7);
    m.verify();
  });

  test('int32 and uint32: -0 is the key 0', () => {
    for (const kind of ['int32', 'uint32'] as const) {
      const m = new HashMap({ key: kind, value: 'int32' });
      m.set(-0, 5);
      assert.equal(m.get(0), 5);
      m.set(0, 6);
      assert.equal(m.size, 1);
      assert.ok(Object.is([...m.keys()][0], 0));
    }
  });
});

describe('bad keys and values', () => {
  for (const kind of keyKinds) {
    for (const [bad, cls] of badByKind[kind]) {
      test(`${kind} key ${label(bad)}: ${cls.name} from set/get/has/delete, map unchanged`, () => {
        for (const m of [make(kind, 'int32', { seed: 1 }), growingMap(kind, 'int32')]) {
          const before = snapshot(m);
          assertKindError(() => m.set(bad, 1), cls, kind, 'key', bad);
          assertKindError(() => m.get(bad), cls, kind, 'key', bad);
          assertKindError(() => m.has(bad), cls, kind, 'key', bad);
          assertKindError(() => m.delete(bad), cls, kind, 'key', bad);
          assert.deepEqual(snapshot(m), before);
          m.verify();
          // Still fully usable.
          m.set(keyOf(kind, 100000), 42);
          assert.equal(m.get(keyOf(kind, 100000)), 42);
          m.verify();
        }
      });
    }
  }

  for (const kind of keyKinds) {
    const vkind = kind as ValueKind;
    for (const [bad, cls] of badByKind[kind]) {
      test(`${vkind} value ${label(bad)}: ${cls.name} on a new key and on an existing key, map unchanged`, () => {
        for (const m of [make('int32', vkind, { seed: 1 }), growingMap('int32', vkind)]) {
          m.set(123456, valueOf(vkind, 9));
          const before = snapshot(m);
          assertKindError(() => m.set(654321, bad), cls, vkind, 'value', bad);
          assert.equal(m.has(654321), false);
          assertKindError(() => m.set(123456, bad), cls, vkind, 'value', bad);
          assert.ok(Object.is(m.get(123456), valueOf(vkind, 9)), 'the old value stays');
          assert.deepEqual(snapshot(m), before);
          m.verify();
        }
      });
    }
  }

  test("value kind 'any' accepts every JS value", () => {
    const m = new HashMap({ key: 'int32', value: 'any' });
    const vals: unknown[] = [undefined, null, 1.5, NaN, -0, 'x', 2n ** 70n, Symbol('s'), {}, [], () => 0, new Map()];
    vals.forEach((v, i) => m.set(i, v));
    vals.forEach((v, i) => {
      assert.ok(Object.is(m.get(i), v));
      assert.equal(m.has(i), true);
    });
    assert.equal(m.size, vals.length);
  });
});

describe('options', () => {
  test('every key kind x value kind constructs an empty one-bucket map', () => {
    for (const kk of keyKinds) {
      for (const vk of valueKinds) {
        const m = make(kk, vk);
        const s = m.stats();
        assert.deepEqual(
          { ...s },
          {
            count: 0,
            B: 0,
            buckets: 1,
            overflowBuckets: 0,
            loadFactor: 0,
            growing: false,
            sameSizeGrow: false,
            oldBuckets: 0,
            evacuated: 0,
            bytes: bucketBytes(kk, vk),
          },
          `${kk} -> ${vk}`,
        );
      }
    }
    assert.equal(make('int32', 'int32').stats().bytes, 72, "the layout's documented 72-byte int32 bucket");
  });

  test('boundary values are accepted', () => {
    const ok: Record<string, unknown>[] = [
      { capacity: 0 },
      { capacity: 100000 },
      { capacity: undefined },
      { seed: 0 },
      { seed: 2 ** 32 - 1 },
      { loadFactor: 0.5 },
      { loadFactor: 64 },
      { loadFactor: 6.5 },
      { growth: 'incremental' },
      { growth: 'all-at-once' },
    ];
    for (const o of ok) {
      const m = make('int32', 'int32', o);
      m.set(1, 1);
      assert.equal(m.get(1), 1, JSON.stringify(o));
    }
  });

  const cases: [string, unknown, (typeof TypeError | typeof RangeError)[], RegExp][] = [
    ['a number', 42, [TypeError], /options/],
    ['a boolean', true, [TypeError], /options/],
    ['a string (iterable: its characters are not entries)', 'int32', [TypeError], /entry/],
    ['missing key kind', { value: 'int32' }, [TypeError], /key/],
    ['missing value kind', { key: 'int32' }, [TypeError], /value/],
    ['unknown key kind', { key: 'int64', value: 'int32' }, [TypeError], /int64/],
    ["'anything' as a key kind", { key: 'anything', value: 'int32' }, [TypeError], /key/],
    ['unknown value kind', { key: 'int32', value: 'utf8' }, [TypeError], /utf8/],
    ['unknown option name', { key: 'int32', value: 'int32', capcity: 10 }, [TypeError], /capcity/],
    ['capacity -1', { key: 'int32', value: 'int32', capacity: -1 }, [RangeError], /capacity/],
    ['capacity 1.5', { key: 'int32', value: 'int32', capacity: 1.5 }, [RangeError], /capacity/],
    ['capacity NaN', { key: 'int32', value: 'int32', capacity: NaN }, [RangeError], /capacity/],
    ['capacity Infinity', { key: 'int32', value: 'int32', capacity: Infinity }, [RangeError], /capacity/],
    ["capacity '10'", { key: 'int32', value: 'int32', capacity: '10' }, [TypeError, RangeError], /capacity/],
    ['capacity 2^40', { key: 'int32', value: 'int32', capacity: 2 ** 40 }, [RangeError], /./],
    ['seed -1', { key: 'int32', value: 'int32', seed: -1 }, [RangeError], /seed/],
    ['seed 2^32', { key: 'int32', value: 'int32', seed: 2 ** 32 }, [RangeError], /seed/],
    ['seed 1.5', { key: 'int32', value: 'int32', seed: 1.5 }, [RangeError], /seed/],
    ["seed '1'", { key: 'int32', value: 'int32', seed: '1' }, [TypeError, RangeError], /seed/],
    ['loadFactor 0', { key: 'int32', value: 'int32', loadFactor: 0 }, [RangeError], /loadFactor/],
    ['loadFactor NaN', { key: 'int32', value: 'int32', loadFactor: NaN }, [RangeError], /loadFactor/],
    ['loadFactor 100', { key: 'int32', value: 'int32', loadFactor: 100 }, [RangeError], /loadFactor/],
    ['loadFactor -1', { key: 'int32', value: 'int32', loadFactor: -1 }, [RangeError], /loadFactor/],
    ["loadFactor '6.5'", { key: 'int32', value: 'int32', loadFactor: '6.5' }, [TypeError, RangeError], /loadFactor/],
    ["growth 'x'", { key: 'int32', value: 'int32', growth: 'x' }, [TypeError, RangeError], /growth/],
  ];
  for (const [name, opts, classes, re] of cases) {
    test(`invalid options throw at construction: ${name}`, () => {
      assert.throws(
        () => new HashMap(opts as never),
        (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.ok(
            classes.some((c) => e.constructor === c),
            `expected ${classes.map((c) => c.name).join(' or ')}, got ${e.constructor.name}: ${e.message}`,
          );
          assert.match(e.message, re);
          return true;
        },
      );
    });
  }
});

describe('stats()', () => {
  test('fields, types and consistency, through growth; bytes are the buffers held', () => {
    for (const kk of keyKinds) {
      for (const vk of valueKinds) {
        const m = make(kk, vk, { seed: 5 });
        let sawGrowing = false;
        for (let i = 0; i < 3000; i++) {
          m.set(keyOf(kk, i), valueOf(vk, i));
          if (i % 3 === 2) m.delete(keyOf(kk, i - 1));
          if (i % 97 !== 0 && !(m.stats().growing && !sawGrowing)) continue;
          const s = m.stats();
          assert.deepEqual(Object.keys(s).sort(), [
            'B',
            'buckets',
            'bytes',
            'count',
            'evacuated',
            'growing',
            'loadFactor',
            'oldBuckets',
            'overflowBuckets',
            'sameSizeGrow',
          ]);
          for (const f of ['B', 'buckets', 'bytes', 'count', 'evacuated', 'oldBuckets', 'overflowBuckets'] as const) {
            assert.ok(Number.isInteger(s[f]) && s[f] >= 0, `${f} = ${s[f]}`);
          }
          assert.equal(typeof s.growing, 'boolean');
          assert.equal(typeof s.sameSizeGrow, 'boolean');
          assert.equal(s.count, m.size);
          assert.equal(s.buckets, 2 ** s.B);
          assert.equal(s.loadFactor, s.count / s.buckets);
          if (s.growing) {
            sawGrowing = true;
            assert.equal(s.oldBuckets, s.sameSizeGrow ? s.buckets : s.buckets / 2);
            assert.ok(s.evacuated >= 1 && s.evacuated < s.oldBuckets);
          } else {
            assert.equal(s.oldBuckets, 0);
            assert.equal(s.evacuated, 0);
            assert.equal(s.sameSizeGrow, false);
          }
          const h = raw(m);
          let held = 0;
          for (const t of [h.buckets, h.oldbuckets]) {
            if (t === null) continue;
            for (const seg of t.segs) held += seg.u8.buffer.byteLength;
            if (t.arena !== null) for (const c of t.arena.chunks) held += c.byteLength;
          }
          assert.equal(s.bytes, held, `${kk} -> ${vk}: bytes is the sum of the buffers`);
          assert.ok(s.bytes >= (s.buckets + s.oldBuckets + s.overflowBuckets) * bucketBytes(kk, vk));
        }
        assert.ok(sawGrowing, `${kk} -> ${vk}: never observed a growth`);
        assert.equal(m.size, 2000);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Type-level checks: this section is mostly about compiling. The lines marked @ts-expect-error must not compile
// (tsc fails the build if they do); at run time they are wrapped in functions that the test expects to throw.

export function typeLevel(): (() => unknown)[] {
  const m = new HashMap({ key: 'bigint64', value: 'float64' });
  const v: number | undefined = m.get(1n);
  const chained: HashMap<bigint, number> = m.set(1n, 2.5).set(2n, 3);
  for (const [k, val] of m) {
    const kk: bigint = k;
    const vv: number = val;
    void kk;
    void vv;
  }
  const n = new HashMap({ key: 'int32', value: 'any' });
  n.set(1, { anything: true });
  const u: unknown = n.get(1);
  const typed = new HashMap<'uint32', 'any', { name: string }>({ key: 'uint32', value: 'any' });
  typed.set(1, { name: 'x' });
  const name: string | undefined = typed.get(1)?.name;
  const b: HashMap<number, bigint> = new HashMap({ key: 'uint32', value: 'bigint64' });
  b.set(1, 5n);
  // Key kind 'any' and the Map-like constructors.
  const anyKeys: HashMap<unknown, number> = new HashMap({ key: 'any', value: 'float64' });
  anyKeys.set({}, 1).set('s', 2).set(Symbol(), 3);
  const plain: HashMap<unknown, unknown> = new HashMap();
  plain.set(1n, null);
  const named = new HashMap<string, { name: string }>();
  named.set('k', { name: 'x' });
  const inferred: HashMap<string, number> = new HashMap([['a', 1]] as [string, number][]);
  const sized: HashMap<object, string> = new HashMap<object, string>(null, { key: 'any', value: 'any', capacity: 10 });
  void named.get('k')?.name;
  void inferred;
  void sized;
  void v;
  void chained;
  void u;
  void name;
  return [
    // @ts-expect-error a number key on a bigint64 map
    () => m.get(1),
    // @ts-expect-error a bigint value on a float64 map
    () => m.set(1n, 1n),
    // @ts-expect-error a bigint key on an int32 map
    () => n.has(1n),
    // @ts-expect-error a string key
    () => typed.delete('1'),
    // @ts-expect-error a number value on a bigint64 map
    () => b.set(1, 1),
    // @ts-expect-error an unknown key kind
    () => new HashMap({ key: 'int64', value: 'int32' }),
  ];
}

test('type-level section compiles, and what it rejects also fails at run time', () => {
  const rejected = typeLevel();
  assert.equal(rejected.length, 6);
  for (const f of rejected) assert.throws(f, TypeError);
});
