// Delete (Go: mapdelete).

import { growWork } from './grow.js';
import { Hmap, keyWord, topByte } from './hmap.js';
import { Table, bucketCnt, emptyOne, emptyRest, overflowLink, tophash } from './layout.js';

/** Removes the key (hash, w0, w1); returns whether it was present. */
export function mapdelete(h: Hmap, hash: number, w0: number, w1: number): boolean {
  if (h.count === 0) return false;
  const t = h.buckets;
  const bucket = hash & t.mask;
  if (h.oldbuckets !== null) growWork(h, bucket);
  const layout = t.layout;
  const kw = layout.kw;
  const top = tophash(hash);
  let gid = bucket;
  for (;;) {
    const seg = t.seg(gid);
    const lb = t.local(gid);
    const u8 = seg.u8;
    const i32 = seg.i32;
    const tb = topByte(layout, lb, 0);
    for (let i = 0; i < bucketCnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === emptyRest) return false;
        continue;
      }
      const k = keyWord(layout, lb, i);
      if (i32[k] !== w0 || (kw === 2 && i32[k + 1] !== w1)) continue;
      // Found. Values in side arrays are dropped so the map does not keep them alive.
      if (seg.side !== null) seg.side[lb * bucketCnt + i] = undefined;
      u8[tb + i] = emptyOne;
      markEmptyRest(t, bucket, gid, i);
      if (--h.count === 0) h.reseed();
      return true;
    }
    if (u8[tb + bucketCnt - 1] !== overflowLink) return false;
    gid = i32[keyWord(layout, lb, bucketCnt - 1)]!;
  }
}

/**
 * Slot i of bucket gid (in the chain of main bucket `first`) just became emptyOne. If every later slot of the
 * chain is empty, turn this slot and the run of emptyOne slots before it into emptyRest, walking back across
 * bucket boundaries, so lookups stop early.
 */
function markEmptyRest(t: Table, first: number, gid: number, i: number): void {
  const layout = t.layout;
  const last = bucketCnt - 1;
  let seg = t.seg(gid);
  let lb = t.local(gid);
  // Is the slot after i emptyRest (or is i the end of the chain)?
  if (i === last - 1 && seg.u8[topByte(layout, lb, last)] === overflowLink) {
    const next = seg.i32[keyWord(layout, lb, last)]!;
    if (t.seg(next).u8[topByte(layout, t.local(next), 0)] !== emptyRest) return;
  } else if (i < last && seg.u8[topByte(layout, lb, i + 1)] !== emptyRest) {
    return;
  }
  for (;;) {
    seg.u8[topByte(layout, lb, i)] = emptyRest;
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
    if (seg.u8[topByte(layout, lb, i)] !== emptyOne) return;
  }
}
