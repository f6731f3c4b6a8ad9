// Lookup (Go: mapaccess1/mapaccess2, and map_fast32.go / map_fast64.go's specialized versions).
//
// mapaccess1Fast32/64 return the value itself (undefined when absent), as Go's mapaccess1 does, one variant
// per key width as in Go's map_fast32.go / map_fast64.go; mapaccess returns the segment holding the key. These loops are the hottest code in the library and their length matters on large maps:
// fewer instructions per lookup let the CPU overlap the cache misses of consecutive lookups. Reading the
// value inside the hit branch instead of recomputing its address afterwards made get ~30% faster at 1e6 keys.

import { Hmap, evacuated } from './hmap.js';
import {
  Bucket,
  Segment,
  Slot,
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
  const w = wb + t.voff + i * t.vw;
  if (vk === ValueRep.int32) return seg.i32[w];
  if (vk === ValueRep.float64) return seg.f64[w >>> 1];
  if (vk === ValueRep.uint32) return seg.i32[w]! >>> 0;
  // Out of line: the lookups inline valueAt into their callers' loops, whose inlining budget counts bytecode
  // bytes (metrics.ts); these kinds allocate (a BigInt, a string) or read a side array anyway.
  return valueAtOther(t, seg, wb, i, w);
}

/** valueAt for value kinds bigint64, string and any. */
function valueAtOther(t: Table, seg: Segment, wb: number, i: number, w: number): unknown {
  const vk = t.vk;
  if (vk === ValueRep.bigint64) return seg.b64[w >>> 1];
  if (vk === ValueRep.string) return t.arena!.read(seg.i32[w]!, seg.i32[w + 1]!);
  const side = seg.side;
  return side === null ? undefined : side[(wb / t.bw) * Bucket.cnt + i];
}

/** The value of a one-word key (int32, uint32), or undefined. Go: mapaccess1_fast32. */
export function mapaccess1Fast32(h: Hmap, hash: number, w0: number): unknown {
  // No count === 0 shortcut: an empty table's slots are all emptyRest, and the test costs every hit.
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const b = hash & t.mask;
  const top = tophash(hash);
  const bw = t.bw;
  let seg = t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const u8 = seg.u8;
    const i32 = seg.i32;
    const wb = lb * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === Slot.emptyRest) return undefined;
        continue;
      }
      if (i32[wb + 2 + i] === w0) return valueAt(t, seg, wb, i);
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return undefined;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}

/** The value of a two-word key (float64, bigint64), or undefined. Go: mapaccess1_fast64. */
export function mapaccess1Fast64(h: Hmap, hash: number, w0: number, w1: number): unknown {
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const b = hash & t.mask;
  const top = tophash(hash);
  const bw = t.bw;
  let seg = t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const u8 = seg.u8;
    const i32 = seg.i32;
    const wb = lb * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === Slot.emptyRest) return undefined;
        continue;
      }
      const k = wb + 2 + 2 * i;
      if (i32[k] === w0 && i32[k + 1] === w1) return valueAt(t, seg, wb, i);
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return undefined;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
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
  const top = tophash(hash);
  const bw = t.bw;
  const kw = t.kw;
  let seg = t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const u8 = seg.u8;
    const i32 = seg.i32;
    const wb = lb * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === Slot.emptyRest) return null;
        continue;
      }
      const k = wb + 2 + i * kw;
      if (i32[k] === w0 && (kw === 1 || i32[k + 1] === w1)) {
        h.hitSlot = (lb << 3) | i;
        return seg;
      }
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return null;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}
