// Growth (Go: hashGrow, growWork, evacuate, advanceEvacuationMark, newoverflow).
//
// A growth allocates the new bucket array and nothing else. The entries move later, a bucket chain at a time:
// every write that lands on bucket b while the map grows first evacuates old bucket b & oldmask, then one more
// (the lowest not yet evacuated, nevacuate). Old chain i splits into new bucket i (X) and i + 2^oldB (Y) by hash
// bit oldB; a same-size growth copies chain i into new bucket i, re-packed with no holes. When nevacuate reaches
// the old bucket count the old array is dropped. No operation touches more than two old chains plus at most 1024
// evacuation marks.

import { hash1, hash2, hashUnits } from '../hash.js';
import { minDead, refPos } from './arena.js';
import { Hmap, evacuated, keyWord, moveSlot, sameSizeGrow, topByte } from './hmap.js';
import {
  Bucket,
  Segment,
  Slot,
  Table,
  isEmpty,
} from './layout.js';

/**
 * Starts a growth: doubling when over the load factor, otherwise same-size (too many overflow buckets, or
 * `sameSize`: a string arena with more dead units than live ones, see strings.ts compactIfDirty).
 */
export function hashGrow(h: Hmap, sameSize = false): void {
  let bigger = 1;
  if (sameSize || !h.overLoadFactor(h.count + 1, h.B)) {
    bigger = 0;
    h.flags |= sameSizeGrow;
    h.sameSizeGrowths++;
  } else {
    h.doublings++;
  }
  const oldArena = h.buckets.arena;
  const newbuckets = new Table(h.layout, h.B + bigger, oldArena === null ? 0 : oldArena.live);
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

/**
 * Departure from Go, for string kinds: after an operation that made string units dead (a delete, a string value
 * overwritten), starts a same-size growth when the current arena's dead units exceed its live units and
 * minDead. Evacuation copies only live strings, so the next arena holds what the map holds; the copying costs
 * at most the dead units written since the last compaction, so it is amortized O(1) per unit written, and the
 * arena stays below about 2 * live + minDead units (plus the old arena while the growth runs).
 */
export function compactIfDirty(h: Hmap): void {
  if (h.oldbuckets !== null) return;
  const a = h.buckets.arena!;
  if (a.dead > a.live && a.dead > minDead) hashGrow(h, true);
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
  if (seg.kv !== null) {
    seg.kv[2 * (lb * Bucket.cnt + last)] = undefined;
    seg.kv[2 * (lb * Bucket.cnt + last) + 1] = undefined;
  }
  h.incrnoverflow();
  return ovf;
}

/** Moves every entry of old chain `oldbucket` into the new table (Go: evacuate). */
export function evacuate(h: Hmap, oldbucket: number): void {
  const old = h.oldbuckets!;
  const newbit = old.nb;
  if (old.arena !== null || old.anyKeys) {
    if (!evacuated(old, oldbucket)) {
      if (old.anyKeys) evacuateAny(h, old, oldbucket);
      else evacuateStrings(h, old, oldbucket);
      h.evacuated++;
      h.evacuatedTotal++;
    }
  } else if (old.kw === 1 && old.vw === 1) {
    if (!evacuated(old, oldbucket)) {
      evacuateFast32(h, old, oldbucket);
      h.evacuated++;
      h.evacuatedTotal++;
    }
  } else if (!evacuated(old, oldbucket)) {
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
          // The old slot's value is dropped: iterators read moved entries from the live table.
          const src = seg.side;
          const si = lb * Bucket.cnt + i;
          dseg.sideValues()[(dwb / bw) * Bucket.cnt + di] = src === null ? undefined : src[si];
          if (src !== null) src[si] = undefined;
        }
      }
      if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
      gid = i32[wb + old.linkOff]!;
    }
    h.evacuated++;
    h.evacuatedTotal++;
  }
  if (oldbucket === h.nevacuate) advanceEvacuationMark(h, newbit);
}

