// Targeted tests of the table's paths: doubling, incremental evacuation (X and Y halves), same-size growth,
// emptyRest on delete, iteration across growth, re-seeding, capacity, 'all-at-once' growth, the overflow spill,
// and a table with more than 2^16 buckets. Where stats() cannot see a path, the test reads the raw table through
// the map's internal header `_h`. Tests only read internals, except where one sets the overflow counter to force
// the same-size trigger (say so where it happens).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HashMap } from '../src/index.js';
import type { HashMapStats } from '../src/index.js';
import { hash1 } from '../src/hash.js';
import { Slot as State } from '../src/table/layout.js';

const { emptyOne, emptyRest, evacuatedEmpty, evacuatedX, evacuatedY, minTopHash, overflowLink } = {
  emptyOne: State.emptyOne,
  emptyRest: State.emptyRest,
  evacuatedEmpty: State.evacuatedEmpty,
  evacuatedX: State.evacuatedX,
  evacuatedY: State.evacuatedY,
  minTopHash: State.minTopHash,
  overflowLink: State.overflowLink,
};

type IntMap = HashMap<number, number>;

// ---------------------------------------------------------------------------------------------------------------
// Read-only views of the internals

interface RawSeg {
  u8: Uint8Array;
  i32: Int32Array;
}
interface RawTable {
  B: number;
  nb: number;
  novf: number;
  layout: { bw: number; kw: number; linkOff: number };
  seg(gid: number): RawSeg;
  local(gid: number): number;
}
interface RawHmap {
  seed: number;
  count: number;
  B: number;
  buckets: RawTable;
  oldbuckets: RawTable | null;
  doublings: number;
  sameSizeGrowths: number;
  noverflow: number;
}

function raw(m: object): RawHmap {
  return (m as unknown as { _h: RawHmap })._h;
}

/** Tophash bytes of bucket gid as a string: R emptyRest, O emptyOne, K link, X/Y/E evacuated, L live. */
function slotStates(t: RawTable, gid: number): string {
  const u8 = t.seg(gid).u8;
  const base = t.local(gid) * t.layout.bw * 4;
  let s = '';
  for (let i = 0; i < 8; i++) {
    const top = u8[base + i]!;
    s +=
      top === emptyRest ? 'R'
      : top === emptyOne ? 'O'
      : top === overflowLink ? 'K'
      : top === evacuatedX ? 'X'
      : top === evacuatedY ? 'Y'
      : top === evacuatedEmpty ? 'E'
      : top >= minTopHash ? 'L'
      : '?';
  }
  return s;
}

/** The int32 key stored in slot i of bucket gid (one-word keys only). */
function keyAt(t: RawTable, gid: number, i: number): number {
  assert.equal(t.layout.kw, 1);
  return t.seg(gid).i32[t.local(gid) * t.layout.bw + 2 + i]!;
}

/** Bucket ids of main bucket b's chain. */
function chainIds(t: RawTable, b: number): number[] {
  const ids = [b];
  for (let gid = b; ; ) {
    const u8 = t.seg(gid).u8;
    if (u8[t.local(gid) * t.layout.bw * 4 + 7] !== overflowLink) return ids;
    gid = t.seg(gid).i32[t.local(gid) * t.layout.bw + t.layout.linkOff]!;
    ids.push(gid);
  }
}

interface Slot {
  state: string;
  key: number;
}

