// Lookup (Go: mapaccess1/mapaccess2, and map_fast32.go / map_fast64.go's specialized versions).
//
// mapaccess1Fast32/64 return the value itself (undefined when absent), as Go's mapaccess1 does, one variant
// per key width as in Go's map_fast32.go / map_fast64.go; mapaccess returns the segment holding the key. These loops are the hottest code in the library and their length matters on large maps:
// fewer instructions per lookup let the CPU overlap the cache misses of consecutive lookups. Reading the
// value inside the hit branch instead of recomputing its address afterwards made get ~30% faster at 1e6 keys.

import { Hmap, evacuated } from './hmap.js';
import {
  Bucket,
  matches,
  Segment,
  Slot,
  slotOf,
  Table,
  tophash,
  ValueRep,
} from './layout.js';

/** The table and main bucket to search for `hash`: the old one while its bucket is not yet evacuated. */
export function homeTable(h: Hmap, hash: number): Table {
  const old = h.oldbuckets;
  if (old !== null && !evacuated(old, hash & old.mask)) return old;
  return h.buckets;
}

/** The value in slot i of the bucket at word wb of seg, read by the table's value kind. */
export function valueAt(t: Table, seg: Segment, wb: number, i: number): unknown {
  const vk = t.vk;
  // Each kind knows its value width (int32, uint32: 1 word; float64: 2), so t.vw is read only out of line.
  // values[0] starts at an even word (bucket and key sizes are even), so w >>> 1 indexes the Float64Array.
  const w = wb + t.voff;
  if (vk === ValueRep.int32) return seg.i32[w + i];
  if (vk === ValueRep.float64) return seg.f64[(w >>> 1) + i];
  if (vk === ValueRep.uint32) return seg.i32[w + i]! >>> 0;
  // Out of line: the lookups inline valueAt into their callers' loops, whose inlining budget counts bytecode
  // bytes (metrics.ts); these kinds allocate (a BigInt, a string) or read a side array anyway.
  return valueAtOther(t, seg, wb, i, w + i * t.vw);
}

/** valueAt for value kinds bigint64, string and any. */
function valueAtOther(t: Table, seg: Segment, wb: number, i: number, w: number): unknown {
  const vk = t.vk;
  if (vk === ValueRep.bigint64) return seg.b64[w >>> 1];
  if (vk === ValueRep.string) return t.arena!.read(seg.i32[w]!, seg.i32[w + 1]!);
  const side = seg.side;
  return side === null ? undefined : side[(wb / t.bw) * Bucket.cnt + i];
}

/**
 * The value of a one-word key (int32, uint32), or undefined. Go: mapaccess1_fast32, with one departure: the
 * bucket's 8 tophash bytes are compared at once, as two 32-bit words (see matches), not one by one, so a hit
 * tests one candidate slot, usually the right one, instead of running a byte loop whose exit mispredicts on
 * nearly every random lookup (and a misprediction discards the next lookups' loads, which the CPU had started).
 * Measured against the byte loop (A/B of two builds in one process, both load orders, int32 -> int32 random
 * hits): 1e4 keys 37 -> 22-23 ns, 1e6 keys 210-215 -> 127-133 ns, 1e7 keys 245-294 -> 159-202 ns. Without the
 * byte loop there is no early stop at emptyRest: a miss reads the whole bucket, which it has loaded anyway.
 * A table below 2^22 buckets has one main segment, read from t.seg0 without the segs array and its bounds check
 * (all lookups and mapassignFast32 do this; bench:ab against the build before, int32 gets: 1e4 1.11-1.12x, 1e6
 * 1.03-1.06x, 1e7 1.07-1.10x; float64 gets 1e4 1.09x, 1e6 1.06x; int32 inserts 1e5 1.10x, 1e6 1.015x).
 * The main bucket is probed here, its overflow chain out of line (mapaccess1Chain32): the code is inlined into
 * get and get into its callers' loops, within TurboFan's inlining budget (metrics.ts; test/anchors.test.ts).
 */
export function mapaccess1Fast32(h: Hmap, hash: number, w0: number): unknown {
  // No count === 0 shortcut: an empty table's tophash bytes are all emptyRest, and the test costs every hit.
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const b = hash & t.mask;
  const seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  const wb = (b & t.mainMask) * t.bw;
  const ones = 0x01010101;
  const pat = (tophash(hash) * ones) | 0;
  const i32 = seg.i32;
  const hi = i32[wb + 1]!;
  const x = hi ^ pat;
  const y = i32[wb]! ^ pat;
  // matches(y, x), written out: a call's bytes count against the callers' inlining budget too.
  for (let m = (((y - ones) & ~y & 0x80808080) >>> 7) | (((x - ones) & ~x & 0x80808080) >>> 6); m !== 0; m &= m - 1) {
    const bit = 31 - Math.clz32(m & -m);
    const i = (bit >>> 3) | ((bit & 1) << 2);
    if (i32[wb + 2 + i] === w0) return valueAt(t, seg, wb, i);
  }
  return hi >>> 24 !== Slot.overflowLink ? undefined : mapaccess1Chain32(t, i32[wb + t.linkOff]!, pat, w0);
}

/** mapaccess1Fast32 in the overflow buckets of a chain, from the bucket whose global id is `link`. */
function mapaccess1Chain32(t: Table, link: number, pat: number, w0: number): unknown {
  for (;;) {
    const o = link - t.nb;
    const seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    const wb = (o & t.chunkMask) * t.bw;
    const i32 = seg.i32;
    const hi = i32[wb + 1]!;
    for (let m = matches(i32[wb]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      if (i32[wb + 2 + i] === w0) return valueAt(t, seg, wb, i);
    }
    if (hi >>> 24 !== Slot.overflowLink) return undefined;
    link = i32[wb + t.linkOff]!;
  }
}

/** The value of a two-word key (float64, bigint64), or undefined. Go: mapaccess1_fast64. */
export function mapaccess1Fast64(h: Hmap, hash: number, w0: number, w1: number): unknown {
  // The tophash comparison of mapaccess1Fast32, through matches and slotOf, and the chain in the same loop: the
  // two-word get paths do not fit a caller's inlining budget either way. Keys are two words.
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const b = hash & t.mask;
  const pat = (tophash(hash) * 0x01010101) | 0;
  let seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  let wb = (b & t.mainMask) * t.bw;
  for (;;) {
    const i32 = seg.i32;
    const hi = i32[wb + 1]!;
    for (let m = matches(i32[wb]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      const k = wb + 2 + 2 * i;
      if (i32[k] === w0 && i32[k + 1] === w1) return valueAt(t, seg, wb, i);
    }
    if (hi >>> 24 !== Slot.overflowLink) return undefined;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    wb = (o & t.chunkMask) * t.bw;
  }
}

/**
 * Finds a key of either width (Go: mapaccess2) and returns its segment, with the slot in h.hitSlot, or null.
 * Used by has() and by iterators following moved keys; get() uses the value-returning loops above.
 */
export function mapaccess(h: Hmap, hash: number, w0: number, w1: number): Segment | null {
  if (h.count === 0) return null;
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const b = hash & t.mask;
  const pat = (tophash(hash) * 0x01010101) | 0;
  const bw = t.bw;
  const kw = t.kw;
  let seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const i32 = seg.i32;
    const wb = lb * bw;
    const hi = i32[wb + 1]!;
    for (let m = matches(i32[wb]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      const k = wb + 2 + i * kw;
      if (i32[k] === w0 && (kw === 1 || i32[k + 1] === w1)) {
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
