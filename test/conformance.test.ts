// Map conformance: one suite of expectations, run against native Map and against HashMap, so HashMap behaves as
// Map does wherever the README does not say otherwise. The one documented difference, iteration order, is why
// contents are compared as sets. HashMap runs here as new HashMap() / new HashMap(entries): 'any' keys and values,
// the drop-in for new Map() (SameValueZero, keys and values of every type); the float64 -> any run checks the
// numeric suite on a typed kind as well.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashMap } from '../src/index.js';

interface Subject {
  name: string;
  tag: string;
  /** Whether keys of every type are accepted (Map, new HashMap()), not only numbers. */
  anyKeys: boolean;
  make(entries?: Iterable<readonly [unknown, unknown]> | null): Map<number, unknown>;
}

const subjects: Subject[] = [
  { name: 'Map', tag: 'Map', anyKeys: true, make: (entries) => new Map(entries ?? undefined) as Map<number, unknown> },
  {
    name: 'new HashMap()',
    tag: 'HashMap',
    anyKeys: true,
    make: (entries) => (entries === undefined ? new HashMap() : new HashMap(entries)) as unknown as Map<number, unknown>,
  },
  {
    name: 'HashMap float64 -> any',
    tag: 'HashMap',
    anyKeys: false,
    make: (entries) =>
      (entries === undefined
        ? new HashMap({ key: 'float64', value: 'any' })
        : new HashMap(entries as Iterable<readonly [number, unknown]>, { key: 'float64', value: 'any' })) as unknown as Map<number, unknown>,
  },
];

