// String keys: lookup, insert and delete (Go: mapaccess1_faststr, mapassign_faststr, mapdelete_faststr), and
// the store of string values.
//
// A string key is two words in the slot, (ref, len), with its code units in the table's arena (arena.ts). Keys
// compare by tophash, then len, then units. The numeric paths (access.ts, assign.ts, delete.ts) stay as they
// are; these mirror them with the key passed as a JS string and its hash computed by hashString (hash.ts) from
// it, which equals hashUnits over the stored units (evacuation, iteration and verify hash those).
//
// Reclaiming: a delete marks the key's units (and a string value's) dead; overwriting a string value marks the
// old value's units dead. Either may start a same-size growth (grow.ts: compactIfDirty), after the operation.

import { homeTable, valueAt } from './access.js';
import { markEmptyRest } from './delete.js';
import { compactIfDirty, hashGrow, growWork, newoverflow } from './grow.js';
import { Hmap } from './hmap.js';
import { Bucket, Segment, Slot, firstFree, hasEmptyRest, matches, slotOf, tophash } from './layout.js';

/** The value of string key s, or undefined (Go: mapaccess1_faststr). */
export function mapaccessStr(h: Hmap, hash: number, s: string): unknown {
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const arena = t.arena!;
  const len = s.length;
  const b = hash & t.mask;
  const pat = (tophash(hash) * 0x01010101) | 0;
  const bw = t.bw;
  let seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const i32 = seg.i32;
    const wb = lb * bw;
    const hi = i32[wb + 1]!;
    for (let m = matches(i32[wb]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      const k = wb + 2 + 2 * i;
      if (i32[k + 1] === len && arena.equals(i32[k]!, len, s)) return valueAt(t, seg, wb, i);
    }
    if (hi >>> 24 !== Slot.overflowLink) return undefined;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}

/** Finds string key s (Go: mapaccess2_faststr): its segment, with the slot in h.hitSlot, or null. */
export function mapaccessStrSeg(h: Hmap, hash: number, s: string): Segment | null {
  if (h.count === 0) return null;
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const arena = t.arena!;
  const len = s.length;
  const b = hash & t.mask;
  const pat = (tophash(hash) * 0x01010101) | 0;
  const bw = t.bw;
  let seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const i32 = seg.i32;
    const wb = lb * bw;
    const hi = i32[wb + 1]!;
    for (let m = matches(i32[wb]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      const k = wb + 2 + 2 * i;
      if (i32[k + 1] === len && arena.equals(i32[k]!, len, s)) {
        h.hitSlot = (lb << 3) | i;
        return seg;
      }
    }
    if (hi >>> 24 !== Slot.overflowLink) return null;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}

/**
 * mapaccessStrSeg for a write to the value of a present key (increment): helps a running growth first, as Go's
 * mapassign does on every assignment, so a map that only updates present keys (a word count past its last new
 * word) still finishes growing and drops the old table and arena. The slot found is then in the current table.
 */
export function mapaccessStrForWrite(h: Hmap, hash: number, s: string): Segment | null {
  if (h.oldbuckets !== null) growWork(h, hash & h.buckets.mask);
  return mapaccessStrSeg(h, hash, s);
}

/**
 * Finds or inserts string key s (Go: mapassign_faststr) and returns its segment, with the slot in h.hitSlot; on
 * insert the key's units are appended to the arena. As mapassign: the caller has validated key and value, and
 * writes the value (for string values through storeStrValue).
 */
export function mapassignStr(h: Hmap, hash: number, s: string): Segment {
  const top = tophash(hash);
  const pat = (top * 0x01010101) | 0;
  const len = s.length;
  let sameSizeTried = false;
  for (;;) {
    const t = h.buckets;
    const bucket = hash & t.mask;
    if (h.oldbuckets !== null) growWork(h, bucket);
    const arena = t.arena!;
    const bw = t.bw;

    let insSeg = -1;
    let insLb = 0;
    let insI = 0;
    let segIdx = bucket >>> t.mainShift;
    let lb = bucket & t.mainMask;
    let gid = bucket;
    for (;;) {
      const seg = t.segs[segIdx]!;
      const i32 = seg.i32;
      const wb = lb * bw;
      // As mapassign (assign.ts): tophash bytes as words.
      const lo = i32[wb]!;
      const hi = i32[wb + 1]!;
      for (let m = matches(lo ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
        const i = slotOf(m);
        const k = wb + 2 + 2 * i;
        if (i32[k + 1] === len && arena.equals(i32[k]!, len, s)) {
          h.hitSlot = (lb << 3) | i;
          return seg;
        }
      }
      if (insSeg < 0) {
        const i = firstFree(lo, hi);
        if (i >= 0) {
          insSeg = segIdx;
          insLb = lb;
          insI = i;
        }
      }
      if (hasEmptyRest(lo, hi) || hi >>> 24 !== Slot.overflowLink) break;
      gid = i32[wb + t.linkOff]!;
      const o = gid - t.nb;
      segIdx = t.nMainSegs + (o >>> t.chunkShift);
      lb = o & t.chunkMask;
    }

    if (h.oldbuckets === null && (h.full() || (!sameSizeTried && h.tooManyOverflowBuckets()))) {
      sameSizeTried ||= !h.full();
      hashGrow(h);
      continue;
    }
    // The key's units first: if the arena cannot take them (RangeError), no slot has been written.
    const ref = arena.store(s);
    if (insSeg < 0) {
      const ovf = newoverflow(h, t, gid);
      insSeg = t.nMainSegs + ((ovf - t.nb) >>> t.chunkShift);
      insLb = (ovf - t.nb) & t.chunkMask;
      insI = 1;
    }
    const seg = t.segs[insSeg]!;
    const k = insLb * bw + 2 + insI * 2;
    seg.u8[((insLb * bw) << 2) + insI] = top;
    seg.i32[k] = ref;
    seg.i32[k + 1] = len;
    h.count++;
    h.hitSlot = (insLb << 3) | insI;
    return seg;
  }
}

/** Removes string key s; returns whether it was present (Go: mapdelete_faststr). */
export function mapdeleteStr(h: Hmap, hash: number, s: string): boolean {
  if (h.count === 0) return false;
  const t = h.buckets;
  const bucket = hash & t.mask;
  if (h.oldbuckets !== null) growWork(h, bucket);
  const arena = t.arena!;
  const len = s.length;
  const bw = t.bw;
  const top = tophash(hash);
  let gid = bucket;
  for (;;) {
    const seg = t.seg(gid);
    const lb = t.local(gid);
    const u8 = seg.u8;
    const i32 = seg.i32;
    const wb = lb * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === Slot.emptyRest) return false;
        continue;
      }
      const k = wb + 2 + 2 * i;
      if (i32[k + 1] !== len || !arena.equals(i32[k]!, len, s)) continue;
      arena.free(len);
      if (t.layout.strValues) {
        const v = wb + t.voff + 2 * i;
        arena.free(i32[v + 1]!);
        i32[v + 1] = 0;
      }
      if (seg.side !== null) seg.side[lb * Bucket.cnt + i] = undefined;
      u8[tb + i] = Slot.emptyOne;
      markEmptyRest(t, bucket, gid, i);
      if (--h.count === 0) h.reseed();
      compactIfDirty(h);
      return true;
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return false;
    gid = i32[wb + t.linkOff]!;
  }
}

/**
 * Writes string value v into slot `slot` of seg, a segment of the current table that mapassign or mapassignStr
 * just returned: the old value's units (none for a fresh slot, whose value len is 0) turn dead and v's units are
 * appended. May start a same-size growth afterwards (compactIfDirty).
 */
export function storeStrValue(h: Hmap, seg: Segment, slot: number, v: string): void {
  const t = h.buckets;
  const arena = seg.arena!;
  const w = (slot >>> 3) * t.bw + t.voff + (slot & (Bucket.cnt - 1)) * 2;
  const ref = arena.store(v);
  const i32 = seg.i32;
  arena.free(i32[w + 1]!);
  i32[w] = ref;
  i32[w + 1] = v.length;
  compactIfDirty(h);
}
