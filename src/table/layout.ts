// Bucket layout and the bucket array ("table") of one generation of the map.
//
// A bucket is one contiguous run of 32-bit words inside an ArrayBuffer:
//
//   words 0..1            tophash[8]: one byte per slot (slot state, or the top 8 bits of the key's hash)
//   words 2..2+8*kw       keys[8]:    kw words each (1: int32/uint32, 2: float64/bigint64 bit patterns or a
//                                     string's (ref, len) in the table's arena)
//   then 8*vw words       values[8]:  vw words each (0 when values live in the segment's side array; a string
//                                     value is (ref, len) like a string key)
//
// For int32 keys and values that is 72 bytes: at most two 64-byte cache lines, since 72-byte strides start at
// multiples of 8. Keys are packed together and values together, as in Go, so no padding is needed.
//
// Departure from Go, measured: Go reserves a pointer-sized overflow link at the end of every bucket. Here a
// bucket reserves nothing: when a full bucket needs an overflow bucket, its last slot's entry moves to slot 0
// of the new bucket and slot 7 becomes the link (tophash `overflowLink`, first key word = the next bucket's id).
// At load 6.5 about 7.4% of buckets link on average (20.9% just before a doubling: lab load-factor), so this
// saves 4 bytes on every bucket for one slot on a few: at 1e7 int32->int32 entries it is 15.9 instead of 16.8
// bytes per entry (see bench `memory`).
//
// Departure from Go, measured: the numeric lookups, mapassign and mapdelete read a bucket's 8 tophash bytes as
// two 32-bit words and find the slots whose byte equals the key's tophash with the zero-byte trick (matches,
// slotOf, firstFree, hasEmptyRest below), where Go loops over the bytes. A random lookup's byte loop exits at an
// unpredictable slot, and each misprediction discarded the next lookups' loads: random int32 gets went from 210
// to 130 ns at 1e6 keys and from 37 to 22 ns in cache (access.ts). The string delete, 'any' inserts and
// deletes, and the shared map's probe still loop over bytes.
//
// String keys and values (kind 'string') keep their code units off the buckets, in the table's Arena
// (arena.ts): one arena per table generation, shared by its segments (Segment.arena), so whoever holds a segment
// can read its strings, also after the table became old. An emptied slot of a string-valued table has its value
// len word zeroed (so an insert into it frees nothing): a slot's value is stale only in evacuated or link slots.
// Departure from Go (whose strings are GC-managed pointers): the map itself reclaims the units of deleted and
// overwritten strings, by a same-size growth when dead units exceed live ones (strings.ts: compactIfDirty).
//
// Keys of kind 'any' (anykeys.ts): the slot's one key word holds the key's full 32-bit hash (hashAny), and the key
// itself lives in the segment's side array Segment.kv, at 2 * slot; a value of kind 'any' sits next to it, at
// 2 * slot + 1 (not in Segment.side: a hit then reads one side-array cache line, not two). A
// probe compares the tophash byte, then the hash word, then the side key by SameValueZero. Empty, link and
// evacuatedEmpty slots hold undefined in both entries, so the map keeps no deleted key alive; evacuated slots of
// an old table keep their key (iterators that started before the growth follow it) until the growth ends or the
// key is deleted.
//
// Buckets are addressed by a global id: ids 0..2^B-1 are the main buckets, ids 2^B+o the overflow buckets.
// Storage is split into segments (separate ArrayBuffers) so that no typed-array index exceeds 2^31 and so
// overflow storage grows in small chunks instead of being copied: main buckets fill segments of 2^mainShift
// buckets, overflow buckets fill chunks of 2^chunkShift buckets allocated on demand.

import { Arena } from './arena.js';

/** Slots per bucket (Go: bucketCnt). A const enum: TypeScript inlines the value, where an imported const
 * would be a live module binding loaded and hole-checked on every use in the hot loops (measured: ~15% of a
 * lookup at 1e6 keys). */
