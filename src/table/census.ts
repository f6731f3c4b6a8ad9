// Census: a read-only walk over every bucket chain of a table, for the lab (load-factor, chain-lengths, churn).
// Nothing on the map's own paths calls it, and it writes nothing.
//
// For each main bucket b it walks b's chain exactly as a lookup does (access.ts: mapaccess1Fast32/64,
// mapaccess): slots 0..7 of a bucket in order, stop at the first Slot.emptyRest, follow the link when slot 7 is
// Slot.overflowLink. It records per chain:
//   entries      live entries (tophash >= Slot.minTopHash) in the chain
//   buckets      1 + overflow buckets linked from b
//   missSlots    tophash bytes a lookup of an absent key that lands in b reads: every slot up to and including
//                the first emptyRest, or all 8 slots of each bucket it passes (the link slot counted once, though
//                the loop reads it twice: once as "not my tophash", once as "is it the link?")
//   hitSlots     the sum, over the chain's entries, of the tophash bytes a lookup of that entry reads: an entry in
//                slot i of the chain's j-th bucket (0-based) costs 8 * j + i + 1
// and from those the figures of Go's table in the runtime/map.go header comment:
//   hitProbe     Go's hitprobe: entries checked to find a present key = mean over keys of the key's 1-based position
//                among its chain's entries in lookup order = sum over chains of e(e+1)/2, divided by count
//   missProbe    Go's missprobe: entries checked for an absent key landing in a uniformly random bucket = mean of
//                entries over chains = count / buckets
//   hitSlots, missSlots  the same two means counted in tophash bytes read (empty slots and links included)
//   overflowShare  share of main buckets with at least one overflow bucket (Go's %overflow)
//   histogram    chains by entries: histogram[e] = chains holding exactly e entries
//
// A growing table is refused (census throws): while growing, a lookup picks the old or the new array per bucket and
// half-moved chains make "entries per chain" ambiguous. The lab first finishes the growth by documented means
// (finishGrowth in src/lab/measure.ts: deletes of an absent key, each of which evacuates up to two old chains).

import type { Hmap } from './hmap.js';
import { Bucket, Slot, Table } from './layout.js';

export interface Census {
  /** Main buckets (2^B). */
  buckets: number;
  /** Live entries found (equals the header's count). */
  count: number;
  /** Per main bucket: live entries in its chain. */
  entries: Int32Array;
  /** Per main bucket: buckets in its chain (1 + overflow buckets). */
  chainBuckets: Int32Array;
  /** Per main bucket: tophash bytes read by a lookup of an absent key landing there. */
  chainMissSlots: Int32Array;
  /** Per main bucket: sum over the chain's entries of the tophash bytes read to find each. */
  chainHitSlots: Float64Array;
  /** Chains by entries: histogram[e] = number of chains with exactly e entries (length = max entries + 1). */
  histogram: number[];
  /** Overflow buckets linked in chains (equals the table's novf: hmap never unlinks one). */
  overflowBuckets: number;
  /** Main buckets with at least one overflow bucket. */
  chainsWithOverflow: number;
  /** chainsWithOverflow / buckets (Go's %overflow, as a fraction). */
  overflowShare: number;
  /** Longest chain in entries and in buckets. */
  maxEntries: number;
  maxChainBuckets: number;
  /** Go's hitprobe: mean 1-based position of a present key among its chain's entries. NaN when empty. */
  hitProbe: number;
  /** Go's missprobe: mean entries in the chain of a uniformly random bucket (count / buckets). */
  missProbe: number;
  /** Mean tophash bytes read to find a present key. NaN when empty. */
  hitSlots: number;
  /** Mean tophash bytes read for an absent key landing in a uniformly random bucket. */
  missSlots: number;
  /** Every ArrayBuffer byte the table holds. */
  bytes: number;
}

/** Per-chain numbers of one table (the walk), without the summary. */
export interface ChainWalk {
  entries: Int32Array;
  chainBuckets: Int32Array;
  missSlots: Int32Array;
  hitSlots: Float64Array;
}