/** Slots of main bucket b's chain (link slots excluded), with their state letter and int32 key. */
function chainSlots(t: RawTable, b: number): Slot[] {
  const out: Slot[] = [];
  for (const gid of chainIds(t, b)) {
    const states = slotStates(t, gid);
    for (let i = 0; i < 8; i++) if (states[i] !== 'K') out.push({ state: states[i]!, key: keyAt(t, gid, i) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** Deterministic xorshift32, so key streams are reproducible. */
function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** First `n` int32 keys, scanning from `from`, whose hash lands in bucket `bucket` of a 2^B table. */
function collidingKeys(seed: number, B: number, bucket: number, n: number, from = 1): number[] {
  const out: number[] = [];
  const mask = 2 ** B - 1;
  for (let k = from; out.length < n; k++) if ((hash1(k, seed) & mask) === bucket) out.push(k);
  return out;
}

/** Bytes of one bucket for one-word keys and values (the layout's documented 72 bytes for int32 -> int32). */
const int32BucketBytes = 4 * (2 + 8 + 8);

/**
 * Checks one iteration over an int32 -> int32 map whose contents are mirrored in `model`, with mutations between
 * steps. Deleted keys must never be re-inserted while it runs (so duplicates are always errors).
 */
class IterationCheck {
  readonly start: Map<number, number>;
  readonly returned = new Set<number>();
  readonly deleted = new Set<number>();
  constructor(
    readonly m: IntMap,
    readonly model: Map<number, number>,
  ) {
    this.start = new Map(model);
  }
  entry(k: number, v: number): void {
    assert.ok(!this.returned.has(k), `key ${k} returned twice`);
    assert.ok(this.model.has(k), `key ${k} returned but not in the map${this.deleted.has(k) ? ' (deleted before it was reached)' : ''}`);
    assert.equal(v, this.model.get(k), `key ${k} returned with a stale value`);
    this.returned.add(k);
  }
  set(k: number, v: number): void {
    assert.ok(!this.deleted.has(k), 'test bug: re-inserting a deleted key');
    this.m.set(k, v);
    this.model.set(k, v);
  }
  delete(k: number): void {
    assert.equal(this.m.delete(k), true, `delete(${k})`);
    this.model.delete(k);
    this.deleted.add(k);
  }
  finish(): void {
    for (const k of this.start.keys()) {
      if (!this.deleted.has(k)) assert.ok(this.returned.has(k), `key ${k}, present throughout, was not returned`);
    }
  }
}

function newIntMap(opts: Record<string, unknown> = {}): IntMap {
  return new HashMap({ key: 'int32', value: 'int32', ...opts }) as IntMap;
}

// ---------------------------------------------------------------------------------------------------------------

describe('doubling', () => {
  for (const growth of ['incremental', 'all-at-once'] as const) {
    for (const loadFactor of [6.5, 1, 0.5, 3.25]) {
      test(`B grows when count exceeds max(8, ${loadFactor} * 2^B), never early or late (${growth})`, () => {
        const m = newIntMap({ seed: 99, loadFactor, growth });
        const r = rng(5);
        const changes: number[] = [];
        for (let n = 1; n <= 3000; n++) {
          const before = m.stats();
          let k: number;
          do k = r() | 0;
          while (m.has(k));
          m.set(k, n);
          const s = m.stats();
          // Never early: B only grows when n is over the load factor of the B it grows from. A set() that completes
          // a growth (all-at-once, at most 2 old buckets, or the last old buckets) may start the next one, so B can
          // rise by more than one in a single call.
          const over = (B: number): boolean => n > 8 && n > loadFactor * 2 ** B;
          assert.ok(s.B >= before.B);
          if (s.B > before.B) assert.ok(over(s.B - 1), `key #${n} doubled to B=${s.B} without being over the load factor`);
          // Never late: a map that is not growing after an insert is not over its load factor.
          if (!s.growing) assert.ok(!over(s.B), `key #${n}: not growing, but ${n} entries exceed 2^${s.B} buckets`);
          if (growth === 'all-at-once') {
            // Always the smallest B that fits.
            assert.ok(s.B === 0 || over(s.B - 1), `key #${n}: B=${s.B} is larger than needed`);
          }
          const doubled = s.B > before.B;
          assert.equal(s.count, n);
          assert.equal(s.buckets, 2 ** s.B);
          assert.equal(s.sameSizeGrow, false, 'inserts alone never need a same-size growth');
          if (doubled) {
            changes.push(n);
            if (growth === 'all-at-once' || s.buckets <= 4) {
              // One or two old buckets are evacuated by the growing write itself.
              assert.equal(s.growing, false);
            } else {
              assert.equal(s.growing, true);
              assert.equal(s.oldBuckets, s.buckets / 2);
              assert.ok(s.evacuated >= 1 && s.evacuated <= 2, `evacuated ${s.evacuated} by the growing write`);
              assert.ok(s.bytes >= (s.buckets + s.oldBuckets) * int32BucketBytes);
            }
          }
          if (growth === 'all-at-once') assert.equal(s.growing, false);
          if (n % 250 === 0) m.verify();
        }
        m.verify();
        assert.equal(raw(m).sameSizeGrowths, 0);
        assert.equal(raw(m).doublings, m.stats().B);
        if (loadFactor === 6.5) {
          // Go's thresholds: 8 entries in one bucket, then 6.5 * 2^B.
          assert.deepEqual(changes, [9, 14, 27, 53, 105, 209, 417, 833, 1665]);
        }
      });
    }
  }

  for (const fromB of [5, 9]) {
    test(`each write evacuates one or two old buckets, reads none; a 2^${fromB}-bucket growth ends within 2^${fromB} writes`, () => {
      const m = newIntMap({ seed: 4242 });
      const r = rng(fromB);
      const keys: number[] = [];
      const model = new Map<number, number>();
      const fresh = (): number => {
        let k: number;
        do k = r() | 0;
        while (model.has(k));
        return k;
      };
      while (!(m.stats().growing && m.stats().oldBuckets === 2 ** fromB)) {
        assert.ok(keys.length < 100000, 'the expected doubling never started');
        const k = fresh();
        m.set(k, k);
        model.set(k, k);
        keys.push(k);
        assert.ok(keys.length < 100000);
      }
      assert.equal(m.stats().B, fromB + 1);
      const it = m.keys();
      let writes = 1; // the write that started the growth
      let op = 0;
      let prev: HashMapStats = m.stats();
      while (prev.growing) {
        assert.ok(op < 2 ** (fromB + 4), 'the growth does not end');
        const kind = op++ % 8;
        const isRead = kind >= 5;
        if (kind === 0) {
          const k = fresh();
          m.set(k, 1);
          model.set(k, 1);
          keys.push(k);
        } else if (kind === 1) {
          const k = keys[r() % keys.length]!; // present, or deleted earlier (then re-inserted)
          m.set(k, 2);
          model.set(k, 2);
        } else if (kind === 2) {
          const k = keys[r() % keys.length]!;
          assert.equal(m.delete(k), model.delete(k));
        } else if (kind === 3) {
          assert.equal(m.delete(fresh()), false);
        } else if (kind === 4) {
          m.set(keys[0]!, 3); // the same key every time: its old bucket was evacuated long ago
          model.set(keys[0]!, 3);
        } else if (kind === 5) {
          const k = keys[r() % keys.length]!;
          assert.equal(m.get(k), model.get(k));
        } else if (kind === 6) {
          assert.equal(m.has(fresh()), false);
        } else {
          it.next();
          m.stats();
        }
        const s = m.stats();
        if (isRead) {
          assert.deepEqual(s, prev, 'a read must not change the table');
        } else {
          writes++;
          const delta = (s.growing ? s.evacuated : prev.oldBuckets) - prev.evacuated;
          assert.ok(delta >= 1 && delta <= 2, `write #${writes} (op kind ${kind}) evacuated ${delta} old buckets`);
          assert.equal(s.B, fromB + 1);
        }
        m.verify();
        prev = s;
      }
      assert.ok(writes <= 2 ** fromB, `growth took ${writes} writes`);
      assert.equal(m.stats().oldBuckets, 0);
      assert.equal(m.stats().evacuated, 0);
      for (const [k, v] of model) assert.equal(m.get(k), v);
      assert.equal(m.size, model.size);
    });
  }

  test("'all-at-once' never leaves the map growing, through doublings and same-size growths", () => {
    const check = (m: IntMap, model: Map<number, number>, op: number): void => {
      const s = m.stats();
      assert.equal(s.growing, false, `growing after op ${op}`);
      assert.equal(s.sameSizeGrow, false);
      assert.equal(s.oldBuckets, 0);
      assert.equal(s.evacuated, 0);
      assert.equal(s.count, model.size);
      if (op % 100 === 0) m.verify();
    };
    // Doublings: inserts only.
    const m = newIntMap({ seed: 77, growth: 'all-at-once' });
    const model = new Map<number, number>();
    const r = rng(77);
    const fresh = (): number => {
      let k: number;
      do k = r() | 0;
      while (model.has(k));
      return k;
    };
    for (let i = 0; i < 3000; i++) {
      const k = fresh();
      m.set(k, i);
      model.set(k, i);
      check(m, model, i);
    }
    assert.equal(raw(m).doublings, 9);
    // Same-size growths: delete/insert churn at a steady size of 100 entries in 16 buckets.
    const c = newIntMap({ seed: 78, growth: 'all-at-once' });
    const cmodel = new Map<number, number>();
    const keys: number[] = [];
    for (let i = 0; i < 100; i++) {
      const k = fresh();
      c.set(k, i);
      cmodel.set(k, i);
      keys.push(k);
    }
    for (let i = 0; i < 6000; i++) {
      const j = r() % keys.length;
      c.delete(keys[j]!);
      cmodel.delete(keys[j]!);
      check(c, cmodel, 2 * i);
      const k = fresh();
      c.set(k, i);
      cmodel.set(k, i);
      keys[j] = k;
      check(c, cmodel, 2 * i + 1);
      assert.equal(c.stats().B, 4);
    }
    c.verify();
    assert.ok(raw(c).sameSizeGrowths >= 2, `same-size growths: ${raw(c).sameSizeGrowths}`);
    for (const [mm, mo] of [[m, model], [c, cmodel]] as const) {
      for (const [k, v] of mo) assert.equal(mm.get(k), v);
      assert.equal(mm.size, mo.size);
    }
  });
});

describe('same-size growth', () => {
  for (const seed of [1, 2, 3]) {
    test(`delete/insert churn at a steady size triggers it, B stays, overflow shrinks (seed ${seed})`, () => {
      const m = newIntMap({ seed });
      const r = rng(seed * 7 + 1);
      const keys: number[] = [];
      const model = new Map<number, number>();
      while (keys.length < 100) {
        const k = r() | 0;
        if (model.has(k)) continue;
        m.set(k, k);
        model.set(k, k);
        keys.push(k);
      }
      const B = m.stats().B;
      assert.equal(B, 4);
      let startedAt = -1;
      let overflowAtStart = 0;
      let ops = 0;
      for (; ops < 50000; ops++) {
        const i = r() % keys.length;
        m.delete(keys[i]!);
        model.delete(keys[i]!);
        let k: number;
        do k = r() | 0;
        while (model.has(k));
        const before = m.stats();
        m.set(k, ops);
        model.set(k, ops);
        keys[i] = k;
        const s = m.stats();
        assert.equal(s.B, B, 'a same-size growth keeps B');
        assert.equal(s.count, 100);
        if (startedAt < 0 && s.growing) {
          assert.equal(s.sameSizeGrow, true);
          assert.equal(s.oldBuckets, s.buckets);
          // The trigger: as many overflow buckets as main buckets.
          assert.ok(before.overflowBuckets >= 2 ** B, `started with ${before.overflowBuckets} overflow buckets`);
          startedAt = ops;
          overflowAtStart = before.overflowBuckets;
        }
        if (startedAt >= 0) {
          m.verify();
          if (!s.growing) break;
          assert.equal(s.sameSizeGrow, true);
        }
      }
      assert.ok(startedAt >= 0, 'no same-size growth in 50000 churn operations');
      const s = m.stats();
      assert.equal(s.growing, false);
      assert.equal(s.sameSizeGrow, false);
      assert.ok(ops - startedAt <= 2 ** B, `the same-size growth took ${ops - startedAt} writes`);
      assert.ok(s.overflowBuckets < overflowAtStart, `overflow buckets ${overflowAtStart} -> ${s.overflowBuckets}`);
      assert.equal(raw(m).doublings, 4);
      assert.equal(raw(m).sameSizeGrowths, 1);
      for (const [k, v] of model) assert.equal(m.get(k), v);
    });
  }
});

describe('the one-word insert fast path (mapassignFast32)', () => {
  // The fast path inserts into a main bucket with a free slot and no chain; it must still start the growths
  // Go's mapassign starts on a new key, and only on a new key. Sets the overflow counter to force the trigger.
  for (const key of ['int32', 'uint32'] as const) {
    test(`${key}: a new key starts a same-size growth at the overflow trigger even with room in its bucket`, () => {
      const m = new HashMap({ key, value: 'int32', capacity: 1000, seed: 5 });
      for (let k = 0; k < 10; k++) m.set(k, k);
      assert.equal(m.stats().overflowBuckets, 0);
      raw(m).noverflow = 1 << 24;
      m.set(3, 33); // an update: no growth
      assert.equal(m.stats().growing, false, 'an update must not start a growth');
      m.set(10, 10);
      const s = m.stats();
      assert.equal(s.growing, true, 'a new key at the overflow trigger must start a growth');
      assert.equal(s.sameSizeGrow, true);
      m.verify();
      for (let k = 0; k <= 10; k++) assert.equal(m.get(k), k === 3 ? 33 : k);
    });

    test(`${key}: while a doubling runs, new keys help it and start no other growth, even at the overflow trigger`, () => {
      const m = new HashMap({ key, value: 'int32', seed: 11, capacity: 1000 });
      let k = 0;
      while (!m.stats().growing) m.set(k, k++);
      const start = m.stats();
      assert.equal(start.sameSizeGrow, false);
      const counted = raw(m).noverflow;
      raw(m).noverflow = 1 << 24; // forced: the same-size trigger is met from here on
      // Go starts no growth while one runs; a growth that ends inside a write may be followed by the next one.
      for (let j = 0; j < 8; j++) {
        const before = m.stats().evacuated;
        m.set(k, k++);
        const s = m.stats();
        assert.equal(s.growing, true);
        assert.equal(s.sameSizeGrow, false, `write ${j} started a same-size growth during the doubling`);
        assert.equal(s.oldBuckets, start.oldBuckets);
        assert.ok(s.evacuated >= before);
      }
      raw(m).noverflow = counted + (raw(m).noverflow - (1 << 24)); // back to the true count, for verify()
      m.verify();
      for (let j = 0; j < k; j++) assert.equal(m.get(j), j);
    });

    test(`${key}: the new key over the load factor starts a doubling, one before does not`, () => {
      const m = new HashMap({ key, value: 'int32', seed: 9 });
      // count > 6.5 * 2^B doubles: with B = 2 the 27th key does.
      for (let k = 0; k < 26; k++) m.set(k, k);
      assert.equal(m.stats().B, 2);
      assert.equal(m.stats().growing, false);
      m.set(0, -1); // update at the threshold: no growth
      assert.equal(m.stats().growing, false);
      m.set(26, 26);
      assert.equal(m.stats().B, 3);
      m.verify();
      assert.equal(m.get(0), -1);
      assert.equal(m.size, 27);
    });
  }
});

describe('evacuation', () => {
  test('a doubling splits each old chain into X (same index) and Y (index + old size) by hash bit', () => {
    const seed = 31337;
    const m = newIntMap({ seed });
    let n = 0;
    const keyOf = (i: number): number => Math.imul(i, 0x9e3779b1); // odd multiplier: distinct int32 keys
    while (!(m.stats().growing && m.stats().oldBuckets === 16)) {
      assert.ok(n < 10000, 'the expected doubling never started');
      m.set(keyOf(n), n);
      n++;
    }
    const keys = Array.from({ length: n }, (_, i) => keyOf(i));
    assert.equal(new Set(keys).size, n);
    // The key whose set() started the growth went straight into the new table; every other one was in the old.
    const direct = keyOf(n - 1);
    const old = raw(m).oldbuckets!;
    const oldnb = old.nb;
    assert.equal(oldnb, 16);
    // Finish the growth with updates only, so every old entry is moved by evacuation.
    for (let i = 0; m.stats().growing; i++) {
      assert.ok(i < 10000, 'the growth does not end');
      m.set(keys[i % n]!, -i);
    }
    m.verify();
    const t = raw(m).buckets;
    assert.equal(t.nb, 2 * oldnb);
    let xs = 0;
    let ys = 0;
    for (let b = 0; b < oldnb; b++) {
      const slots: Slot[] = chainSlots(old, b);
      const moved: Slot[] = slots.filter((s) => s.state === 'X' || s.state === 'Y');
      for (const s of slots) assert.ok('XYE'.includes(s.state), `old bucket ${b} has a slot in state ${s.state}`);
      for (const s of moved) {
        const h = hash1(s.key, seed);
        assert.equal(h & (oldnb - 1), b, `key ${s.key} was in old bucket ${b}`);
        assert.equal(s.state, (h & oldnb) !== 0 ? 'Y' : 'X', `key ${s.key}: hash bit ${oldnb} decides X or Y`);
        assert.ok(m.has(s.key));
      }
      const liveX: Slot[] = chainSlots(t, b).filter((s) => s.state === 'L' && s.key !== direct);
      const liveY: Slot[] = chainSlots(t, b + oldnb).filter((s) => s.state === 'L' && s.key !== direct);
      const byNumber = (a: number, c: number): number => a - c;
      assert.deepEqual(
        liveX.map((s) => s.key).sort(byNumber),
        moved.filter((s) => s.state === 'X').map((s) => s.key).sort(byNumber),
        `new bucket ${b} holds exactly old chain ${b}'s X entries`,
      );
      assert.deepEqual(
        liveY.map((s) => s.key).sort(byNumber),
        moved.filter((s) => s.state === 'Y').map((s) => s.key).sort(byNumber),
        `new bucket ${b + oldnb} holds exactly old chain ${b}'s Y entries`,
      );
      xs += liveX.length;
      ys += liveY.length;
    }
    assert.equal(xs + ys, n - 1);
    assert.equal(raw(m).count, n);
    assert.ok(xs > 10 && ys > 10, `X ${xs}, Y ${ys}: both halves of the new table got entries`);
    for (const k of keys) assert.ok(m.has(k));
  });
});

describe('delete and emptyRest', () => {
  test('deletes in one bucket: trailing runs become emptyRest, inner holes emptyOne', () => {
    const m = newIntMap({ seed: 5 });
    const k = [11, 22, 33, 44, 55, 66, 77, 88];
    for (const x of k) m.set(x, x);
    const t = raw(m).buckets;
    assert.equal(t.nb, 1);
    assert.equal(slotStates(t, 0), 'LLLLLLLL');
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => keyAt(t, 0, i)), k, 'keys fill slots in insertion order');
    const steps: [number, string][] = [
      [33, 'LLOLLLLL'],
      [88, 'LLOLLLLR'], // last slot: emptyRest
      [77, 'LLOLLLRR'],
      [44, 'LLOOLLRR'], // 55 still follows: emptyOne
      [66, 'LLOOLRRR'],
      [55, 'LLRRRRRR'], // the emptyOne run before the new emptyRest turns into emptyRest too
    ];
    for (const [key, states] of steps) {
      assert.equal(m.delete(key), true);
      m.verify();
      assert.equal(slotStates(t, 0), states, `after delete(${key})`);
    }
    assert.equal(m.get(11), 11);
    assert.equal(m.get(22), 22);
    for (const x of [33, 44, 55, 66, 77, 88]) assert.equal(m.has(x), false);
    m.set(99, 99);
    assert.equal(slotStates(t, 0), 'LLLRRRRR', 'an insert takes the first free slot');
    assert.equal(keyAt(t, 0, 2), 99);
    assert.equal(m.delete(11), true);
    assert.equal(slotStates(t, 0), 'OLLRRRRR');
    assert.equal(m.delete(99), true);
    assert.equal(slotStates(t, 0), 'OLRRRRRR');
    assert.equal(m.delete(22), true);
    assert.equal(slotStates(t, 0), 'RRRRRRRR');
    assert.equal(m.size, 0);
    m.verify();
  });

  test('emptyRest runs cross the link back into the previous bucket of the chain', () => {
    const seed = 12;
    const m = newIntMap({ seed, capacity: 13 });
    assert.equal(m.stats().B, 1);
    const c = collidingKeys(seed, 1, 0, 10);
    for (const x of c.slice(0, 9)) m.set(x, x);
    const s0 = m.stats();
    assert.equal(s0.B, 1);
    assert.equal(s0.growing, false);
    assert.equal(s0.overflowBuckets, 1);
    const t = raw(m).buckets;
    const [main, ovf] = chainIds(t, 0) as [number, number];
    assert.equal(chainIds(t, 0).length, 2);
    // The spill: slot 7's entry moved to slot 0 of the overflow bucket, slot 7 became the link.
    assert.equal(slotStates(t, main), 'LLLLLLLK');
    assert.equal(slotStates(t, ovf), 'LLRRRRRR');
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => keyAt(t, main, i)), c.slice(0, 7));
    assert.deepEqual([keyAt(t, ovf, 0), keyAt(t, ovf, 1)], [c[7], c[8]]);
    const steps: [number, string, string][] = [
      [c[8]!, 'LLLLLLLK', 'LRRRRRRR'],
      [c[5]!, 'LLLLLOLK', 'LRRRRRRR'],
      [c[7]!, 'LLLLLOLK', 'RRRRRRRR'], // c6 still in slot 6: the run stops at the bucket boundary
      [c[6]!, 'LLLLLRRK', 'RRRRRRRR'], // slot 6 precedes an all-emptyRest bucket: it and slot 5 become emptyRest
    ];
    for (const [key, ms, os] of steps) {
      assert.equal(m.delete(key), true);
      m.verify();
      assert.equal(slotStates(t, main), ms, `main bucket after delete(${key})`);
      assert.equal(slotStates(t, ovf), os, `overflow bucket after delete(${key})`);
    }
    for (const x of c.slice(0, 5)) assert.equal(m.get(x), x);
    for (const x of c.slice(5, 9)) assert.equal(m.has(x), false);
    m.set(c[9]!, 9);
    m.verify();
    assert.equal(slotStates(t, main), 'LLLLLLRK');
    assert.equal(keyAt(t, main, 5), c[9]);
    assert.equal(m.get(c[9]!), 9);
  });
});

