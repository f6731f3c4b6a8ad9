// Upsert and batch operations (getOrInsert, getOrInsertComputed, update, increment, deleteIf): model-based
// tests against native Map with the same operations written out in plain Map code, verify() after every step;
// then the edges: bad input and throwing callbacks leave the map unchanged, overflow, callbacks that use the map.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashMap } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMap = HashMap<any, any>;

type Op =
  | { t: 'getOrInsert'; k: number; v: number }
  | { t: 'getOrInsertComputed'; k: number; v: number }
  | { t: 'update'; k: number; add: number }
  | { t: 'increment'; k: number; d: number | undefined }
  | { t: 'deleteIf'; mod: number; rem: number }
  | { t: 'set'; k: number; v: number }
  | { t: 'delete'; k: number };

const keyArb = fc.integer({ min: -30, max: 30 });
const smallInt = fc.integer({ min: -1000, max: 1000 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('getOrInsert' as const), k: keyArb, v: smallInt }),
  fc.record({ t: fc.constant('getOrInsertComputed' as const), k: keyArb, v: smallInt }),
  fc.record({ t: fc.constant('update' as const), k: keyArb, add: smallInt }),
  fc.record({ t: fc.constant('increment' as const), k: keyArb, d: fc.option(smallInt, { nil: undefined }) }),
  fc.record({ t: fc.constant('deleteIf' as const), mod: fc.integer({ min: 2, max: 7 }), rem: fc.nat({ max: 6 }) }),
  fc.record({ t: fc.constant('set' as const), k: keyArb, v: smallInt }),
  fc.record({ t: fc.constant('delete' as const), k: keyArb }),
);

/** The operation on a native Map, written the way Map users do it today. */
function onMap(m: Map<number, number>, op: Op, toV: (x: number) => number | bigint): unknown {
  switch (op.t) {
    case 'getOrInsert':
    case 'getOrInsertComputed': {
      if (!m.has(op.k)) m.set(op.k, toV(op.v) as number);
      return m.get(op.k);
    }
    case 'update': {
      const old = m.get(op.k);
      const v = (old === undefined ? toV(op.add) : (old as never) + (toV(op.add) as never)) as number;
      m.set(op.k, v);
      return v;
    }
    case 'increment': {
      const v = ((m.get(op.k) ?? toV(0)) as never) + (toV(op.d ?? 1) as never);
      m.set(op.k, v);
      return v;
    }
    case 'deleteIf': {
      let n = 0;
      for (const [k] of m) if (((k % op.mod) + op.mod) % op.mod === op.rem % op.mod && m.delete(k)) n++;
      return n;
    }
    case 'set':
      m.set(op.k, toV(op.v) as number);
      return undefined;
    case 'delete':
      return m.delete(op.k);
  }
}

function onHmap(m: AnyMap, op: Op, toV: (x: number) => number | bigint): unknown {
  switch (op.t) {
    case 'getOrInsert':
      return m.getOrInsert(op.k, toV(op.v));
    case 'getOrInsertComputed':
      return m.getOrInsertComputed(op.k, (k: number) => {
        assert.equal(k, op.k);
        return toV(op.v);
      });
    case 'update':
      return m.update(op.k, (old: unknown, k: number) => {
        assert.equal(k, op.k);
        return old === undefined ? toV(op.add) : (old as never) + (toV(op.add) as never);
      });
    case 'increment':
      return op.d === undefined ? m.increment(op.k) : m.increment(op.k, toV(op.d));
    case 'deleteIf':
      return m.deleteIf((_v: unknown, k: number) => ((k % op.mod) + op.mod) % op.mod === op.rem % op.mod);
    case 'set':
      m.set(op.k, toV(op.v));
      return undefined;
    case 'delete':
      return m.delete(op.k);
  }
}

function sameContents(m: AnyMap, model: Map<number, unknown>): void {
  assert.equal(m.size, model.size);
  for (const [k, v] of model) assert.ok(Object.is(m.get(k), v), `key ${k}: ${m.get(k)} vs ${v}`);
  let n = 0;
  for (const [k, v] of m) {
    assert.ok(Object.is(model.get(k), v));
    n++;
  }
  assert.equal(n, model.size);
}

