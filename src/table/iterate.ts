// Iteration (Go: mapiterinit, mapiternext).
//
// An iterator walks the bucket array that was current when it started, from a random bucket and a random slot
// offset. If the map grows meanwhile, that array becomes old: its evacuated slots keep their keys (we never
// clear them), so for each one the iterator looks the key up in the live map and returns the live entry, or
// nothing if it was deleted. If it started during a growth, for each new bucket whose old bucket is not yet
// evacuated it reads the old chain and keeps only the keys that belong to this new bucket.
//
// The overflow spill (layout.ts) moves slot 7's entry to slot 0 of a new overflow bucket. If the iterator had
// already seen that entry in slot 7, it skips slot 0 of the next bucket, so the entry is not returned twice.
//
// String keys: an old slot's (ref, len) point into the old table's arena, which its segments keep alive, so a
// moved key is read from there and looked up as a string (mapaccessStrSeg). Keys of kind 'any': an old slot keeps
// its side key until the key is deleted (then the slot is evacuatedEmpty and skipped), and it is looked up by it.

import { mapaccess } from './access.js';
import { Hmap, evacuated, keyWord, topByte } from './hmap.js';
import {
  Bucket,
  Segment,
  Slot,
  Table,
  isEmpty,
} from './layout.js';
import { hashString, randomSeed } from '../hash.js';
import { mapaccessStrSeg } from './strings.js';
import { hashAny, mapaccessAnySeg } from './anykeys.js';

const noCheck = -1;

export class MapIter {
  readonly h: Hmap;
  /** Bucket array current at start. */
  readonly t: Table;
  readonly B: number;
  readonly startBucket: number;
  readonly offset: number;
  readonly clearSeq: number;
  /** Next main bucket index to visit. */
  bucket: number;
  wrapped = false;
  /** Table and id of the bucket being walked; gid < 0: none (take the next main bucket). */
  cur: Table;
  gid = -1;
  i = 0;
  checkBucket = noCheck;
  /**
   * Whether entries of the old chain being read must be filtered by checkBucket: decided when the chain is
   * chosen (a doubling was in progress), not per entry. Go reads h.sameSizeGrow() per entry, which goes wrong
   * if the doubling ends and a same-size growth starts while the iterator is still inside the old chain: the
   * sibling bucket's keys would be returned here and again from the sibling.
   */
  splitOld = false;
  /** Slot 7 of the current bucket held an entry when we passed it. */
  sawLast = false;
  /** Skip slot 0 of the current bucket: it holds the entry we already saw in the previous bucket's slot 7. */
  skipFirst = false;
  done = false;

  /** Result: where the current entry's key and value are. */
  seg: Segment;
  slot = 0;

  constructor(h: Hmap) {
    this.h = h;
    this.t = h.buckets;
    this.cur = h.buckets;
    this.B = h.B;
    this.clearSeq = h.clearSeq;
    const r = randomSeed();
    this.startBucket = r & this.t.mask;
    this.offset = (r >>> 28) & (Bucket.cnt - 1);
    this.bucket = this.startBucket;
    this.seg = this.t.segs[0]!;
  }
}

/** Advances to the next entry; returns false at the end. On true, it.seg / it.slot locate the entry. */
export function mapiternext(it: MapIter): boolean {
  const h = it.h;
  if (it.done) return false;
  if (h.clearSeq !== it.clearSeq) {
    it.done = true;
    return false;
  }
  const layout = h.layout;
  for (;;) {
    if (it.gid < 0) {
      if (it.bucket === it.startBucket && it.wrapped) {
        it.done = true;
        return false;
      }
      const bucket = it.bucket;
      const old = h.oldbuckets;
      if (old !== null && it.B === h.B) {
        // Started during this growth: it.t is the new array (or, for a same-size growth that began before
        // the iterator, the old one itself). Read the old chain while it is not evacuated.
        const ob = bucket & old.mask;
        if (!evacuated(old, ob)) {
          it.cur = old;
          it.gid = ob;
          it.checkBucket = bucket;
          it.splitOld = !h.isSameSizeGrow();
        } else {
          it.cur = it.t;
          it.gid = bucket;
          it.checkBucket = noCheck;
        }
      } else {
        it.cur = it.t;
        it.gid = bucket;
        it.checkBucket = noCheck;
      }
      it.bucket = bucket + 1 === it.t.nb ? 0 : bucket + 1;
      if (it.bucket === 0) it.wrapped = true;
      it.i = 0;
      it.sawLast = false;
      it.skipFirst = false;
    }
    const t = it.cur;
    const seg = t.seg(it.gid);
    const lb = t.local(it.gid);
    const u8 = seg.u8;
    const tb = topByte(layout, lb, 0);
    while (it.i < Bucket.cnt) {
      const offi = (it.i + it.offset) & (Bucket.cnt - 1);
      it.i++;
      const top = u8[tb + offi]!;
      if (isEmpty(top) || top === Slot.evacuatedEmpty || top === Slot.overflowLink) continue;
      if (offi === Bucket.cnt - 1) it.sawLast = true;
      if (offi === 0 && it.skipFirst) continue;
      const kw = keyWord(layout, lb, offi);
      if (it.checkBucket !== noCheck && it.splitOld) {
        // Old chain read on behalf of new bucket checkBucket: keep only the keys that will move there.
        if ((h.hashAt(seg, kw) & it.t.mask) !== it.checkBucket) continue;
      }
      if (top !== Slot.evacuatedX && top !== Slot.evacuatedY) {
        it.seg = seg;
        it.slot = (lb << 3) | offi;
        return true;
      }
      // The entry has moved since the iterator started: return the live one, if the key is still there.
      const i32 = seg.i32;
      let live: Segment | null;
      if (layout.strKeys) {
        // The key's units are in this (old) table's arena, which the segment keeps alive; look it up as a string.
        const s = seg.arena!.read(i32[kw]!, i32[kw + 1]!);
        live = mapaccessStrSeg(h, hashString(s, h.seed), s);
      } else if (layout.anyKeys) {
        // The old slot keeps its side key; hashed afresh, as the map may have re-seeded since this table was live.
        const k = seg.kv![((lb << 3) | offi) << 1];
        live = mapaccessAnySeg(h, hashAny(k, h.seed), k);
      } else {
        live = mapaccess(h, h.hashAt(seg, kw), i32[kw]!, layout.kw === 2 ? i32[kw + 1]! : 0);
      }
      if (live === null) continue;
      it.seg = live;
      it.slot = h.hitSlot;
      return true;
    }
    // End of this bucket: follow the chain.
    if (u8[tb + Bucket.cnt - 1] === Slot.overflowLink) {
      it.skipFirst = it.sawLast;
      it.sawLast = false;
      it.gid = seg.i32[keyWord(layout, lb, Bucket.cnt - 1)]!;
      it.i = 0;
    } else {
      it.gid = -1;
    }
  }
}
