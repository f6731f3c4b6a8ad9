// Insert or update (Go: mapassign).

import { hashGrow, growWork, newoverflow } from './grow.js';
import { Hmap } from './hmap.js';
import {
  firstFree,
  hasEmptyRest,
  matches,
  Segment,
  Slot,
  slotOf,
  tophash,
} from './layout.js';

/**
 * mapassign for one-word keys (int32, uint32) in the common case (Go: mapassign_fast32): the key's bucket in the
 * current table has no overflow chain and, unless the map is growing, the map has room for one more key (Go
 * starts no growth during one). While growing it first helps, as mapassign does (growWork evacuates the key's
 * old chain, so the key can only be in the new table). Anything else goes to mapassign, told that the help is
 * done. The insert path of a large map waits on one cache miss (the bucket's tophash words), and the fewer
 * instructions stand between two inserts' misses, the more of them the CPU overlaps. (TurboFan inlines it into
 * set(); when set() is itself inlined into a caller's loop, the budget has left it a call in traces.)
 */
export function mapassignFast32(h: Hmap, hash: number, w0: number): Segment {
  if (h.oldbuckets !== null) growWork(h, hash & h.buckets.mask);
  const t = h.buckets;
  const b = hash & t.mask;
  const seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  const lb = b & t.mainMask;
  const wb = lb * t.bw;
  const top = tophash(hash);
  const pat = (top * 0x01010101) | 0;
  const i32 = seg.i32;
  const lo = i32[wb]!;
  const hi = i32[wb + 1]!;
  for (let m = matches(lo ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
    const i = slotOf(m);
    if (i32[wb + 2 + i] === w0) {
      h.hitSlot = (lb << 3) | i;
      return seg;
    }
  }
  if (hi >>> 24 !== Slot.overflowLink && (h.oldbuckets !== null || h.room())) {
    const i = firstFree(lo, hi);
    if (i >= 0) {
      seg.u8[(wb << 2) + i] = top;
      i32[wb + 2 + i] = w0;
      h.count++;
      h.hitSlot = (lb << 3) | i;
      return seg;
    }
  }
  return mapassign(h, hash, w0, 0, true);
}

/**
 * Finds or inserts the key (hash, w0, w1) and returns its segment, with the slot in h.hitSlot; the caller
 * writes the value there. The caller must have validated key and value: nothing here fails on user input,
 * so a rejected set leaves the map untouched.
 */
export function mapassign(h: Hmap, hash: number, w0: number, w1: number, helped = false): Segment {
  const top = tophash(hash);
  const pat = (top * 0x01010101) | 0;
  // A same-size growth of a tiny table can finish inside the growWork below and still leave as many overflow
  // buckets (keys that share a chain); never start a second one in the same call, or this would loop forever.
  let sameSizeTried = false;
  for (;;) {
    const t = h.buckets;
    const bucket = hash & t.mask;
    // `helped`: the caller (mapassignFast32) ran this call's growWork already; a growth started below gets its own.
    if (h.oldbuckets !== null && !helped) growWork(h, bucket);
    helped = false;
    const bw = t.bw;
    const kw = t.kw;

    // First free slot seen on the way, as (segment index, local bucket, i); insSeg < 0: none.
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
      // The bucket's tophash bytes as two words, compared at once (as in mapaccess1Fast32).
      const lo = i32[wb]!;
      const hi = i32[wb + 1]!;
      for (let m = matches(lo ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
        const i = slotOf(m);
        const k = wb + 2 + i * kw;
        if (i32[k] === w0 && (kw === 1 || i32[k + 1] === w1)) {
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
      // Go stops at the first emptyRest: nothing is stored after it, in this bucket or the rest of the chain.
      if (hasEmptyRest(lo, hi) || hi >>> 24 !== Slot.overflowLink) break;
      gid = i32[wb + t.linkOff]!;
      const o = gid - t.nb;
      segIdx = t.nMainSegs + (o >>> t.chunkShift);
      lb = o & t.chunkMask;
    }

    // Not found. Growing invalidates everything above, so start over in the new table.
    if (h.oldbuckets === null && (h.full() || (!sameSizeTried && h.tooManyOverflowBuckets()))) {
      sameSizeTried ||= !h.full();
      hashGrow(h);
      continue;
    }
    if (insSeg < 0) {
      // Every slot of the chain is full: gid is its last bucket. Chain a new one.
      const ovf = newoverflow(h, t, gid);
      insSeg = t.nMainSegs + ((ovf - t.nb) >>> t.chunkShift);
      insLb = (ovf - t.nb) & t.chunkMask;
      insI = 1;
    }
    const seg = t.segs[insSeg]!;
    const k = insLb * bw + 2 + insI * kw;
    seg.u8[((insLb * bw) << 2) + insI] = top;
    seg.i32[k] = w0;
    if (kw === 2) seg.i32[k + 1] = w1;
    h.count++;
    h.hitSlot = (insLb << 3) | insI;
    return seg;
  }
}
