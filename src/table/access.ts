// Lookup (Go: mapaccess1/mapaccess2, and map_fast32.go / map_fast64.go's specialized versions).
//
// Every lookup returns the segment holding the key, or null, and leaves the slot in h.hitSlot. As in Go there
// is one variant per key width: the loops below are the hottest code in the library, and a one-word loop
// without the width test runs measurably faster (fewer instructions per lookup let the CPU overlap more
// cache misses of consecutive lookups on large maps).

import { Hmap, evacuated } from './hmap.js';
import { Segment, Table, bucketCnt, emptyRest, overflowLink, tophash } from './layout.js';

/** The table and main bucket to search for `hash`: the old one while its bucket is not yet evacuated. */
function homeTable(h: Hmap, hash: number): Table {
  const old = h.oldbuckets;
  if (old !== null && !evacuated(old, hash & old.mask)) return old;
  return h.buckets;
}

/** Finds a one-word key (int32, uint32). Go: mapaccess1_fast32. */
export function mapaccessFast32(h: Hmap, hash: number, w0: number): Segment | null {
  if (h.count === 0) return null;
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
    for (let i = 0; i < bucketCnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === emptyRest) return null;
        continue;
      }
      if (i32[wb + 2 + i] === w0) {
        h.hitSlot = (lb << 3) | i;
        return seg;
      }
    }
    if (u8[tb + bucketCnt - 1] !== overflowLink) return null;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}

/** Finds a two-word key (float64, bigint64 bit patterns). Go: mapaccess1_fast64. */
export function mapaccessFast64(h: Hmap, hash: number, w0: number, w1: number): Segment | null {
  if (h.count === 0) return null;
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
    for (let i = 0; i < bucketCnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === emptyRest) return null;
        continue;
      }
      const k = wb + 2 + 2 * i;
      if (i32[k] === w0 && i32[k + 1] === w1) {
        h.hitSlot = (lb << 3) | i;
        return seg;
      }
    }
    if (u8[tb + bucketCnt - 1] !== overflowLink) return null;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}

/** Finds a key of either width (Go: mapaccess2). */
export function mapaccess(h: Hmap, hash: number, w0: number, w1: number): Segment | null {
  return h.layout.kw === 1 ? mapaccessFast32(h, hash, w0) : mapaccessFast64(h, hash, w0, w1);
}