describe('upsert operations against the Map model', () => {
  for (const value of ['int32', 'float64', 'bigint64', 'any'] as const) {
    const toV = value === 'bigint64' ? (x: number) => BigInt(x) : (x: number) => x;
    test(`int32 keys -> ${value} values, tiny tables, verify() after every step`, () => {
      fc.assert(
        fc.property(
          fc.array(opArb, { minLength: 1, maxLength: 200, size: 'max' }),
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          fc.constantFrom(0, 1, 9),
          (ops, seed, capacity) => {
            const m = new HashMap({ key: 'int32', value, seed, capacity }) as AnyMap;
            const model = new Map<number, number>();
            for (const op of ops) {
              if (op.t === 'increment' && value === 'any') {
                assert.throws(() => m.increment(op.k), TypeError);
                continue;
              }
              const got = onHmap(m, op, toV);
              const want = onMap(model, op, toV);
              assert.ok(Object.is(got, want), `${JSON.stringify(op)}: ${String(got)} vs ${String(want)}`);
              m.verify();
              sameContents(m, model);
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

function snapshot(m: AnyMap): Array<[unknown, unknown]> {
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('upsert edges', () => {
  test('getOrInsert: one insert, existing values kept, the map returned value is the stored one', () => {
    const m = new HashMap({ key: 'int32', value: 'float64' });
    assert.equal(m.getOrInsert(1, 0.5), 0.5);
    assert.equal(m.getOrInsert(1, 9), 0.5);
    assert.equal(m.size, 1);
    assert.ok(Object.is(m.getOrInsert(2, -0), -0));
    assert.ok(Object.is(m.get(2), -0));
  });

  test('getOrInsert checks key and value even for a present key, and changes nothing on error', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    m.set(1, 10);
    const before = snapshot(m);
    assert.throws(() => m.getOrInsert(1, 1.5), RangeError);
    assert.throws(() => m.getOrInsert(2, 1.5), RangeError);
    assert.throws(() => m.getOrInsert(2 ** 31, 1), RangeError);
    assert.throws(() => m.getOrInsert('3' as unknown as number, 1), TypeError);
    assert.deepEqual(snapshot(m), before);
  });

  test('getOrInsertComputed calls the callback only for an absent key; a throw or bad result inserts nothing', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    let calls = 0;
    assert.equal(m.getOrInsertComputed(5, (k) => (calls++, k * 2)), 10);
    assert.equal(m.getOrInsertComputed(5, () => (calls++, 99)), 10);
    assert.equal(calls, 1);
    assert.throws(() => m.getOrInsertComputed(6, () => { throw new Error('boom'); }), /boom/);
    assert.throws(() => m.getOrInsertComputed(6, () => 0.5), RangeError);
    assert.throws(() => m.getOrInsertComputed(6, 42 as unknown as () => number), TypeError);
    assert.equal(m.has(6), false);
    assert.equal(m.size, 1);
    m.verify();
  });

  test('getOrInsertComputed: a callback that fills the map past a growth, or inserts the key itself', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', seed: 1 });
    const v = m.getOrInsertComputed(-1, () => {
      for (let i = 0; i < 500; i++) m.set(i, i);
      return 7;
    });
    assert.equal(v, 7);
    assert.equal(m.get(-1), 7);
    assert.equal(m.size, 501);
    const w = m.getOrInsertComputed(-2, () => {
      m.set(-2, 1);
      return 2;
    });
    assert.equal(w, 2); // as in the proposal: the callback's result is stored afterwards
    assert.equal(m.get(-2), 2);
    assert.equal(m.size, 502);
    m.verify();
  });

  test('update: absent keys see undefined; a throwing or bad updater changes nothing', () => {
    const m = new HashMap({ key: 'uint32', value: 'uint32' });
    assert.equal(m.update(3, (v) => (v === undefined ? 1 : v + 1)), 1);
    assert.equal(m.update(3, (v) => (v === undefined ? 1 : v + 1)), 2);
    const before = snapshot(m);
    assert.throws(() => m.update(3, () => -1), RangeError);
    assert.throws(() => m.update(4, () => { throw new Error('no'); }), /no/);
    assert.throws(() => m.update(4, null as unknown as () => number), TypeError);
    assert.deepEqual(snapshot(m), before);
  });

  test('update: an updater that deletes the key or clears the map still stores its result', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    for (let i = 0; i < 100; i++) m.set(i, i);
    assert.equal(m.update(50, (v) => { m.clear(); return v! + 1; }), 51);
    assert.deepEqual(snapshot(m), [[50, 51]]);
    m.verify();
  });

  test('increment: counters, default delta, negative delta, float and bigint values', () => {
    const c = new HashMap({ key: 'int32', value: 'int32' });
    assert.equal(c.increment(1), 1);
    assert.equal(c.increment(1), 2);
    assert.equal(c.increment(1, -5), -3);
    assert.equal(c.increment(2, 10), 10);
    const f = new HashMap({ key: 'float64', value: 'float64' });
    assert.equal(f.increment(NaN, 0.25), 0.25);
    assert.equal(f.increment(NaN, 0.5), 0.75);
    const b = new HashMap({ key: 'bigint64', value: 'bigint64' });
    assert.equal(b.increment(1n), 1n);
    assert.equal(b.increment(1n, 2n ** 40n), 2n ** 40n + 1n);
  });

  test('increment: overflow and wrong delta types throw and change nothing', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    m.set(1, 2 ** 31 - 1);
    const before = snapshot(m);
    assert.throws(() => m.increment(1), (e: unknown) => e instanceof RangeError && /int32/.test(e.message));
    assert.throws(() => m.increment(2, 0.5), RangeError); // absent key: 0 + 0.5 is no int32, nothing inserted
    assert.throws(() => m.increment(1, 1n as unknown as number), TypeError);
    assert.throws(() => m.increment(1, '1' as unknown as number), TypeError);
    assert.deepEqual(snapshot(m), before);
    const u = new HashMap({ key: 'int32', value: 'uint32' });
    assert.throws(() => u.increment(1, -1), RangeError);
    assert.equal(u.size, 0);
    const b = new HashMap({ key: 'int32', value: 'bigint64' });
    b.set(1, 2n ** 63n - 1n);
    assert.throws(() => b.increment(1), RangeError);
    assert.throws(() => b.increment(1, 1 as unknown as bigint), TypeError);
    assert.equal(b.get(1), 2n ** 63n - 1n);
    const a = new HashMap({ key: 'int32', value: 'any' });
    assert.throws(() => a.increment(1), (e: unknown) => e instanceof TypeError && /numeric value kind/.test(e.message));
    assert.equal(a.size, 0);
  });

  test("increment(key) of string keys with int32 values (the counter path): counts, overflow, across growths", () => {
    const m = new HashMap({ key: 'string', value: 'int32', seed: 3 });
    const model = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const w = `w${(i * 7919) % 613}`;
      const want = (model.get(w) ?? 0) + 1;
      model.set(w, want);
      assert.equal(m.increment(w), want);
      if (i % 97 === 0) m.verify();
    }
    assert.deepEqual(new Map(m), model);
    m.set('max', 2 ** 31 - 1);
    const before = snapshot(m);
    assert.throws(() => m.increment('max'), (e: unknown) => e instanceof RangeError && /int32/.test(e.message));
    assert.deepEqual(snapshot(m), before);
    assert.equal(m.increment('', 5), 5); // a delta: the general path
    assert.equal(m.increment(''), 6);
    m.verify();
  });

  test('increment during growth writes the entry where it lives (old or new table)', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', seed: 3 });
    const model = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const k = (i * 7919) % 1500;
      assert.equal(m.increment(k, 2), (model.get(k) ?? 0) + 2);
      model.set(k, (model.get(k) ?? 0) + 2);
      if (i % 97 === 0) m.verify();
    }
    assert.deepEqual(snapshot(m), [...model].sort((a, b) => a[0] - b[0]));
  });

  test('deleteIf: counts, leaves the rest, works across a growth and with a predicate that mutates', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', seed: 9 });
    for (let i = 0; i < 3000; i++) m.set(i, i);
    assert.equal(m.deleteIf((v) => v % 3 === 0), 1000);
    assert.equal(m.size, 2000);
    for (const [k] of m) assert.notEqual(k % 3, 0);
    // The predicate inserts new keys (≡ 2 mod 3, so it keeps them) and the map grows under the pass: every
    // key present for the whole pass is still seen exactly once.
    let n = 0;
    const deleted = m.deleteIf((_v, k) => {
      if (n++ < 50) for (let j = 0; j < 20; j++) m.set(300_002 + 3 * (n * 20 + j), 0);
      return k % 3 === 1;
    });
    assert.equal(deleted, 1000);
    assert.equal(m.size, 2000);
    for (const [k] of m) assert.equal(k % 3, 2);
    m.verify();
    assert.throws(() => m.deleteIf(undefined as unknown as () => boolean), TypeError);
    assert.equal(new HashMap({ key: 'int32', value: 'int32' }).deleteIf(() => true), 0);
  });

  test('a throwing predicate stops deleteIf; deletions before it stay done', () => {
    const m = new HashMap({ key: 'int32', value: 'int32' });
    for (let i = 0; i < 100; i++) m.set(i, i);
    let seen = 0;
    assert.throws(() => m.deleteIf(() => { if (++seen === 10) throw new Error('stop'); return true; }), /stop/);
    assert.equal(m.size, 91);
    m.verify();
  });
});

describe('increment helps a running growth (regression)', () => {
  // increment() of a present key skipped growWork (found on string keys by the word-count benchmark; the same
  // gap was in the numeric and 'any' key paths): a map whose keys are only incremented after a doubling kept
  // its old table forever. Go's mapassign helps the growth on every assignment, updates included.
  for (const key of ['int32', 'float64', 'any'] as const) {
    test(`${key} keys: only incrementing present keys still finishes the growth and drops the old table`, () => {
      const m = new HashMap({ key, value: 'int32', seed: 7 }) as HashMap<unknown, number>;
      const k = (i: number): unknown => (key === 'float64' ? i + 0.5 : i);
      const n = Math.floor(6.5 * 2 ** 8) + 1; // one past the doubling to 2^9 buckets
      for (let i = 0; i < n; i++) m.increment(k(i));
      assert.equal(m.stats().growing, true);
      const grownBytes = m.stats().bytes;
      for (let r = 0; r < 4; r++) for (let i = 0; i < n; i++) m.increment(k(i));
      m.verify();
      assert.equal(m.stats().growing, false, 'the growth finished');
      assert.ok(m.stats().bytes < grownBytes, 'the old table was dropped');
      for (let i = 0; i < n; i++) assert.equal(m.get(k(i)), 5);
    });
  }
});
