// Keys of kind 'any': every value Map accepts, compared with SameValueZero (lookup, insert, delete, and the hash).
//
// A slot's one key word holds the key's full 32-bit hash (hashAny below) and the key itself lives in the
// segment's side array Segment.kv, at 2 * slot, with a value of kind 'any' next to it (layout.ts). A probe
// compares the tophash byte, then the hash word, then the side key: `stored === key`, or both NaN (sameKey). -0 is stored as +0, as Map does. The numeric paths
// (access.ts, assign.ts, delete.ts) stay as they are; these mirror them, as strings.ts does for string keys.
// Evacuation (grow.ts: evacuateAny) reads X/Y from the stored hash, without rehashing, and moves the side key.
//
// Hashes, per type (each mixed with the map's seed; a per-type tweak of the seed keeps, say, 1, 1n, true and an
// object whose id is 1 apart):
//   number   int32 values (-0 included, as 0): hash1 of the value; other numbers: hash2 of the float64 bits; NaN:
//            one fixed hash for every NaN
//   string   hashString (MurmurHash3 over the UTF-16 units)
//   bigint   hash2 of its two's-complement 64-bit words when it fits in 64 bits, else hashString of its hex
//   boolean, null, undefined: fixed constants
//   object, function, symbol not in the registry: an identity id given on first sight and kept in a module-level
//            WeakMap (objects and non-registered symbols can be WeakMap keys since Node 20), so the id lives
//            exactly as long as the key and the map holds no reference to it beyond its slot
//   Symbol.for symbols (which cannot be WeakMap keys): hashString of their registry key
//
// Not keeping deleted keys alive: a delete clears the slot's side key and value; the overflow spill clears slot
// 7's; evacuation leaves the key in the old slot (an iterator that started before the growth looks moved keys up
// by it) but a delete during the growth also clears that old copy (forgetEvacuated), and the old table is dropped
// when the growth ends. Only an iterator still held by the program keeps an older table, and its keys, alive.

import { hash1, hash2, hashString } from '../hash.js';
import { homeTable, valueAt } from './access.js';
import { markEmptyRest } from './delete.js';
import { compactIfDirty, hashGrow, growWork, newoverflow } from './grow.js';
import { Hmap } from './hmap.js';
import { Bucket, Segment, Slot, Table, ValueRep, firstFree, hasEmptyRest, matches, slotOf, tophash } from './layout.js';

// Seed tweaks per type (arbitrary odd constants).
const tweakFloat = 0x2545f491;
const tweakBig = 0x68e31da4;
const tweakConst = 0x1b56c4e9;
const tweakSym = 0x7f4a7c15;
const tweakObj = 0x3c6ef372;
const tweakNaN = 0x5851f42d;

/** Identity ids of objects, functions and non-registered symbols, given on first sight. */
const ids = new WeakMap<object, number>();
let nextId = 1;

const f64 = new Float64Array(1);
const b64 = new BigInt64Array(f64.buffer);
const w32 = new Int32Array(f64.buffer);

/** The identity id of an object, function or non-registered symbol. */
function idOf(k: object): number {
  const id = ids.get(k);
  if (id !== undefined) return id;
  const n = nextId;
  nextId = (nextId + 1) | 0; // wraps after 2^32 ids: equal ids only cost a key compare
  ids.set(k, n);
  return n;
}

/**
 * SameValueZero of a stored side key sk (never -0) and a probe key k. One `===` per key type: a single shared
 * comparison sees every type, gets "any" feedback and calls V8's generic StrictEqual builtin for each candidate
 * (about a tenth of a mixed-key get's time in a profile); split, each compiles to a compare of its own type.
 */
export function sameKey(sk: unknown, k: unknown): boolean {
  if (typeof k === 'string') return typeof sk === 'string' && sk === k;
  if (typeof k === 'number') return typeof sk === 'number' && (sk === k || (k !== k && sk !== sk));
  return sk === k;
}

/** Hash of a key of kind 'any' under `seed` (see the header). Returns an int32. */
export function hashAny(k: unknown, seed: number): number {
  if (typeof k === 'string') return hashString(k, seed);
  if (typeof k === 'number') {
    const i = k | 0;
    if (i === k) return hash1(i, seed);
    if (k !== k) return hash1(0x7ff80000, seed ^ tweakNaN);
    f64[0] = k;
    return hash2(w32[0]!, w32[1]!, seed ^ tweakFloat);
  }
  return hashOther(k, seed);
}