describe('iteration across growth', () => {
  for (const growth of ['incremental', 'all-at-once'] as const) {
    test(`an iterator sees every entry present throughout exactly once across doublings (${growth})`, () => {
      for (let round = 0; round < 24; round++) {
        const m = newIntMap({ seed: 1000 + round, growth });
        const model = new Map<number, number>();
        const r = rng(round + 1);
        let next = 1;
        for (; next <= 200; next++) {
          m.set(next, next);
          model.set(next, next);
        }
        const chk = new IterationCheck(m, model);
        const it = m.entries();
        const doublingsBefore = raw(m).doublings;
        let pulls = 0;
        for (let step = 0; ; step++) {
          const res = it.next();
          if (res.done) break;
          assert.ok(++pulls < 5000, 'iterator does not end');
          chk.entry(res.value[0], res.value[1]);
          // Between steps: insert fresh keys (growth), delete seen and unseen keys, update present ones.
          for (let j = r() % 6; j > 0; j--) chk.set(next++, -next);
          if (r() % 3 === 0) {
            const unseen = [...model.keys()].filter((k) => !chk.returned.has(k));
            if (unseen.length > 0) chk.delete(unseen[r() % unseen.length]!);
          }
          if (r() % 3 === 0) {
            const seen = [...chk.returned].filter((k) => model.has(k));
            if (seen.length > 0) chk.delete(seen[r() % seen.length]!);
          }
          if (r() % 4 === 0 && model.size > 0) {
            const ks = [...model.keys()];
            const k = ks[r() % ks.length]!;
            chk.set(k, step);
          }
          if (step % 16 === 0) m.verify();
        }
        chk.finish();
        m.verify();
        assert.ok(raw(m).doublings - doublingsBefore >= 1, 'the iteration spanned at least one doubling');
      }
    });
  }

  test('an iterator started during a doubling sees every entry exactly once', () => {
    for (let round = 0; round < 24; round++) {
      const m = newIntMap({ seed: 2000 + round });
      const model = new Map<number, number>();
      let next = 1;
      while (!(m.stats().growing && m.stats().oldBuckets === 32)) {
        assert.ok(next < 10000, 'the expected doubling never started');
        m.set(next, next);
        model.set(next, next);
        next++;
      }
      assert.equal(m.stats().oldBuckets, 32);
      const chk = new IterationCheck(m, model);
      const it = m.entries();
      const r = rng(round + 77);
      for (let res = it.next(); !res.done; res = it.next()) {
        assert.ok(chk.returned.size < 5000, 'iterator does not end');
        chk.entry(res.value[0], res.value[1]);
        if (r() % 2 === 0) chk.set(next++, 0);
        if (r() % 4 === 0) {
          const unseen = [...model.keys()].filter((k) => !chk.returned.has(k));
          if (unseen.length > 0) chk.delete(unseen[r() % unseen.length]!);
        }
        if (r() % 4 === 0) {
          const ks = [...model.keys()];
          chk.set(ks[r() % ks.length]!, 7);
        }
      }
      chk.finish();
      m.verify();
      assert.equal(m.stats().growing, false, 'the growth finished during the iteration');
    }
  });

  test('regression: an iterator inside an old chain when a doubling ends and a same-size growth starts returns no key twice', () => {
    // Bug found by this suite (fixed in f3f53bb, src/table/iterate.ts mapiternext): while walking an unevacuated
    // old chain on behalf of new bucket `checkBucket`, the filter `checkBucket !== noCheck && !h.isSameSizeGrow()`
    // looked at the *current* growth. If the doubling the iterator started in completes and a same-size growth
    // starts before the iterator leaves that chain, the filter was switched off and the chain's entries that
    // belong to the sibling new bucket were returned too, and again from the sibling bucket (8 of 8 seeds).
    const failures: string[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const m = newIntMap({ loadFactor: 64, capacity: 200, seed });
      let k = 0;
      while (!(m.stats().growing && !m.stats().sameSizeGrow && m.stats().B === 3)) {
        m.set(k, k);
        k++;
        assert.ok(k < 10000);
      }
      const present = new Set<number>();
      for (const [key] of m) present.add(key);
      // An iterator whose first entry comes from an unevacuated old chain (its start bucket is random).
      let it: ReturnType<IntMap['keys']> | undefined;
      let first = 0;
      for (let attempt = 0; attempt < 500 && it === undefined; attempt++) {
        const cand = m.keys();
        const res = cand.next();
        if ((cand as unknown as { it: { checkBucket: number } }).it.checkBucket !== -1) {
          it = cand;
          first = res.value as number;
        }
      }
      assert.ok(it !== undefined, 'no iterator started inside an old chain');
      const seen = [first];
      // Finish the doubling with updates only.
      for (let j = 0; m.stats().growing; j++) {
        assert.ok(j < 10000, 'the growth does not end');
        m.set(j % k, -1);
      }
      // One new key with the overflow counter at its trigger, so a same-size growth starts (the trigger's
      // threshold scales with load factors above 8, so count past it instead of relying on the chains).
      raw(m).noverflow = 1 << 24;
      m.set(k, k);
      assert.equal(m.stats().sameSizeGrow, true, 'setup: a same-size growth should have started');
      for (let res = it.next(); !res.done; res = it.next()) {
        assert.ok(seen.length < 10 * k, 'iterator does not end');
        seen.push(res.value);
      }
      const counts = new Map<number, number>();
      for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
      const dups = [...counts].filter(([, c]) => c > 1).length;
      const missing = [...present].filter((p) => !counts.has(p)).length;
      if (dups > 0 || missing > 0) failures.push(`seed ${seed}: ${dups} keys returned twice, ${missing} missing of ${present.size}`);
      m.verify();
    }
    assert.deepEqual(failures, []);
  });
});