export const enum Bucket {
  cntBits = 3,
  cnt = 8,
}

/** Tophash values below minTopHash are slot states (Go's five, plus overflowLink). */
export const enum Slot {
  /** empty, and every later slot in this bucket and its overflow chain is empty */
  emptyRest = 0,
  /** empty */
  emptyOne = 1,
  /** entry moved to the first half of the larger table (or the same index) */
  evacuatedX = 2,
  /** entry moved to the second half of the larger table */
  evacuatedY = 3,
  /** empty, and the bucket has been evacuated */
  evacuatedEmpty = 4,
  /** slot 7 only: the slot holds the id of the next bucket in the chain */
  overflowLink = 5,
  /** smallest tophash of a filled slot */
  minTopHash = 6,
}

/** Largest main segment: 2^22 buckets (at most 2^22 * 136 bytes, well under 2^31). */
const maxMainShift = 22;
/**
 * Largest main segment when values or keys live in side arrays: 2^10 buckets, so each side array (8192 slots,
 * values' allocated lazily on the first value stored) is cheap to create and a growth never allocates one big JS array at once.
 */
const maxSideShift = 10;
/** Largest overflow chunk: 2^10 buckets; small enough that an unfilled chunk is noise in bytes per entry. */
const maxChunkShift = 10;
/** Largest B: bucket ids, slots and hash bits stay within 31 bits. */
export const maxB = 28;

export function tophash(hash: number): number {
  const top = hash >>> 24;
  return top < Slot.minTopHash ? top + Slot.minTopHash : top;
}

/**
 * The slots whose tophash byte is zero in lo (slots 0-3, little-endian) or hi (slots 4-7), after the caller
 * xored both with the tophash repeated in every byte: bit 8k of the result is slot k, bit 8k + 1 slot k + 4.
 * (x - 0x01010101) & ~x & 0x80808080 flags every zero byte, and may also flag a byte above a zero byte (a
 * borrow), which the key comparison then rejects. Tophash values (>= minTopHash) never equal slot states.
 */
export function matches(lo: number, hi: number): number {
  return (((lo - 0x01010101) & ~lo & 0x80808080) >>> 7) | (((hi - 0x01010101) & ~hi & 0x80808080) >>> 6);
}

/** The slot of the lowest candidate bit of a matches() mask. */
export function slotOf(m: number): number {
  const bit = 31 - Math.clz32(m & -m);
  return (bit >>> 3) | ((bit & 1) << 2);
}

/**
 * The first free slot (tophash emptyRest or emptyOne, the values below 2) of a bucket whose tophash words are
 * lo (slots 0-3) and hi (slots 4-7), or -1. A borrow can flag a byte above a free one, never the lowest.
 */
export function firstFree(lo: number, hi: number): number {
  const l = (lo - 0x02020202) & ~lo & 0x80808080;
  if (l !== 0) return (31 - Math.clz32(l & -l)) >>> 3;
  const h = (hi - 0x02020202) & ~hi & 0x80808080;
  return h === 0 ? -1 : 4 + ((31 - Math.clz32(h & -h)) >>> 3);
}

/** Whether a bucket (tophash words lo, hi) has an emptyRest slot: nothing after it in the chain. */
export function hasEmptyRest(lo: number, hi: number): boolean {
  return ((((lo - 0x01010101) & ~lo) | ((hi - 0x01010101) & ~hi)) & 0x80808080) !== 0;
}

export function isEmpty(top: number): boolean {
  return top <= Slot.emptyOne;
}

/** How values are stored (the value kinds' codes in kinds.ts follow this order). */
export const enum ValueRep {
  int32 = 0,
  uint32 = 1,
  float64 = 2,
  bigint64 = 3,
  /** (ref, len) of the string's units in the table's arena (value kind 'string') */
  string = 4,
  /** in the segment's side array (value kind 'any') */
  side = 5,
}

