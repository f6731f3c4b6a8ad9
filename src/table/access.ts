// Lookup (Go: mapaccess1/mapaccess2). Reads the old bucket while it has not been evacuated.

import { Hmap, evacuated } from './hmap.js';
import { Table, bucketCnt, emptyRest, overflowLink, tophash } from './layout.js';

/**
 * Finds the key (hash, w0, w1) and returns its slot (local bucket * 8 + i) in h.hitSeg, or -1.
 * w1 is ignored for one-word keys.
 */
export function mapaccess(h: Hmap, hash: number, w0: number, w1: number): number {
  if (h.count === 0) return -1;
  let t = h.buckets;
  let b = hash & t.mask;
  const old = h.oldbuckets;
  if (old !== null) {
    const ob = hash & old.mask;
    if (!evacuated(old, ob)) {
      t = old;
      b = ob;
    }
  }
  return findInChain(h, t, b, tophash(hash), w0, w1);
}

/** Walks the chain of main bucket b of t looking for the key; sets h.hitSeg on a hit. */
export function findInChain(h: Hmap, t: Table, b: number, top: number, w0: number, w1: number): number {
  const layout = t.layout;
  const bw = layout.bw;
  const kw = layout.kw;
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
        if (th === emptyRest) return -1;
        continue;
      }
      const k = wb + 2 + i * kw;
      if (i32[k] === w0 && (kw === 1 || i32[k + 1] === w1)) {
        h.hitSeg = seg;
        return (lb << 3) | i;
      }
    }
    if (u8[tb + bucketCnt - 1] !== overflowLink) return -1;
    const o = i32[wb + layout.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}