/**
 * evacuate's body for one-word keys with one-word values (int32 and uint32 keys and values; Go:
 * evacuate_fast32, which repeats evacuate's structure the same way): the general numeric loop above without its
 * branches on key and value width and side values (bench:ab int32 inserts: 1e5 1.10x, 1e6 1.035x, 1e7 1.053x).
 */
function evacuateFast32(h: Hmap, old: Table, oldbucket: number): void {
  const nt = h.buckets;
  const newbit = old.nb;
  const same = h.isSameSizeGrow();
  const bw = old.bw;
  const voff = old.voff;
  const seed = h.seed;
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
    const u8 = seg.u8;
    const i32 = seg.i32;
    const wb = old.local(gid) * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const top = u8[tb + i]!;
      if (top === Slot.overflowLink) continue;
      if (isEmpty(top)) {
        u8[tb + i] = Slot.evacuatedEmpty;
        continue;
      }
      if (top < Slot.minTopHash) throw new Error(`hmap: bad map state: tophash ${top} in an unevacuated bucket`);
      const w0 = i32[wb + 2 + i]!;
      let dseg: Segment;
      let dwb: number;
      let di: number;
      if (!same && (hash1(w0, seed) & newbit) !== 0) {
        u8[tb + i] = Slot.evacuatedY;
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
        u8[tb + i] = Slot.evacuatedX;
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
      dseg.u8[(dwb << 2) + di] = top;
      const d32 = dseg.i32;
      d32[dwb + 2 + di] = w0;
      d32[dwb + voff + di] = i32[wb + voff + i]!;
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
    gid = i32[wb + old.linkOff]!;
  }
}

/**
 * evacuate's body for tables with an arena (string keys or values): the same moves, but a string key's hash
 * comes from its units in the old arena, and every moved string (key, and value of kind string) is copied into
 * the new table's arena; its units turn dead in the old one. Only live entries are copied, so evacuation
 * compacts. The old slots keep their (ref, len) into the old arena, which iterators can still read.
 */
function evacuateStrings(h: Hmap, old: Table, oldbucket: number): void {
  const nt = h.buckets;
  const newbit = old.nb;
  const same = h.isSameSizeGrow();
  const bw = old.bw;
  const kw = old.kw;
  const vw = old.vw;
  const voff = old.voff;
  const layout = old.layout;
  const side = layout.sideValues;
  const strKeys = layout.strKeys;
  const strValues = layout.strValues;
  const oa = old.arena!;
  const na = nt.arena!;
  const seed = h.seed;
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
      if (top === Slot.overflowLink) continue;
      if (isEmpty(top)) {
        u8[tb + i] = Slot.evacuatedEmpty;
        continue;
      }
      if (top < Slot.minTopHash) throw new Error(`hmap: bad map state: tophash ${top} in an unevacuated bucket`);
      const k = wb + 2 + i * kw;
      const w0 = i32[k]!;
      const w1 = kw === 2 ? i32[k + 1]! : 0;
      let useY = false;
      if (!same) {
        const hash = strKeys
          ? hashUnits(oa.chunkOf(w0), refPos(w0), w1, seed)
          : kw === 1
            ? hash1(w0, seed)
            : hash2(w0, w1, seed);
        useY = (hash & newbit) !== 0;
      }
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
      if (strKeys) {
        d32[dk] = na.copy(oa, w0, w1);
        d32[dk + 1] = w1;
        oa.free(w1);
      } else {
        d32[dk] = w0;
        if (kw === 2) d32[dk + 1] = w1;
      }
      if (vw !== 0) {
        const sv = wb + voff + i * vw;
        const dv = dwb + voff + di * vw;
        if (strValues) {
          const vlen = i32[sv + 1]!;
          d32[dv] = na.copy(oa, i32[sv]!, vlen);
          d32[dv + 1] = vlen;
          oa.free(vlen);
        } else {
          d32[dv] = i32[sv]!;
          if (vw === 2) d32[dv + 1] = i32[sv + 1]!;
        }
      }
      if (side) {
        const src = seg.side;
        const si = lb * Bucket.cnt + i;
        dseg.sideValues()[(dwb / bw) * Bucket.cnt + di] = src === null ? undefined : src[si];
        if (src !== null) src[si] = undefined;
      }
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
    gid = i32[wb + old.linkOff]!;
  }
}

