// Growth (Go: hashGrow, growWork, evacuate, advanceEvacuationMark, newoverflow).
//
// A growth allocates the new bucket array and nothing else. The entries move later, a bucket chain at a time:
// every write that lands on bucket b while the map grows first evacuates old bucket b & oldmask, then one more
// (the lowest not yet evacuated, nevacuate). Old chain i splits into new bucket i (X) and i + 2^oldB (Y) by hash
// bit oldB; a same-size growth copies chain i into new bucket i, re-packed with no holes. When nevacuate reaches
// the old bucket count the old array is dropped. No operation touches more than two old chains plus at most 1024
// evacuation marks.

import { hash1, hash2 } from '../hash.js';
import { Hmap, evacuated, keyWord, moveSlot, sameSizeGrow, topByte } from './hmap.js';
import {
  Bucket,
  Segment,
  Slot,
  Table,
  isEmpty,
} from './layout.js';

/** Starts a growth: doubling when over the load factor, otherwise same-size (too many overflow buckets). */
export function hashGrow(h: Hmap): void {
  let bigger = 1;
  if (!h.overLoadFactor(h.count + 1, h.B)) {
    bigger = 0;
    h.flags |= sameSizeGrow;
    h.sameSizeGrowths++;
  } else {
    h.doublings++;
  }
  const newbuckets = new Table(h.layout, h.B + bigger);
  h.setB(h.B + bigger);
  h.oldbuckets = h.buckets;
  h.buckets = newbuckets;
  h.nevacuate = 0;
  h.noverflow = 0;
  h.evacuated = 0;
  if (!h.incremental) {
    // Ablation for the lab: the stop-the-world growth that Go avoids.
    while (h.oldbuckets !== null) evacuate(h, h.nevacuate);
  }
}

/** Evacuates the old bucket that new bucket `bucket` draws from, plus one more to make progress. */
export function growWork(h: Hmap, bucket: number): void {
  evacuate(h, bucket & h.oldbuckets!.mask);
  if (h.oldbuckets !== null) evacuate(h, h.nevacuate);
}

/**
 * Takes a new overflow bucket for the full last bucket `gid` of a chain in t: slot 7's entry moves to the new
 * bucket's slot 0 and slot 7 becomes the link. Returns the new bucket's id; its first free slot is 1.
 */
export function newoverflow(h: Hmap, t: Table, gid: number): number {
  const layout = t.layout;
  const ovf = t.allocOverflow();
  const seg = t.seg(gid);
  const lb = t.local(gid);
  const last = Bucket.cnt - 1;
  const top = seg.u8[topByte(layout, lb, last)]!;
  if (top < Slot.minTopHash) throw new Error(`hmap: bad map state: spilling slot with tophash ${top}`);
  moveSlot(layout, seg, lb, last, t.seg(ovf), t.local(ovf), 0, top);
  seg.u8[topByte(layout, lb, last)] = Slot.overflowLink;
  seg.i32[keyWord(layout, lb, last)] = ovf;
  if (seg.side !== null) seg.side[lb * Bucket.cnt + last] = undefined;
  h.incrnoverflow();
  return ovf;
}

/** Moves every entry of old chain `oldbucket` into the new table (Go: evacuate). */
export function evacuate(h: Hmap, oldbucket: number): void {
  const old = h.oldbuckets!;
  const newbit = old.nb;
  if (!evacuated(old, oldbucket)) {
    const nt = h.buckets;
    const same = h.isSameSizeGrow();
    const bw = old.bw;
    const kw = old.kw;
    const vw = old.vw;
    const voff = old.voff;
    const side = old.layout.sideValues;
    const seed = h.seed;
    // X and Y destinations: bucket id, its segment, word base, and next free slot. Main buckets X and Y are
    // fresh (nothing is written to them before this evacuation), so filling starts at slot 0.
    let xb = oldbucket;
    let xseg = nt.seg(xb);
    let xwb = nt.local(xb) * bw;
    let xi = 0;
    let yb = oldbucket + newbit;
    let yseg = same ? xseg : nt.seg(yb);
    let ywb = same ? 0 : nt.local(yb) * bw;
    let yi = 0;
    let gid = oldbucket;
    for (;;) {
      const seg = old.seg(gid);
      const lb = old.local(gid);
      const u8 = seg.u8;
      const i32 = seg.i32;
      const wb = lb * bw;
      const tb = wb << 2;
      for (let i = 0; i < Bucket.cnt; i++) {
        const top = u8[tb + i]!;
        if (top === Slot.overflowLink) continue; // slot 7 keeps the link: iterators may still walk this chain
        if (isEmpty(top)) {
          u8[tb + i] = Slot.evacuatedEmpty;
          continue;
        }
        if (top < Slot.minTopHash) throw new Error(`hmap: bad map state: tophash ${top} in an unevacuated bucket`);
        const k = wb + 2 + i * kw;
        const w0 = i32[k]!;
        const w1 = kw === 2 ? i32[k + 1]! : 0;
        const useY = !same && ((kw === 1 ? hash1(w0, seed) : hash2(w0, w1, seed)) & newbit) !== 0;
        u8[tb + i] = useY ? Slot.evacuatedY : Slot.evacuatedX;
        let dseg: Segment;
        let dwb: number;
        let di: number;
        if (useY) {
          if (yi === Bucket.cnt) {
            yb = newoverflow(h, nt, yb);
            yseg = nt.seg(yb);
            ywb = nt.local(yb) * bw;
            yi = 1;
          }
          dseg = yseg;
          dwb = ywb;
          di = yi++;
        } else {
          if (xi === Bucket.cnt) {
            xb = newoverflow(h, nt, xb);
            xseg = nt.seg(xb);
            xwb = nt.local(xb) * bw;
            xi = 1;
          }
          dseg = xseg;
          dwb = xwb;
          di = xi++;
        }
        const d32 = dseg.i32;
        dseg.u8[(dwb << 2) + di] = top;
        const dk = dwb + 2 + di * kw;
        d32[dk] = w0;
        if (kw === 2) d32[dk + 1] = w1;
        if (vw !== 0) {
          const sv = wb + voff + i * vw;
          const dv = dwb + voff + di * vw;
          d32[dv] = i32[sv]!;
          if (vw === 2) d32[dv + 1] = i32[sv + 1]!;
        }
        if (side) {
          const src = seg.side;
          dseg.sideValues()[(dwb / bw) * Bucket.cnt + di] = src === null ? undefined : src[lb * Bucket.cnt + i];
        }
      }
      if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
      gid = i32[wb + old.linkOff]!;
    }
    h.evacuated++;
  }
  if (oldbucket === h.nevacuate) advanceEvacuationMark(h, newbit);
}

/** Moves nevacuate past evacuated buckets (at most 1024, for O(1) work); ends the growth when all are done. */
export function advanceEvacuationMark(h: Hmap, newbit: number): void {
  h.nevacuate++;
  const stop = Math.min(h.nevacuate + 1024, newbit);
  const old = h.oldbuckets!;
  while (h.nevacuate !== stop && evacuated(old, h.nevacuate)) h.nevacuate++;
  if (h.nevacuate === newbit) {
    // Growth is done: drop the old array. Iterators that still walk it hold their own reference.
    h.oldbuckets = null;
    h.flags &= ~sameSizeGrow;
  }
}