describe('re-seed on empty', () => {
  test('a map without a seed option draws a new seed when it empties (delete to 0, clear), not before', () => {
    const m = newIntMap();
    const s0 = raw(m).seed;
    for (let i = 0; i < 50; i++) m.set(i, i);
    for (let i = 0; i < 49; i++) m.delete(i);
    assert.equal(raw(m).seed, s0, 'no re-seed while entries remain');
    assert.equal(m.delete(1000), false);
    assert.equal(raw(m).seed, s0, 'a failed delete does not re-seed');
    m.delete(49);
    assert.equal(m.size, 0);
    const s1 = raw(m).seed;
    assert.notEqual(s1, s0, 'deleting the last entry re-seeds (fails with probability 2^-32)');
    for (let i = 0; i < 300; i++) m.set(i * 3, i);
    assert.equal(raw(m).seed, s1);
    m.verify();
    for (let i = 0; i < 300; i++) assert.equal(m.get(i * 3), i);
    m.clear();
    const s2 = raw(m).seed;
    assert.notEqual(s2, s1, 'clear() re-seeds');
    m.set(5, 5);
    assert.equal(m.get(5), 5);
    m.verify();
  });

  test('a fixed seed never changes', () => {
    const m = newIntMap({ seed: 123456789 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) m.set(i, i);
      for (let i = 0; i < 100; i++) m.delete(i);
      assert.equal(m.size, 0);
      assert.equal(raw(m).seed, 123456789);
      m.set(1, 1);
      m.clear();
      assert.equal(raw(m).seed, 123456789);
    }
    const z = newIntMap({ seed: 0 });
    z.set(1, 1);
    z.delete(1);
    z.clear();
    assert.equal(raw(z).seed, 0);
  });
});