/** Walks every chain of t as a lookup would (see the header comment). Reads only. */
export function walkChains(t: Table): ChainWalk {
  const nb = t.nb;
  const entries = new Int32Array(nb);
  const chainBuckets = new Int32Array(nb);
  const missSlots = new Int32Array(nb);
  const hitSlots = new Float64Array(nb);
  const bw = t.bw;
  const linkOff = t.linkOff;
  for (let b = 0; b < nb; b++) {
    let seg = t.segs[b >>> t.mainShift]!;
    let lb = b & t.mainMask;
    let e = 0;
    let nbk = 0;
    let hit = 0;
    let miss = 0;
    // Whether the lookup of an absent key has stopped (at an emptyRest); the walk goes on to count the chain's
    // buckets and entries (by the emptyRest invariant no entry follows, but the buckets are still linked).
    let stopped = false;
    for (;;) {
      const u8 = seg.u8;
      const tb = (lb * bw) << 2;
      for (let i = 0; i < Bucket.cnt; i++) {
        const th = u8[tb + i]!;
        if (!stopped) miss++;
        if (th === Slot.emptyRest) stopped = true;
        if (th >= Slot.minTopHash) {
          e++;
          hit += nbk * Bucket.cnt + i + 1;
        }
      }
      nbk++;
      if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
      const o = seg.i32[lb * bw + linkOff]! - nb;
      seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
      lb = o & t.chunkMask;
    }
    entries[b] = e;
    chainBuckets[b] = nbk;
    missSlots[b] = miss;
    hitSlots[b] = hit;
  }
  return { entries, chainBuckets, missSlots, hitSlots };
}

/** The census of the map's table (see the header comment). Throws while the map is growing. */
export function census(h: Hmap): Census {
  if (h.oldbuckets !== null) {
    throw new Error('census: the map is growing; finish the growth first (finishGrowth in src/lab/measure.ts)');
  }
  const t = h.buckets;
  const w = walkChains(t);
  const nb = t.nb;
  let count = 0;
  let hitPos = 0;
  let hitSlots = 0;
  let missSlots = 0;
  let ovf = 0;
  let withOvf = 0;
  let maxE = 0;
  let maxC = 0;
  for (let b = 0; b < nb; b++) {
    const e = w.entries[b]!;
    const c = w.chainBuckets[b]!;
    count += e;
    hitPos += (e * (e + 1)) / 2;
    hitSlots += w.hitSlots[b]!;
    missSlots += w.missSlots[b]!;
    ovf += c - 1;
    if (c > 1) withOvf++;
    if (e > maxE) maxE = e;
    if (c > maxC) maxC = c;
  }
  const histogram = new Array<number>(maxE + 1).fill(0);
  for (let b = 0; b < nb; b++) histogram[w.entries[b]!]!++;
  return {
    buckets: nb,
    count,
    entries: w.entries,
    chainBuckets: w.chainBuckets,
    chainMissSlots: w.missSlots,
    chainHitSlots: w.hitSlots,
    histogram,
    overflowBuckets: ovf,
    chainsWithOverflow: withOvf,
    overflowShare: withOvf / nb,
    maxEntries: maxE,
    maxChainBuckets: maxC,
    hitProbe: count === 0 ? NaN : hitPos / count,
    missProbe: count / nb,
    hitSlots: count === 0 ? NaN : hitSlots / count,
    missSlots: missSlots / nb,
    bytes: t.bytes,
  };
}

/**
 * Buckets, absent-key tophash bytes and summed present-key tophash bytes of a chain of e entries written without
 * deletes ("packed"): inserts and evacuation fill slots in order, and a full bucket's slot 7 entry moves to the
 * next bucket when a ninth arrives, so every bucket but the last holds 7 entries and the link, and the last holds
 * the remaining 1..8 (0 for an empty chain). Used to predict the census of a fresh map from a chain-length model.
 */
export function packedChain(e: number): { buckets: number; missSlots: number; hitSlots: number } {
  const buckets = e <= Bucket.cnt ? 1 : 1 + Math.ceil((e - Bucket.cnt) / (Bucket.cnt - 1));
  const full = buckets - 1; // buckets of 7 entries + link
  const r = e - (Bucket.cnt - 1) * full; // entries in the last bucket
  const missSlots = Bucket.cnt * full + (r < Bucket.cnt ? r + 1 : Bucket.cnt);
  // Bucket j (< full) holds entries in slots 0..6: sum of 8j + i + 1 over i = 0..6 is 56j + 28.
  const hitSlots = 56 * ((full * (full - 1)) / 2) + 28 * full + Bucket.cnt * full * r + (r * (r + 1)) / 2;
  return { buckets, missSlots, hitSlots };
}