function sorted<T>(xs: Iterable<T>): T[] {
  return [...xs].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

for (const s of subjects) {
  describe(`Map conformance: ${s.name}`, () => {
    test('size follows set, overwrite, delete and clear', () => {
      const m = s.make();
      assert.equal(m.size, 0);
      m.set(1, 'a');
      m.set(2, 'b');
      m.set(1, 'c');
      assert.equal(m.size, 2);
      assert.equal(m.delete(1), true);
      assert.equal(m.delete(1), false);
      assert.equal(m.size, 1);
      m.clear();
      assert.equal(m.size, 0);
      assert.equal(m.get(2), undefined);
    });

    test('set returns the map itself (chainable)', () => {
      const m = s.make();
      assert.equal(m.set(1, 1), m);
      m.set(2, 2).set(3, 3);
      assert.equal(m.size, 3);
    });

    test('get, has and delete of absent keys', () => {
      const m = s.make();
      assert.equal(m.get(5), undefined);
      assert.equal(m.has(5), false);
      assert.equal(m.delete(5), false);
      m.set(5, undefined);
      assert.equal(m.has(5), true, 'a key whose value is undefined is present');
      assert.equal(m.get(5), undefined);
    });

    test('SameValueZero: NaN finds NaN, -0 and +0 are one key stored as +0', () => {
      const m = s.make();
      m.set(NaN, 'nan');
      assert.equal(m.get(NaN), 'nan');
      assert.equal(m.get(Number('not a number')), 'nan');
      m.set(-0, 'zero');
      assert.equal(m.get(0), 'zero');
      m.set(0, 'zero2');
      assert.equal(m.size, 2);
      assert.equal(m.get(-0), 'zero2');
      const keys = [...m.keys()];
      assert.ok(keys.some((k) => Object.is(k, 0)), 'the zero key reads back as +0');
      assert.ok(!keys.some((k) => Object.is(k, -0)));
      assert.equal(m.delete(-0), true);
      assert.equal(m.has(0), false);
    });

    test('values keep -0, NaN, objects by identity, undefined and null', () => {
      const m = s.make();
      const o = { a: 1 };
      m.set(1, -0).set(2, NaN).set(3, o).set(4, null).set(5, undefined);
      assert.ok(Object.is(m.get(1), -0));
      assert.ok(Number.isNaN(m.get(2)));
      assert.equal(m.get(3), o);
      assert.equal(m.get(4), null);
      assert.equal(m.get(5), undefined);
    });

    test('forEach passes (value, key, map) and thisArg, once per entry', () => {
      const m = s.make([[1, 'a'], [2, 'b']]);
      const that = { seen: [] as Array<[unknown, number]> };
      m.forEach(function (this: typeof that, value, key, map) {
        assert.equal(this, that);
        assert.equal(map, m);
        this.seen.push([value, key]);
      }, that);
      assert.deepEqual(sorted(that.seen.map((p) => p.join(':'))), ['a:1', 'b:2']);
      assert.throws(() => m.forEach(undefined as never), TypeError);
      assert.throws(() => m.forEach({} as never), TypeError);
    });

    test('keys, values and entries agree; the default iterator is entries', () => {
      const m = s.make([[1, 'a'], [2, 'b'], [3, 'c']]);
      const entries = [...m.entries()];
      assert.deepEqual(sorted(entries.map((e) => e.join(':'))), ['1:a', '2:b', '3:c']);
      assert.deepEqual(sorted([...m].map((e) => e.join(':'))), ['1:a', '2:b', '3:c']);
      assert.deepEqual(sorted(m.keys()), [1, 2, 3]);
      assert.deepEqual(sorted(m.values()), ['a', 'b', 'c']);
      assert.equal(m[Symbol.iterator], m.entries, 'Symbol.iterator is entries');
    });

    test('iterator protocol: next results, done stays done, iterators are iterable', () => {
      const m = s.make([[1, 'a'], [2, 'b']]);
      const it = m.keys();
      assert.equal(it[Symbol.iterator](), it);
      const r1 = it.next();
      assert.deepEqual(Object.keys(r1).sort(), ['done', 'value']);
      assert.equal(r1.done, false);
      const r2 = it.next();
      assert.equal(r2.done, false);
      assert.deepEqual(sorted([r1.value, r2.value]), [1, 2]);
      const end = it.next();
      assert.equal(end.done, true);
      assert.equal(end.value, undefined);
      m.set(3, 'c');
      assert.equal(it.next().done, true, 'a finished iterator stays finished');
      assert.match(Object.prototype.toString.call(m.entries()), /^\[object (Map|HashMap) Iterator\]$/);
    });

    test('breaking out of for..of leaves the iterator usable: it continues where it stopped', () => {
      const m = s.make([[1, 'a'], [2, 'b'], [3, 'c']]);
      const it = m.keys();
      const seen: number[] = [];
      for (const k of it) {
        seen.push(k);
        break;
      }
      for (const k of it) seen.push(k);
      assert.deepEqual(sorted(seen), [1, 2, 3]);
    });

    test('mutation during iteration: deleted unvisited entries are skipped, each entry is seen once', () => {
      const m = s.make();
      for (let i = 0; i < 200; i++) m.set(i, i);
      const seen = new Set<number>();
      let added = 0;
      for (const [k] of m) {
        assert.ok(!seen.has(k), `seen ${k} twice`);
        seen.add(k);
        if (k < 200 && k % 2 === 0) m.delete(k + 1); // may or may not have been visited yet
        if (k < 50) {
          m.set(1000 + k, 0); // added during the iteration: may or may not be visited
          added++;
        }
      }
      for (let i = 0; i < 200; i += 2) assert.ok(seen.has(i), `entry ${i}, present throughout, was visited`);
      for (const k of seen) assert.ok(k < 200 || k >= 1000);
      assert.equal(m.size, 100 + added);
    });

    test('Symbol.toStringTag', () => {
      assert.equal(Object.prototype.toString.call(s.make()), `[object ${s.tag}]`);
    });

    test('constructor: arrays, generators, Maps, null and undefined', () => {
      assert.equal(s.make(null).size, 0);
      assert.equal(s.make([]).size, 0);
      assert.deepEqual(sorted(s.make([[1, 'a'], [1, 'b'], [2, 'c']]).entries()).map((e) => e.join(':')), ['1:b', '2:c']);
      function* gen(): Generator<[number, string]> {
        yield [1, 'x'];
        yield [2, 'y'];
      }
      assert.equal(s.make(gen()).get(2), 'y');
      assert.equal(s.make(new Map([[7, 'seven']])).get(7), 'seven');
      // An entry is any object: its [0] and [1] are read; missing ones are undefined.
      assert.equal(s.make([{ 0: 3, 1: 'obj', length: 2 } as unknown as [number, string]]).get(3), 'obj');
      const sparse = s.make([[4] as unknown as [number, string]]);
      assert.equal(sparse.has(4), true);
      assert.equal(sparse.get(4), undefined);
    });

    if (s.anyKeys) {
      test('keys of every type, SameValueZero; objects, functions and symbols by identity', () => {
        const m = s.make() as unknown as Map<unknown, unknown>;
        const o = {};
        const f = (): void => {};
        const sym = Symbol('s');
        const keys: unknown[] = [1, '1', 1n, true, null, undefined, o, f, sym, Symbol.for('s'), NaN, 0, 'x'.repeat(50), 2n ** 80n, [], 0.5];
        keys.forEach((k, i) => m.set(k, i));
        assert.equal(m.size, keys.length);
        keys.forEach((k, i) => assert.equal(m.get(k), i));
        assert.equal(m.get(-0), keys.indexOf(0));
        assert.equal(m.get({}), undefined, 'another object is another key');
        assert.equal(m.get(Symbol('s')), undefined, 'another Symbol() is another key');
        assert.equal(m.get(Symbol.for('s')), keys.indexOf(Symbol.for('s')), 'Symbol.for gives the same symbol');
        assert.equal(m.get(BigInt(2) ** 80n), keys.indexOf(2n ** 80n), 'bigints by value');
        assert.equal(m.get('x'.repeat(50)), keys.indexOf('x'.repeat(50)), 'strings by value');
        const back = new Set(m.keys());
        for (const k of keys) assert.ok(back.has(k));
        for (const k of keys) assert.equal(m.delete(k), true);
        assert.equal(m.size, 0);
      });

      test('constructor with no argument, undefined or null: an empty map', () => {
        for (const e of [undefined, null]) {
          const m = s.make(e);
          assert.equal(m.size, 0);
          m.set(1, 1);
          assert.equal(m.get(1), 1);
        }
      });
    }

    test('constructor errors: a non-iterable, a non-object entry; the source iterator is closed', () => {
      assert.throws(() => s.make(42 as never), TypeError);
      assert.throws(() => s.make({} as never), TypeError);
      assert.throws(() => s.make([1 as never]), TypeError);
      assert.throws(() => s.make(['ab' as never]), TypeError, 'a string is not an entry object');
      let closed = false;
      function* gen(): Generator<unknown> {
        try {
          yield [1, 'a'];
          yield 5;
          yield [2, 'b'];
        } finally {
          closed = true;
        }
      }
      assert.throws(() => s.make(gen() as never), TypeError);
      assert.equal(closed, true);
    });
  });
}

describe('HashMap constructor with entries: kinds are checked', () => {
  test('a key outside its kind throws; options are still validated', () => {
    assert.throws(() => new HashMap([[1.5, 1]], { key: 'int32', value: 'int32' }), RangeError);
    assert.throws(() => new HashMap([[1, 'x' as unknown as number]], { key: 'int32', value: 'int32' }), TypeError);
    assert.throws(() => new HashMap([[1, 1]], { key: 'int33' as 'int32', value: 'int32' }), TypeError);
    const m = new HashMap([[1, 2], [3, 4]], { key: 'int32', value: 'int32', capacity: 100 });
    assert.equal(m.get(3), 4);
    assert.equal(m.stats().B, new HashMap({ key: 'int32', value: 'int32', capacity: 100 }).stats().B);
    m.verify();
  });
});