/** Per-map constants describing where a slot's key and value words sit inside a bucket. */
export class Layout {
  /** Words per key: 1 or 2. */
  readonly kw: number;
  /** Words per value: 0 (values in the side array), 1 or 2. */
  readonly vw: number;
  /** Whether values live in Segment.side (value kind 'any' with keys of another kind than 'any'). */
  readonly sideValues: boolean;
  /** Words per bucket. */
  readonly bw: number;
  /** Word offset of values[0] inside a bucket. */
  readonly voff: number;
  /** Word offset of slot 7's key, which holds the link when tophash[7] is Slot.overflowLink. */
  readonly linkOff: number;
  /** How a value is read (ValueRep). */
  readonly vk: number;
  /** Keys are strings: (ref, len) in the table's arena (kw = 2). */
  readonly strKeys: boolean;
  /** Values are strings (vk = ValueRep.string). */
  readonly strValues: boolean;
  /** Tables need an arena (string keys or string values). */
  readonly strings: boolean;
  /** Keys of kind 'any': the key word is the key's hash, the key is in Segment.kv (kw = 1). */
  readonly anyKeys: boolean;
  /** Keys and values of kind 'any': the value is in Segment.kv next to its key. */
  readonly kvValues: boolean;

  constructor(kw: number, vk: number, strKeys = false, anyKeys = false) {
    if (
      (kw !== 1 && kw !== 2) ||
      !(vk >= ValueRep.int32 && vk <= ValueRep.side) ||
      (strKeys && kw !== 2) ||
      (anyKeys && (kw !== 1 || strKeys))
    ) {
      throw new Error(`hmap: bad layout kw=${kw} vk=${vk} strKeys=${strKeys} anyKeys=${anyKeys}`);
    }
    this.kw = kw;
    this.vk = vk;
    this.strKeys = strKeys;
    this.anyKeys = anyKeys;
    this.strValues = vk === ValueRep.string;
    this.strings = strKeys || this.strValues;
    this.vw = vk <= ValueRep.uint32 ? 1 : vk === ValueRep.side ? 0 : 2;
    this.sideValues = vk === ValueRep.side && !anyKeys;
    this.kvValues = vk === ValueRep.side && anyKeys;
    const vw = this.vw;
    this.bw = 2 + Bucket.cnt * kw + Bucket.cnt * vw;
    this.voff = 2 + Bucket.cnt * kw;
    this.linkOff = 2 + (Bucket.cnt - 1) * kw;
  }

  get bucketBytes(): number {
    return this.bw * 4;
  }
}

const noFloats = new Float64Array(0);
const noBigInts = new BigInt64Array(0);

/** One ArrayBuffer of buckets with every view the kinds need (same shape for every segment). */
export class Segment {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly b64: BigInt64Array;
  /** Side array of values by slot (bucket * 8 + i), for value kind 'any'; null until a value is stored. */
  side: unknown[] | null = null;
  /**
   * Key kind 'any' (made with the segment; null for the other key kinds): slot s's key at 2 * s, and its value at
   * 2 * s + 1 when the value kind is 'any' too.
   */
  readonly kv: unknown[] | null;
  readonly buckets: number;
  /** The arena of the table this segment belongs to (string kinds), else null. */
  readonly arena: Arena | null;

  constructor(layout: Layout, buckets: number, arena: Arena | null = null) {
    const buf = new ArrayBuffer(buckets * layout.bw * 4);
    this.buckets = buckets;
    this.arena = arena;
    this.kv = layout.anyKeys ? new Array<unknown>(buckets * Bucket.cnt * 2) : null;
    this.u8 = new Uint8Array(buf);
    this.i32 = new Int32Array(buf);
    const wide = layout.kw === 2 || layout.vw === 2;
    this.f64 = wide ? new Float64Array(buf) : noFloats;
    this.b64 = wide ? new BigInt64Array(buf) : noBigInts;
  }

