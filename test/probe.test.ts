// mapaccess1Fast32 (table/access.ts) compares a bucket's eight tophash bytes as two 32-bit words: the zero-byte
// trick flags every slot whose tophash equals the key's, and may flag a byte above a match (a borrow); every
// flagged slot's key is compared. These tests put crafted keys into one bucket and its overflow chain:
// several keys with the same tophash, tophash values that differ from another's by one bit (the borrow case),
// tophash values with the high bit set and below it, in every slot position.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashMap } from '../src/index.js';
import { hash1 } from '../src/hash.js';
import { tophash } from '../src/table/layout.js';

const seed = 0x2468ace;

/** Keys (ascending from `from`) whose hash lands in `bucket` of a table with `mask`, with their tophash. */
function keysOfBucket(bucket: number, mask: number, n: number, from = 0): Array<{ key: number; top: number }> {
  const out: Array<{ key: number; top: number }> = [];
  for (let k = from; out.length < n; k++) {
    const h = hash1(k, seed);
    if ((h & mask) === bucket) out.push({ key: k, top: tophash(h) });
  }
  return out;
}

describe('one-word lookups compare tophash bytes a word at a time', () => {
  for (const key of ['int32', 'uint32'] as const) {
    test(`${key} keys: same tophash, one-bit neighbours and every slot position, in a bucket and its overflow chain`, () => {
      const m = new HashMap({ key, value: 'int32', capacity: 100, seed });
      const mask = m.stats().buckets - 1;
      const pool = keysOfBucket(5, mask, 40_000);
      const byTop = new Map<number, number[]>();
      for (const { key: k, top } of pool) byTop.set(top, [...(byTop.get(top) ?? []), k]);
      // Three keys sharing one tophash, and keys whose tophash differs from it by one (xor 1: the byte the
      // borrow can flag) in both directions, high-bit tophash values and low ones.
      const shared = [...byTop.entries()].find(([top, ks]) => ks.length >= 4 && byTop.has(top ^ 1) && top >= 0x80)!;
      assert.ok(shared, 'a tophash with four keys and a one-bit neighbour');
      const [top, ks] = shared;
      const chosen = [ks[0]!, byTop.get(top ^ 1)![0]!, ks[1]!, ks[2]!];
      for (const [t, list] of byTop) if (t < 0x80 && chosen.length < 20 && !chosen.includes(list[0]!)) chosen.push(list[0]!);
      const absent = ks[3]!; // same bucket, same tophash as three stored keys, never stored
      for (const [i, k] of chosen.entries()) m.set(k, i);
      m.verify();
      assert.ok(m.stats().overflowBuckets >= 1, 'the bucket has an overflow chain');
      for (const [i, k] of chosen.entries()) assert.equal(m.get(k), i, `key ${k} (tophash ${tophash(hash1(k, seed))})`);
      assert.equal(m.get(absent), undefined);
      assert.equal(m.has(absent), false);
      // Delete every other key: the rest are still found, the deleted ones are misses (their slots emptyOne).
      for (let i = 0; i < chosen.length; i += 2) assert.equal(m.delete(chosen[i]!), true);
      m.verify();
      for (const [i, k] of chosen.entries()) assert.equal(m.get(k), i % 2 === 0 ? undefined : i);
      // Every slot position of the main bucket holds, at some point, the key being looked up.
      const fresh = new HashMap({ key, value: 'int32', capacity: 100, seed });
      for (const [i, k] of chosen.slice(0, 8).entries()) {
        fresh.set(k, i);
        for (const [j, q] of chosen.slice(0, i + 1).entries()) assert.equal(fresh.get(q), j);
        assert.equal(fresh.get(absent), undefined);
      }
    });
  }
});
