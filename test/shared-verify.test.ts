// The shared map's verify() finds broken invariants (a verify that cannot fail proves nothing): each case
// breaks one thing in the map's shared memory and expects an InvariantError naming it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HashMap, InvariantError } from '../src/index.js';
import type { SharedTable } from '../src/shared/table.js';

function tableOf(m: unknown): SharedTable {
  return (m as { _t: SharedTable })._t;
}

/** The first live slot of the current table: its segment, bucket word base and slot. */
function firstLive(t: SharedTable): { i32: Int32Array; u8: Uint8Array; wb: number; i: number } {
  t.refresh();
  const cur = t.cur;
  for (let b = 0; b < cur.nb; b++) {
    const seg = cur.segs[b >>> cur.mainShift]!;
    const wb = (b & cur.mainMask) * t.bw;
    for (let i = 0; i < 7; i++) if (seg.u8[wb * 4 + i]! >= 6) return { i32: seg.i32, u8: seg.u8, wb, i };
  }
  throw new Error('no live slot');
}

describe('shared map verify() catches corruption', () => {
  it('a stripe count that does not match its entries', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true, seed: 1 });
    for (let i = 0; i < 500; i++) m.set(i, i);
    m.verify();
    const t = tableOf(m);
    t.c[1024 + 1]!++; // stripe 0's count (stripesAt + sCount)
    assert.throws(() => m.verify(), (e: unknown) => e instanceof InvariantError && /stripe 0 counts/.test((e as Error).message));
  });

  it('a tophash that is not the key hash', () => {
    const m = new HashMap({ key: 'uint32', value: 'float64', shared: true, seed: 2 });
    for (let i = 0; i < 500; i++) m.set(i, i / 2);
    const s = firstLive(tableOf(m));
    s.u8[s.wb * 4 + s.i] = s.u8[s.wb * 4 + s.i] === 255 ? 254 : s.u8[s.wb * 4 + s.i]! + 1;
    assert.throws(() => m.verify(), (e: unknown) => e instanceof InvariantError && /tophash/.test((e as Error).message));
  });

  it('a string key whose units lie outside the arena', () => {
    const m = new HashMap({ key: 'string', value: 'int32', shared: true, seed: 3 });
    for (let i = 0; i < 500; i++) m.set(`key${i}`, i);
    const s = firstLive(tableOf(m));
    s.i32[s.wb + 2 + 2 * s.i + 1] = 1 << 20; // its length
    assert.throws(() => m.verify(), (e: unknown) => e instanceof InvariantError && /outside the arena|tophash/.test((e as Error).message));
  });

  it('a key stored twice', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true, seed: 4 });
    m.set(7, 1);
    const s = firstLive(tableOf(m));
    // Copy the entry into the next slot of the same bucket, tophash included.
    s.i32[s.wb + 2 + s.i + 1] = s.i32[s.wb + 2 + s.i]!;
    s.u8[s.wb * 4 + s.i + 1] = s.u8[s.wb * 4 + s.i]!;
    assert.throws(() => m.verify(), (e: unknown) => e instanceof InvariantError && /stored twice|counts/.test((e as Error).message));
  });
});