describe('capacity', () => {
  for (const loadFactor of [6.5, 1]) {
    for (const n of [0, 1, 8, 9, 13, 14, 27, 100, 1000, 5000]) {
      test(`capacity ${n} (loadFactor ${loadFactor}): ${n} inserts never grow; the smallest B is chosen; then it grows on time`, () => {
        const m = newIntMap({ capacity: n, loadFactor, seed: n + 1 });
        const B0 = m.stats().B;
        const fits = (B: number): boolean => n <= Math.max(8, loadFactor * 2 ** B);
        assert.ok(fits(B0), `capacity ${n} does not fit in 2^${B0} buckets`);
        if (B0 > 0) assert.ok(!fits(B0 - 1), `2^${B0 - 1} buckets would have been enough for ${n}`);
        const r = rng(n + 3);
        const model = new Set<number>();
        const insert = (): void => {
          let k: number;
          do k = r() | 0;
          while (model.has(k));
          m.set(k, 1);
          model.add(k);
        };
        for (let i = 0; i < n; i++) {
          insert();
          const s = m.stats();
          assert.equal(s.B, B0);
          assert.equal(s.growing, false);
        }
        m.verify();
        assert.equal(raw(m).doublings + raw(m).sameSizeGrowths, 0);
        const limit = Math.floor(Math.max(8, loadFactor * 2 ** B0));
        while (model.size < limit) {
          insert();
          assert.equal(m.stats().B, B0);
        }
        insert();
        // With loadFactor 1 and a small B, the doubling completes inside set() and the next one starts too.
        if (loadFactor === 6.5) assert.equal(m.stats().B, B0 + 1, `the insert taking count to ${limit + 1} doubles`);
        else assert.ok(m.stats().B > B0, `the insert taking count to ${limit + 1} doubles`);
        m.verify();
      });
    }
  }

  test('clear() returns to the capacity-sized table', () => {
    const m = newIntMap({ capacity: 500, seed: 1 });
    const B0 = m.stats().B;
    for (let i = 0; i < 5000; i++) m.set(i, i);
    assert.ok(m.stats().B > B0);
    m.clear();
    assert.equal(m.stats().B, B0);
    assert.equal(m.stats().overflowBuckets, 0);
    assert.equal(m.stats().bytes, 2 ** B0 * int32BucketBytes);
  });
});

