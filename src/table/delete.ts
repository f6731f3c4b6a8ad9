// Delete (Go: mapdelete).

import { compactIfDirty, growWork } from './grow.js';
import { Hmap, keyWord, topByte } from './hmap.js';
import { Table, tophash, Slot, Bucket, matches, slotOf } from './layout.js';

/** Removes the key (hash, w0, w1); returns whether it was present. */
export function mapdelete(h: Hmap, hash: number, w0: number, w1: number): boolean {
  if (h.count === 0) return false;
  const t = h.buckets;
  const bucket = hash & t.mask;
  if (h.oldbuckets !== null) growWork(h, bucket);
  const layout = t.layout;
  const kw = layout.kw;
  const pat = (tophash(hash) * 0x01010101) | 0;
  let gid = bucket;
  for (;;) {
    const seg = t.seg(gid);
    const lb = t.local(gid);
    const u8 = seg.u8;
    const i32 = seg.i32;
    const tb = topByte(layout, lb, 0);
    // The tophash bytes as two words (table/access.ts).
    const hi = i32[(tb >>> 2) + 1]!;
    for (let m = matches(i32[tb >>> 2]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      const k = keyWord(layout, lb, i);
      if (i32[k] !== w0 || (kw === 2 && i32[k + 1] !== w1)) continue;
      // Found. Values in side arrays are dropped so the map does not keep them alive.
      if (seg.side !== null) seg.side[lb * Bucket.cnt + i] = undefined;
      u8[tb + i] = Slot.emptyOne;
      markEmptyRest(t, bucket, gid, i);
      if (--h.count === 0) h.reseed();
      if (t.arena !== null) {
        // A string value (numeric keys; string keys take strings.ts): its units turn dead, and the slot's
        // value len becomes 0 so that the next insert into this slot frees nothing.
        const v = lb * layout.bw + layout.voff + i * 2;
        t.arena.free(i32[v + 1]!);
        i32[v + 1] = 0;
        compactIfDirty(h);
      }
      return true;
    }
    if (hi >>> 24 !== Slot.overflowLink) return false;
    gid = i32[keyWord(layout, lb, Bucket.cnt - 1)]!;
  }
}

/**
 * Slot i of bucket gid (in the chain of main bucket `first`) just became Slot.emptyOne. If every later slot of the
 * chain is empty, turn this slot and the run of Slot.emptyOne slots before it into Slot.emptyRest, walking back across
 * bucket boundaries, so lookups stop early.
 */
export function markEmptyRest(t: Table, first: number, gid: number, i: number): void {
  const layout = t.layout;
  const last = Bucket.cnt - 1;
  let seg = t.seg(gid);
  let lb = t.local(gid);
  // Is the slot after i Slot.emptyRest (or is i the end of the chain)?
  if (i === last - 1 && seg.u8[topByte(layout, lb, last)] === Slot.overflowLink) {
    const next = seg.i32[keyWord(layout, lb, last)]!;
    if (t.seg(next).u8[topByte(layout, t.local(next), 0)] !== Slot.emptyRest) return;
  } else if (i < last && seg.u8[topByte(layout, lb, i + 1)] !== Slot.emptyRest) {
    return;
  }
  for (;;) {
    seg.u8[topByte(layout, lb, i)] = Slot.emptyRest;
    if (i === 0) {
      if (gid === first) return;
      // Step back to the previous bucket of the chain; its slot 7 is the link, so continue at slot 6.
      const c = gid;
      gid = first;
      for (;;) {
        const s = t.seg(gid);
        const next = s.i32[keyWord(layout, t.local(gid), last)]!;
        if (next === c) break;
        gid = next;
      }
      seg = t.seg(gid);
      lb = t.local(gid);
      i = last - 1;
    } else {
      i--;
    }
    if (seg.u8[topByte(layout, lb, i)] !== Slot.emptyOne) return;
  }
}