function hashOther(k: unknown, seed: number): number {
  switch (typeof k) {
    case 'object':
      return k === null ? hash1(3, seed ^ tweakConst) : hash1(idOf(k), seed ^ tweakObj);
    case 'function':
      return hash1(idOf(k), seed ^ tweakObj);
    case 'boolean':
      return hash1(k ? 1 : 0, seed ^ tweakConst);
    case 'undefined':
      return hash1(2, seed ^ tweakConst);
    case 'bigint':
      if (BigInt.asIntN(64, k) === k) {
        b64[0] = k;
        return hash2(w32[0]!, w32[1]!, seed ^ tweakBig);
      }
      return hashString(k.toString(16), seed ^ tweakBig);
    case 'symbol': {
      const name = Symbol.keyFor(k);
      if (name !== undefined) return hashString(name, seed ^ tweakSym);
      return hash1(idOf(k as unknown as object), seed ^ tweakObj);
    }
    default:
      throw new TypeError(`hmap: cannot hash a ${typeof k}`);
  }
}

/** The value of key k, or undefined (Go: mapaccess1). */
export function mapaccessAny(h: Hmap, hash: number, k: unknown): unknown {
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  const b = hash & t.mask;
  const pat = (tophash(hash) * 0x01010101) | 0;
  const bw = t.bw;
  let seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const i32 = seg.i32;
    const wb = lb * bw;
    // The tophash bytes as words (layout.ts: matches).
    const hi = i32[wb + 1]!;
    for (let m = matches(i32[wb]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      if (i32[wb + 2 + i] !== hash) continue;
      const kv = seg.kv!;
      const ki = ((lb << 3) | i) << 1;
      const sk = kv[ki];
      if (sameKey(sk, k)) return t.vk === ValueRep.side ? kv[ki + 1] : valueAt(t, seg, wb, i);
    }
    if (hi >>> 24 !== Slot.overflowLink) return undefined;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}

/** Finds key k (Go: mapaccess2): its segment, with the slot in h.hitSlot, or null. */
export function mapaccessAnySeg(h: Hmap, hash: number, k: unknown): Segment | null {
  if (h.count === 0) return null;
  const t = h.oldbuckets === null ? h.buckets : homeTable(h, hash);
  return findIn(h, t, hash & t.mask, hash, k);
}

/** Finds k in the chain of main bucket b of t: its segment, with the slot in h.hitSlot, or null. */
function findIn(h: Hmap, t: Table, b: number, hash: number, k: unknown): Segment | null {
  const pat = (tophash(hash) * 0x01010101) | 0;
  const bw = t.bw;
  let seg = t.nMainSegs === 1 ? t.seg0 : t.segs[b >>> t.mainShift]!;
  let lb = b & t.mainMask;
  for (;;) {
    const i32 = seg.i32;
    const wb = lb * bw;
    const hi = i32[wb + 1]!;
    for (let m = matches(i32[wb]! ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
      const i = slotOf(m);
      if (i32[wb + 2 + i] !== hash) continue;
      const slot = (lb << 3) | i;
      if (sameKey(seg.kv![slot << 1], k)) {
        h.hitSlot = slot;
        return seg;
      }
    }
    if (hi >>> 24 !== Slot.overflowLink) return null;
    const o = i32[wb + t.linkOff]! - t.nb;
    seg = t.segs[t.nMainSegs + (o >>> t.chunkShift)]!;
    lb = o & t.chunkMask;
  }
}

/**
 * Finds or inserts key k (Go: mapassign) and returns its segment, with the slot in h.hitSlot; the caller writes
 * the value. A new key is stored with -0 as +0.
 */
export function mapassignAny(h: Hmap, hash: number, k: unknown): Segment {
  const top = tophash(hash);
  const pat = (top * 0x01010101) | 0;
  let sameSizeTried = false;
  for (;;) {
    const t = h.buckets;
    const bucket = hash & t.mask;
    if (h.oldbuckets !== null) growWork(h, bucket);
    const bw = t.bw;

    let insSeg = -1;
    let insLb = 0;
    let insI = 0;
    let segIdx = bucket >>> t.mainShift;
    let lb = bucket & t.mainMask;
    let gid = bucket;
    for (;;) {
      const seg = t.segs[segIdx]!;
      const i32 = seg.i32;
      const wb = lb * bw;
      // The tophash bytes as words, as in mapassign (layout.ts: matches, firstFree, hasEmptyRest).
      const lo = i32[wb]!;
      const hi = i32[wb + 1]!;
      for (let m = matches(lo ^ pat, hi ^ pat); m !== 0; m &= m - 1) {
        const i = slotOf(m);
        if (i32[wb + 2 + i] !== hash) continue;
        const slot = (lb << 3) | i;
        if (sameKey(seg.kv![slot << 1], k)) {
          h.hitSlot = slot;
          return seg;
        }
      }
      if (insSeg < 0) {
        const i = firstFree(lo, hi);
        if (i >= 0) {
          insSeg = segIdx;
          insLb = lb;
          insI = i;
        }
      }
      if (hasEmptyRest(lo, hi) || hi >>> 24 !== Slot.overflowLink) break;
      gid = i32[wb + t.linkOff]!;
      const o = gid - t.nb;
      segIdx = t.nMainSegs + (o >>> t.chunkShift);
      lb = o & t.chunkMask;
    }

    if (h.oldbuckets === null && (h.full() || (!sameSizeTried && h.tooManyOverflowBuckets()))) {
      sameSizeTried ||= !h.full();
      hashGrow(h);
      continue;
    }
    if (insSeg < 0) {
      const ovf = newoverflow(h, t, gid);
      insSeg = t.nMainSegs + ((ovf - t.nb) >>> t.chunkShift);
      insLb = (ovf - t.nb) & t.chunkMask;
      insI = 1;
    }
    const seg = t.segs[insSeg]!;
    const slot = (insLb << 3) | insI;
    seg.u8[((insLb * bw) << 2) + insI] = top;
    seg.i32[insLb * bw + 2 + insI] = hash;
    seg.kv![slot << 1] = k === 0 ? 0 : k;
    h.count++;
    h.hitSlot = slot;
    return seg;
  }
}

/** Removes key k; returns whether it was present (Go: mapdelete). */
export function mapdeleteAny(h: Hmap, hash: number, k: unknown): boolean {
  if (h.count === 0) return false;
  const t = h.buckets;
  const bucket = hash & t.mask;
  if (h.oldbuckets !== null) growWork(h, bucket);
  const bw = t.bw;
  const top = tophash(hash);
  let gid = bucket;
  for (;;) {
    const seg = t.seg(gid);
    const lb = t.local(gid);
    const u8 = seg.u8;
    const i32 = seg.i32;
    const kv = seg.kv!;
    const wb = lb * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const th = u8[tb + i]!;
      if (th !== top) {
        if (th === Slot.emptyRest) return false;
        continue;
      }
      if (i32[wb + 2 + i] !== hash) continue;
      const ki = ((lb << 3) | i) << 1;
      const sk = kv[ki];
      if (!sameKey(sk, k)) continue;
      kv[ki] = undefined;
      kv[ki + 1] = undefined;
      u8[tb + i] = Slot.emptyOne;
      markEmptyRest(t, bucket, gid, i);
      if (--h.count === 0) h.reseed();
      const old = h.oldbuckets;
      if (old !== null) forgetEvacuated(old, hash & old.mask, hash, sk);
      if (t.arena !== null) {
        // A string value: its units turn dead; the slot's value len becomes 0 (see delete.ts).
        const v = wb + t.voff + i * 2;
        t.arena.free(i32[v + 1]!);
        i32[v + 1] = 0;
        compactIfDirty(h);
      }
      return true;
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return false;
    gid = i32[wb + t.linkOff]!;
  }
}

/**
 * Key k was just deleted from the new table while the map grows: if old chain b still holds it in an
 * evacuated slot (kept for iterators), turn that slot into evacuatedEmpty and drop the key, so the old table
 * does not keep it alive. Iterators skip evacuatedEmpty slots, which is right for a deleted key.
 */
function forgetEvacuated(old: Table, b: number, hash: number, k: unknown): void {
  const bw = old.bw;
  let gid = b;
  for (;;) {
    const seg = old.seg(gid);
    const lb = old.local(gid);
    const u8 = seg.u8;
    const i32 = seg.i32;
    const kv = seg.kv!;
    const wb = lb * bw;
    const tb = wb << 2;
    for (let i = 0; i < Bucket.cnt; i++) {
      const th = u8[tb + i]!;
      if ((th !== Slot.evacuatedX && th !== Slot.evacuatedY) || i32[wb + 2 + i] !== hash) continue;
      const ki = ((lb << 3) | i) << 1;
      const sk = kv[ki];
      if (sameKey(sk, k)) {
        u8[tb + i] = Slot.evacuatedEmpty;
        kv[ki] = undefined;
        return;
      }
    }
    if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return;
    gid = i32[wb + old.linkOff]!;
  }
}