describe('overflow spill', () => {
  test('long chains (loadFactor 12): spills under random ops, verify after every op, iterations stay exact', () => {
    const m = newIntMap({ loadFactor: 12, capacity: 40, seed: 2024 });
    assert.equal(m.stats().B, 2);
    const model = new Map<number, number>();
    const r = rng(2024);
    let spills = 0;
    let iterations = 0;
    let fresh = 100000;
    for (let op = 0; op < 4000; op++) {
      // Above a load factor of 8 the same-size trigger scales up; push the counter past it every 1000 ops so
      // same-size growths of long, spilled chains happen under these iterations too.
      if (op % 1000 === 500 && !m.stats().growing) {
        raw(m).noverflow = 1 << 24;
        m.set(fresh, op); // a new key: the insert path checks the trigger
        model.set(fresh++, op);
        assert.equal(m.stats().sameSizeGrow, true);
      }
      const before = m.stats();
      const k = r() % 400;
      if (r() % 3 === 0) assert.equal(m.delete(k), model.delete(k));
      else {
        m.set(k, op);
        model.set(k, op);
      }
      m.verify();
      const s = m.stats();
      if (s.overflowBuckets > before.overflowBuckets && s.growing === before.growing) spills++;
      assert.equal(m.size, model.size);
      if (op % 200 === 199) {
        // Iterate while inserting fresh keys: chains keep spilling under the iterator.
        iterations++;
        const chk = new IterationCheck(m, model);
        let step = 0;
        for (const [key, v] of m) {
          assert.ok(step < 5000, 'iterator does not end');
          chk.entry(key, v);
          if (step++ % 2 === 0) chk.set(fresh++, 1);
          if (step % 5 === 0) {
            const unseen = [...model.keys()].filter((x) => !chk.returned.has(x));
            if (unseen.length > 0) chk.delete(unseen[r() % unseen.length]!);
          }
          m.verify();
        }
        chk.finish();
        for (const key of [...model.keys()].filter((x) => x >= 100000)) {
          m.delete(key);
          model.delete(key);
        }
      }
    }
    for (const [k, v] of model) assert.equal(m.get(k), v);
    // Coverage precondition (not a property): chains must really spill here. Overflow buckets are kept until
    // a growth, so the count depends on how often same-size growth re-packs them.
    assert.ok(spills >= 10, `only ${spills} spills`);
    assert.ok(iterations === 20);
    assert.ok(raw(m).sameSizeGrowths >= 1);
  });

  test('a spill under a paused iterator: the moved entry is returned exactly once, wherever the iterator is', () => {
    const seed = 77;
    const c = collidingKeys(seed, 1, 0, 10);
    const other = collidingKeys(seed, 1, 1, 3);
    let skippedAfterSeeingSlot7 = 0;
    for (let pulls = 0; pulls <= 11; pulls++) {
      for (let rep = 0; rep < 40; rep++) {
        const m = newIntMap({ seed, capacity: 13 });
        const model = new Map<number, number>();
        for (const x of [...c.slice(0, 8), ...other]) {
          m.set(x, x);
          model.set(x, x);
        }
        assert.equal(m.stats().overflowBuckets, 0);
        const t = raw(m).buckets;
        const last = keyAt(t, 0, 7); // the entry the spill will move
        const chk = new IterationCheck(m, model);
        const it = m.entries();
        let done = false;
        let sawLastBeforeSpill = false;
        for (let p = 0; p < pulls && !done; p++) {
          const res = it.next();
          if (res.done) done = true;
          else {
            chk.entry(res.value[0], res.value[1]);
            if (res.value[0] === last) sawLastBeforeSpill = true;
          }
        }
        chk.set(c[8]!, 8); // the chain is full: spill
        assert.equal(m.stats().overflowBuckets, 1);
        assert.equal(slotStates(t, 0), 'LLLLLLLK');
        if (rep % 2 === 0) chk.set(c[9]!, 9);
        m.verify();
        for (let res = it.next(); !res.done; res = it.next()) {
          assert.ok(chk.returned.size < 100, 'iterator does not end');
          chk.entry(res.value[0], res.value[1]);
        }
        chk.finish();
        if (sawLastBeforeSpill) skippedAfterSeeingSlot7++;
      }
    }
    assert.ok(skippedAfterSeeingSlot7 > 0, 'the case "slot 7 seen, then spilled" was never exercised');
  });
});