/**
 * evacuate's body for keys of kind 'any' (anykeys.ts): the key word is the key's hash, so X or Y is read from it
 * without rehashing, and the side key moves with its slot. The old slot keeps its key (an iterator that started
 * before the growth looks it up in the live table; a delete during the growth clears it: anykeys.ts
 * forgetEvacuated) and loses its side value. String values are copied into the new arena, as in evacuateStrings.
 */
function evacuateAny(h: Hmap, old: Table, oldbucket: number): void {
  const nt = h.buckets;
  const newbit = old.nb;
  const same = h.isSameSizeGrow();
  const bw = old.bw;
  const vw = old.vw;
  const voff = old.voff;
  const layout = old.layout;
  const kvValues = layout.kvValues;
  const strValues = layout.strValues;
  const oa = old.arena;
  const na = nt.arena;
  let xb = oldbucket;
  // Destinations as (segment, local bucket, next free slot).
  let xseg = nt.seg(xb);
  let xlb = nt.local(xb);
  let xi = 0;
  let yb = oldbucket + newbit;
  let yseg = same ? xseg : nt.seg(yb);
  let ylb = same ? 0 : nt.local(yb);
  let yi = 0;
  let gid = oldbucket;
  for (;;) {
    const seg = old.seg(gid);
    const lb = old.local(gid);
    const u8 = seg.u8;
    const i32 = seg.i32;
    const kv = seg.kv!;
    const wb = lb * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const top = u8[tb + i]!;
      if (top === Slot.overflowLink) continue;
      if (isEmpty(top)) {
        u8[tb + i] = Slot.evacuatedEmpty;
        continue;
      }
      if (top < Slot.minTopHash) throw new Error(`hmap: bad map state: tophash ${top} in an unevacuated bucket`);
      const hash = i32[wb + 2 + i]!;
      const useY = !same && (hash & newbit) !== 0;
      u8[tb + i] = useY ? Slot.evacuatedY : Slot.evacuatedX;
      let dseg: Segment;
      let dlb: number;
      let di: number;
      if (useY) {
        if (yi === Bucket.cnt) {
          yb = newoverflow(h, nt, yb);
          yseg = nt.seg(yb);
          ylb = nt.local(yb);
          yi = 1;
        }
        dseg = yseg;
        dlb = ylb;
        di = yi++;
      } else {
        if (xi === Bucket.cnt) {
          xb = newoverflow(h, nt, xb);
          xseg = nt.seg(xb);
          xlb = nt.local(xb);
          xi = 1;
        }
        dseg = xseg;
        dlb = xlb;
        di = xi++;
      }
      const dwb = dlb * bw;
      const d32 = dseg.i32;
      const si = ((lb << 3) | i) << 1;
      const ds = ((dlb << 3) | di) << 1;
      const dkv = dseg.kv!;
      dseg.u8[(dwb << 2) + di] = top;
      d32[dwb + 2 + di] = hash;
      dkv[ds] = kv[si];
      if (kvValues) {
        dkv[ds + 1] = kv[si + 1];
        kv[si + 1] = undefined;
      }
      if (vw !== 0) {
        const sv = wb + voff + i * vw;
        const dv = dwb + voff + di * vw;
        if (strValues) {
          const vlen = i32[sv + 1]!;
          d32[dv] = na!.copy(oa!, i32[sv]!, vlen);
          d32[dv + 1] = vlen;
          oa!.free(vlen);
        } else {
          d32[dv] = i32[sv]!;
          if (vw === 2) d32[dv + 1] = i32[sv + 1]!;
        }
      }
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
    gid = i32[wb + old.linkOff]!;
  }
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
