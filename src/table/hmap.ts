// The map header (Go's hmap) and the small helpers every operation shares.
//
// Invariants (checked by verify.ts):
// - count is the number of live entries: those in `buckets` plus those in unevacuated `oldbuckets` chains.
// - While growing (oldbuckets !== null), old bucket i is either evacuated (every slot of its chain is in an
//   evacuated* state or is the link) or untouched; all old buckets below nevacuate are evacuated. A key lives in
//   exactly one place: an unevacuated old chain or the new table, never both.
// - New bucket b is written only after old bucket b & oldmask has been evacuated (growWork runs first).
// - In a chain, a slot marked Slot.emptyRest is followed only by Slot.emptyRest slots, up to the end of the chain.
// - Only slot 7 may hold Slot.overflowLink; a bucket has a next bucket iff its slot 7 is the link.
// - String kinds (arena.ts): each table's arena.live is the summed length of the strings in that table's live
//   slots; every live slot's (ref, len) lies inside its table's arena; an empty slot of a string-valued table has
//   value len 0. Departure from Go: besides Go's two triggers (load factor, too many overflow buckets), a
//   same-size growth also starts when the current arena's dead units exceed its live units and minDead
//   (strings.ts: compactIfDirty), so the units of deleted and overwritten strings are reclaimed.
// - Keys of kind 'any' (anykeys.ts): a live slot's key word is hashAny(its side key, seed) and its side key is
//   not -0; empty, link and evacuatedEmpty slots hold undefined as side key (and as side value), so the map keeps
//   nothing it no longer holds alive. Old evacuatedX/Y slots keep their key for iterators; a delete during the
//   growth turns the old copy into evacuatedEmpty. Side values (Segment.side or Segment.kv) of evacuated old
//   slots are cleared (iterators read the live value).

import { hash1, hash2, hashUnits, randomSeed } from '../hash.js';
import { refPos } from './arena.js';
import {
  Bucket,
  Layout,
  Segment,
  Slot,
  Table,
} from './layout.js';

// Header flags (Go's values; iterator flags are not needed: old keys are never cleared, see evacuate).
export const sameSizeGrow = 8;

export const growthModes = ['incremental', 'all-at-once'] as const;
export type GrowthMode = (typeof growthModes)[number];

export interface HmapConfig {
  layout: Layout;
  /** Entries the map must hold before its first doubling (Go: make(map, hint)). */
  hint: number;
  /** Fixed seed, or undefined for a random one re-drawn whenever the map empties. */
  seed: number | undefined;
  loadFactor: number;
  growth: GrowthMode;
}

export class Hmap {
  count = 0;
  B: number;
  seed: number;
  buckets: Table;
  oldbuckets: Table | null = null;
  /** Old buckets below this index are evacuated. */
  nevacuate = 0;
  /** Go's approximate overflow-bucket counter: exact below B = 16, sampled at 2^-(B-15) above. */
  noverflow = 0;
  flags = 0;
  /** Old buckets evacuated in the current growth (exact; nevacuate is only a lower bound). */
  evacuated = 0;
  /** Bumped by clear(): iterators started before it stop. */
  clearSeq = 0;
  /** Old buckets evacuated since the map was made (all growths, clear() included; metrics). */
  evacuatedTotal = 0;
  /** Growths started: doublings and same-size. */
  doublings = 0;
  sameSizeGrowths = 0;

  readonly layout: Layout;
  readonly loadFactor: number;
  readonly incremental: boolean;
  readonly fixedSeed: boolean;
  readonly initialB: number;

  /**
   * Slot (local bucket * 8 + i) of the last hit: mapaccess and mapassign return the segment and leave the slot
   * here (a small integer: no allocation, no write barrier).
   */
  hitSlot = 0;
  /** xorshift state for incrnoverflow's sampling. */
  private rng: number;
  /** Thresholds derived from B (kept out of the insert path): see setB. */
  private maxCount = 0;
  private maxOverflow = 0;
  private overflowSampleMask = 0;

  constructor(cfg: HmapConfig) {
    this.layout = cfg.layout;
    this.loadFactor = cfg.loadFactor;
    this.incremental = cfg.growth === 'incremental';
    this.fixedSeed = cfg.seed !== undefined;
    this.seed = cfg.seed === undefined ? randomSeed() : cfg.seed | 0;
    this.rng = randomSeed() | 1;
    let B = 0;
    while (this.overLoadFactor(cfg.hint, B)) B++;
    this.initialB = B;
    this.B = 0;
    this.setB(B);
    this.buckets = new Table(this.layout, B);
  }

  /** Sets B and the thresholds that depend on it. */
  setB(B: number): void {
    this.B = B;
    this.maxCount = Math.max(Bucket.cnt, Math.min(0x7fffffff, Math.floor(this.loadFactor * (1 << B)))) | 0;
    // Go's threshold (about as many overflow buckets as buckets) assumes the load factor is below the 8 slots
    // of a bucket. Above 8 (an experiment's setting), chains overflow at steady state without any churn, so
    // the threshold scales with the load factor; at Go's 6.5 it is exactly Go's.
    const perBucket = this.loadFactor <= Bucket.cnt ? 1 : Math.ceil(this.loadFactor / 4);
    this.maxOverflow = (1 << Math.min(B, 15)) * perBucket;
    this.overflowSampleMask = B < 16 ? 0 : (1 << (B - 15)) - 1;
  }