describe('large tables', () => {
  test('1e6 int32 keys: more than 2^16 buckets', () => {
    const m = newIntMap({ seed: 1 });
    const N = 1_000_000;
    for (let i = 0; i < N; i++) m.set(i * 7 - 3_000_000, i);
    const s = m.stats();
    assert.equal(s.count, N);
    assert.equal(m.size, N);
    assert.ok(s.B >= 17, `B = ${s.B}`);
    assert.ok(s.buckets > 2 ** 16);
    m.verify();
    for (let i = 0; i < N; i += 997) assert.equal(m.get(i * 7 - 3_000_000), i);
    for (let i = 0; i < 1000; i++) assert.equal(m.has(i * 7 - 3_000_000 + 1), false);
    for (let i = 0; i < N; i += 3) m.delete(i * 7 - 3_000_000);
    assert.equal(m.size, N - Math.ceil(N / 3));
    assert.equal(m.get(-3_000_000), undefined);
    assert.equal(m.get(7 - 3_000_000), 1);
  });

  test("'any' values across several side-array segments (more than 2^10 buckets)", () => {
    const m = new HashMap({ key: 'float64', value: 'any', seed: 3 });
    const objs: object[] = [];
    const N = 30000;
    for (let i = 0; i < N; i++) {
      const o = { i };
      objs.push(o);
      m.set(i + 0.5, o);
    }
    assert.ok(m.stats().buckets > 2 ** 10);
    m.verify();
    for (let i = 0; i < N; i += 7) assert.equal(m.get(i + 0.5), objs[i]);
    for (let i = 0; i < N; i += 2) m.delete(i + 0.5);
    let n = 0;
    for (const [k, v] of m) {
      assert.equal(v, objs[k - 0.5]);
      assert.equal((k - 0.5) % 2, 1);
      n++;
    }
    assert.equal(n, N / 2);
    m.verify();
  });
});