  get byteLength(): number {
    return this.i32.byteLength;
  }

  /** The side array, created on first use. */
  sideValues(): unknown[] {
    return (this.side ??= new Array<unknown>(this.buckets * Bucket.cnt));
  }
}

/** The bucket array of one generation: 2^B main buckets plus the overflow buckets chained from them. */
export class Table {
  readonly layout: Layout;
  readonly B: number;
  /** Number of main buckets, 2^B; also the id of the first overflow bucket. */
  readonly nb: number;
  /** nb - 1: bucket index mask. */
  readonly mask: number;
  readonly mainShift: number;
  readonly mainMask: number;
  readonly nMainSegs: number;
  readonly chunkShift: number;
  readonly chunkMask: number;
  /** Main segments, then overflow chunks. */
  readonly segs: Segment[];
  /** segs[0]: the only main segment of every table below 2^22 buckets, read by the lookups without the array. */
  readonly seg0: Segment;
  /** Overflow buckets in use (exact). */
  novf = 0;
  /** Where this table's string keys and values live; null for numeric kinds. */
  readonly arena: Arena | null;
  // Layout constants copied here so hot paths load them from the table they already hold.
  readonly bw: number;
  readonly kw: number;
  readonly vw: number;
  readonly voff: number;
  readonly linkOff: number;
  readonly vk: number;
  readonly anyKeys: boolean;

  /** `arenaUnits`: string units the table is expected to receive (a growth passes the old arena's live units). */
  constructor(layout: Layout, B: number, arenaUnits = 0) {
    if (B > maxB) throw new RangeError(`hmap: table would need 2^${B} buckets; the largest is 2^${maxB}`);
    this.layout = layout;
    this.arena = layout.strings ? new Arena(arenaUnits) : null;
    this.bw = layout.bw;
    this.kw = layout.kw;
    this.vw = layout.vw;
    this.voff = layout.voff;
    this.linkOff = layout.linkOff;
    this.vk = layout.vk;
    this.anyKeys = layout.anyKeys;
    this.B = B;
    this.nb = 1 << B; // B <= maxB = 28: shifts keep these Smis (2 ** B would store doubles)
    this.mask = this.nb - 1;
    this.mainShift = Math.min(B, layout.sideValues || layout.anyKeys ? maxSideShift : maxMainShift);
    this.mainMask = (1 << this.mainShift) - 1;
    this.nMainSegs = 1 << (B - this.mainShift);
    this.chunkShift = Math.max(0, Math.min(B - 6, maxChunkShift));
    this.chunkMask = (1 << this.chunkShift) - 1;
    this.segs = [];
    for (let i = 0; i < this.nMainSegs; i++) this.segs.push(new Segment(layout, 1 << this.mainShift, this.arena));
    this.seg0 = this.segs[0]!;
  }

  /** Segment holding bucket `gid`. */
  seg(gid: number): Segment {
    return gid < this.nb
      ? this.segs[gid >>> this.mainShift]!
      : this.segs[this.nMainSegs + ((gid - this.nb) >>> this.chunkShift)]!;
  }

  /** Index of bucket `gid` inside its segment. */
  local(gid: number): number {
    return gid < this.nb ? gid & this.mainMask : (gid - this.nb) & this.chunkMask;
  }

  /** Takes a fresh overflow bucket (zeroed: every slot Slot.emptyRest) and returns its id. */
  allocOverflow(): number {
    const o = this.novf++;
    const chunk = o >>> this.chunkShift;
    if (this.nMainSegs + chunk >= this.segs.length) {
      this.segs.push(new Segment(this.layout, 1 << this.chunkShift, this.arena));
    }
    return this.nb + o;
  }

  /** Bytes of every bucket segment and arena chunk. */
  get bytes(): number {
    let n = this.arena === null ? 0 : this.arena.bytes;
    for (const s of this.segs) n += s.byteLength;
    return n;
  }
}