  /** Whether count entries in 2^B buckets exceed the load factor (Go: overLoadFactor). */
  overLoadFactor(count: number, B: number): boolean {
    return count > Bucket.cnt && count > this.loadFactor * 2 ** B; // not 1 << B: the sizing loop passes B = 31
  }

  /** overLoadFactor(count + 1, this.B), without the arithmetic: the insert path asks this on every new key. */
  full(): boolean {
    return this.count >= this.maxCount;
  }

  /**
   * Whether a new key may take a free slot without starting a growth: under the load factor and not too many
   * overflow buckets (Go's two tests in mapassign), asked by the insert fast path (mapassignFast32).
   */
  room(): boolean {
    return this.count < this.maxCount && this.noverflow < this.maxOverflow;
  }

  /** Whether there are about as many overflow buckets as main buckets (Go: tooManyOverflowBuckets). */
  tooManyOverflowBuckets(): boolean {
    return this.noverflow >= this.maxOverflow;
  }

  /** Go: incrnoverflow. Counts exactly while B < 16, then with probability 2^-(B-15), so 2^15 means ~2^B. */
  incrnoverflow(): void {
    if (this.overflowSampleMask === 0) {
      this.noverflow++;
      return;
    }
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x;
    if ((x & this.overflowSampleMask) === 0) this.noverflow++;
  }

  growing(): boolean {
    return this.oldbuckets !== null;
  }

  isSameSizeGrow(): boolean {
    return (this.flags & sameSizeGrow) !== 0;
  }

  /**
   * Hash of the key stored at word `kw` of `seg`. For keys of kind 'any' that is the stored hash word, which is
   * the key's hash under the current seed for every live entry (the seed changes only when the map is empty).
   */
  hashAt(seg: Segment, kw: number): number {
    const i32 = seg.i32;
    if (this.layout.anyKeys) return i32[kw]!;
    if (this.layout.strKeys) {
      const ref = i32[kw]!;
      return hashUnits(seg.arena!.chunkOf(ref), refPos(ref), i32[kw + 1]!, this.seed);
    }
    return this.layout.kw === 1 ? hash1(i32[kw]!, this.seed) : hash2(i32[kw]!, i32[kw + 1]!, this.seed);
  }

  /** A fresh seed when the map empties (Go re-seeds on clear and when count drops to 0). */
  reseed(): void {
    if (!this.fixedSeed) this.seed = randomSeed();
  }

  /** Drops every entry and returns to the initial size (Go: mapclear; the memory is released, not zeroed). */
  clear(): void {
    this.count = 0;
    this.setB(this.initialB);
    this.buckets = new Table(this.layout, this.B);
    this.oldbuckets = null;
    this.nevacuate = 0;
    this.noverflow = 0;
    this.evacuated = 0;
    this.flags = 0;
    this.clearSeq++;
    this.reseed();
  }

  get bytes(): number {
    return this.buckets.bytes + (this.oldbuckets === null ? 0 : this.oldbuckets.bytes);
  }
}

/** Word index of slot i's key in local bucket lb. */
export function keyWord(layout: Layout, lb: number, i: number): number {
  return lb * layout.bw + 2 + i * layout.kw;
}

/** Word index of slot i's value in local bucket lb (meaningless when vw is 0). */
export function valueWord(layout: Layout, lb: number, i: number): number {
  return lb * layout.bw + layout.voff + i * layout.vw;
}

/** Byte index of slot i's tophash in local bucket lb. */
export function topByte(layout: Layout, lb: number, i: number): number {
  return lb * layout.bw * 4 + i;
}

/** Whether old main bucket b has been evacuated (Go: evacuated(b)); slot 0 carries the bucket's state. */
export function evacuated(t: Table, b: number): boolean {
  const top = t.seg(b).u8[topByte(t.layout, t.local(b), 0)]!;
  return top > Slot.emptyOne && top <= Slot.evacuatedEmpty;
}

/**
 * Copies slot si of (sseg, slb) into slot di of (dseg, dlb), tophash included. Used by evacuation and by the
 * overflow spill; the source slot is left as it is.
 */
export function moveSlot(
  layout: Layout,
  sseg: Segment,
  slb: number,
  si: number,
  dseg: Segment,
  dlb: number,
  di: number,
  top: number,
): void {
  dseg.u8[topByte(layout, dlb, di)] = top;
  const sk = keyWord(layout, slb, si);
  const dk = keyWord(layout, dlb, di);
  const s32 = sseg.i32;
  const d32 = dseg.i32;
  d32[dk] = s32[sk]!;
  if (layout.kw === 2) d32[dk + 1] = s32[sk + 1]!;
  const vw = layout.vw;
  if (vw !== 0) {
    const sv = valueWord(layout, slb, si);
    const dv = valueWord(layout, dlb, di);
    d32[dv] = s32[sv]!;
    if (vw === 2) d32[dv + 1] = s32[sv + 1]!;
  }
  if (layout.sideValues) {
    const src = sseg.side;
    dseg.sideValues()[dlb * Bucket.cnt + di] = src === null ? undefined : src[slb * Bucket.cnt + si];
  }
  if (layout.anyKeys) {
    const s = 2 * (slb * Bucket.cnt + si);
    const d = 2 * (dlb * Bucket.cnt + di);
    dseg.kv![d] = sseg.kv![s];
    dseg.kv![d + 1] = sseg.kv![s + 1];
  }
}