describe('regressions: set() must not loop forever with loadFactor > 7', { concurrency: true }, () => {
  // Bug found by this suite (fixed in 7691c3a, src/table/assign.ts mapassign): when a new key arrives, not
  // growing, and tooManyOverflowBuckets() holds, hashGrow() starts a same-size growth; if that growth completes
  // inside the same call (2^B <= 2 old buckets, or growth 'all-at-once'), the retry found the re-packed table
  // still having >= 2^min(B,15) overflow buckets (the entries need them: more than ~7 per bucket) and started
  // another same-size growth, forever. Each case runs in a child process so a regression fails instead of hanging
  // the suite. The fix also raised the trigger above load factor 8, so the first two cases (the original
  // reports) no longer reach a same-size growth; the third still does, and needs the one-attempt guard.
  const indexUrl = new URL('../src/index.js', import.meta.url).href;
  const runChild = (body: string): Promise<{ ok: boolean; out: string }> =>
    new Promise((resolve) => {
      const script = `const { HashMap } = await import(${JSON.stringify(indexUrl)});\n${body}\nconsole.log('finished');`;
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 5000, cwd: fileURLToPath(new URL('.', import.meta.url)) },
        (err, stdout, stderr) =>
          resolve({
            ok: err === null && stdout.includes('finished'),
            out: err?.killed ? 'timed out: set() is looping' : `${err?.message ?? ''} ${stderr}`.trim(),
          }),
      );
    });

  test('loadFactor 12, one bucket: the 10th distinct key', async () => {
    const r = await runChild(
      `const m = new HashMap({ key: 'int32', value: 'int32', loadFactor: 12, seed: 1 });
       for (let k = 0; k < 10; k++) m.set(k, k);
       if (m.size !== 10) throw new Error('size ' + m.size);`,
    );
    assert.ok(r.ok, `the child process did not finish within 5 s: ${r.out}`);
  });

  test("loadFactor 12, growth 'all-at-once', 16 buckets: the 190th key", async () => {
    const r = await runChild(
      `const m = new HashMap({ key: 'int32', value: 'int32', loadFactor: 12, growth: 'all-at-once', capacity: 100, seed: 5 });
       for (let k = 0; k < 190; k++) m.set(k, k);
       if (m.size !== 190) throw new Error('size ' + m.size);`,
    );
    assert.ok(r.ok, `the child process did not finish within 5 s: ${r.out}`);
  });

  test("loadFactor 8, growth 'all-at-once', 4 buckets, 31 keys in one chain: the re-packed chain still needs 4 overflow buckets", async () => {
    const seed = 9;
    const keys = collidingKeys(seed, 2, 0, 31);
    const r = await runChild(
      `const m = new HashMap({ key: 'int32', value: 'int32', loadFactor: 8, growth: 'all-at-once', capacity: 32, seed: ${seed} });
       const keys = ${JSON.stringify(keys)};
       for (const k of keys.slice(0, 30)) m.set(k, k);
       const s = m.stats();
       if (s.B !== 2 || s.overflowBuckets !== 4) throw new Error('setup: ' + JSON.stringify(s));
       m.set(keys[30], 0); // not full (30 < 32), 4 >= 4 overflow buckets: a same-size growth that cannot help
       if (m.size !== 31 || m.get(keys[30]) !== 0) throw new Error('size ' + m.size);
       m.verify();`,
    );
    assert.ok(r.ok, `the child process did not finish within 5 s: ${r.out}`);
  });
});
