// The lookups (table/access.ts), mapassign (table/assign.ts) and mapdelete (table/delete.ts) compare a bucket's eight tophash bytes as two 32-bit words: the zero-byte
// trick flags every slot whose tophash equals the key's, and may flag a byte above a match (a borrow); every
// flagged slot's key is compared. These tests put crafted keys into one bucket and its overflow chain:
// several keys with the same tophash, tophash values that differ from another's by one bit (the borrow case),
// tophash values with the high bit set and below it, in every slot position.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HashMap } from '../src/index.js';
import { hash1, hash2 } from '../src/hash.js';
import { bigint64Words, float64Words, scratchHigh } from '../src/kinds/kinds.js';
import { tophash } from '../src/table/layout.js';

const seed = 0x2468ace;

type Kind = 'int32' | 'uint32' | 'float64' | 'bigint64';

/** The k-th key of a kind, and the map's hash of it (the words the table hashes, as map.ts makes them). */
function keyOf(kind: Kind, k: number): { key: number | bigint; hash: number } {
  if (kind === 'int32' || kind === 'uint32') return { key: kind === 'uint32' ? k + 2 ** 31 : k, hash: hash1((kind === 'uint32' ? k + 2 ** 31 : k) | 0, seed) };
  if (kind === 'float64') {
    const key = k + 0.25;
    const w0 = float64Words(key);
    return { key, hash: hash2(w0, scratchHigh(), seed) };
  }
  const key = BigInt(k) << 33n;
  const w0 = bigint64Words(key);
  return { key, hash: hash2(w0, scratchHigh(), seed) };
}

/** Keys (the k-th, ascending k) whose hash lands in `bucket` of a table with `mask`, with their tophash. */
function keysOfBucket(kind: Kind, bucket: number, mask: number, n: number): Array<{ key: number | bigint; top: number }> {
  const out: Array<{ key: number | bigint; top: number }> = [];
  for (let k = 0; out.length < n; k++) {
    const { key, hash } = keyOf(kind, k);
    if ((hash & mask) === bucket) out.push({ key, top: tophash(hash) });
  }
  return out;
}

describe('one-word lookups compare tophash bytes a word at a time', () => {
  for (const key of ['int32', 'uint32', 'float64', 'bigint64'] as const) {
    test(`${key} keys: same tophash, one-bit neighbours and every slot position, in a bucket and its overflow chain`, () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const m: HashMap<any, number> = new HashMap({ key, value: 'int32', capacity: 100, seed });
      const mask = m.stats().buckets - 1;
      const pool = keysOfBucket(key, 5, mask, 40_000);
      const byTop = new Map<number, Array<number | bigint>>();
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
      for (const [i, k] of chosen.entries()) {
        assert.equal(m.get(k), i, `key ${k}`);
        assert.equal(m.has(k), true, `has ${k}`);
      }
      assert.equal(m.get(absent), undefined);
      assert.equal(m.has(absent), false);
      // Delete every other key: the rest are still found, the deleted ones are misses (their slots emptyOne).
      for (let i = 0; i < chosen.length; i += 2) assert.equal(m.delete(chosen[i]!), true);
      m.verify();
      for (const [i, k] of chosen.entries()) {
        assert.equal(m.get(k), i % 2 === 0 ? undefined : i);
        assert.equal(m.has(k), i % 2 === 1);
        if (i % 2 === 0) assert.equal(m.delete(k), false, 'a second delete finds nothing');
      }
      // Inserting into the chain again reuses the freed slots (mapassign's first free slot) instead of
      // chaining more overflow buckets, and finds the keys that are still there instead of adding them twice.
      const overflow = m.stats().overflowBuckets;
      m.set(absent, -1);
      for (let i = 0; i < chosen.length; i += 2) m.set(chosen[i]!, 100 + i);
      for (let i = 1; i < chosen.length; i += 2) m.set(chosen[i]!, 200 + i);
      m.verify();
      assert.equal(m.stats().overflowBuckets, overflow, 'no new overflow bucket while the chain had free slots');
      assert.equal(m.size, chosen.length + 1);
      assert.equal(m.get(absent), -1);
      for (const [i, k] of chosen.entries()) assert.equal(m.get(k), (i % 2 === 0 ? 100 : 200) + i);
      // Every slot position of the main bucket holds, at some point, the key being looked up.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const fresh: HashMap<any, number> = new HashMap({ key, value: 'int32', capacity: 100, seed });
      for (const [i, k] of chosen.slice(0, 8).entries()) {
        fresh.set(k, i);
        for (const [j, q] of chosen.slice(0, i + 1).entries()) assert.equal(fresh.get(q), j);
        assert.equal(fresh.get(absent), undefined);
      }
    });
  }
});
