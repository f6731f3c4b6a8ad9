// The shared table: the Go map of src/table/, with its header and buckets in shared memory, used by many
// threads at once.
//
// Memory. A map is a control SharedArrayBuffer (this file's C words: the header, a lock, a thread registry,
// and one stripe record per lock stripe) plus a SharedHeap (heap.ts) that holds every table generation: a
// descriptor block (D words: B, segment refs, overflow chunk refs, the overflow count) and its bucket
// segments. Buckets have the private table's layout (layout.ts: tophash bytes, keys, values; slot 7 turns into
// the link to an overflow bucket), numeric kinds only. Each thread keeps views (TableView) of the tables the
// header names, rebuilt when the header's epoch moves.
//
// Stripes. Lock stripe s covers every bucket whose index is s mod S (S = 64 stripes), in every table
// generation. Tables never have fewer than S main buckets, so old bucket b and the two new buckets it splits
// into (b, b + 2^oldB) lie in one stripe: a writer holding stripe(hash) owns the key's old chain and its new
// chain, and may evacuate the old chain. Locks: a Mutex per stripe, and one header lock for what changes the
// header (starting and finishing a growth, clear, overflow chunk allocation). Order: stripe, then header;
// nobody waits for a stripe while holding the header lock, and a thread holds at most one stripe except in
// clear() and verify(), which take all stripes in index order.
//
// Readers take no lock: each stripe record has a version (a seqlock: odd while a writer is inside), and the
// header has an epoch (odd while the header changes). A lookup reads version and epoch, probes, and retries if
// either moved. Racing reads may see anything, even freed memory reused by another table, so probes are
// bounded and check every segment and link they follow; only a validated result is returned. After a few
// failed attempts a reader takes the stripe lock (also how a reader finds a dead writer: see Crashes).
//
// Growth is Go's, made cooperative: the writer that finds the table over its load factor (or with too many
// overflow buckets) starts a growth under the header lock. A writer evacuates the old chain of its own bucket
// before writing (it holds that stripe), then helps with one more old chain claimed from a shared counter,
// under that chain's stripe lock. Whoever finds every stripe's evacuated count summing to the old bucket count
// finishes the growth (header lock) and frees the old table. Invariants kept from Go: a key lives in exactly
// one place; new bucket b is written only after old bucket b & oldmask is evacuated.
//
// A writer may still write into a table that has just become old (it read the header before the growth
// started, and holds its stripe): that is safe, since nobody can evacuate the chain it writes before it lets
// the stripe go, and the old table is freed only after every chain has been evacuated.
//
// Counts. Each stripe counts its own entries (written under its lock); size is their sum. The load-factor test
// uses the sum, computed only when the inserting stripe's count times S passes the threshold.
//
// Crashes. A worker may die anywhere (terminate(), process.exit()): locks are registry-bound Mutexes
// (sync/mutex.ts), taken over by the next locker once the spawner's registry.watch has seen the worker's
// 'exit'; lock() then returns true and the new holder repairs what the dead one may have left half done:
// - undo logs (a stripe's, the header's): before a multi-word change that a reader or a repair must not see
//   half done (a 2-word value overwritten, a link made, a header switch), the writer saves the old words;
//   a repair with an active log restores them, so that operation is not applied;
// - an evacuation: phase 1 copies the old chain into fresh new buckets, phase 2 marks the old slots. A repair
//   in phase 1 empties the new chains again (the old chain is intact); in phase 2 it finishes the marking;
// - the stripe's count and evacuated count are recounted from its buckets;
// - a single-slot insert or delete is one tophash byte store: applied or not.
// Memory a dead thread allocated and did not link is leaked (overflow buckets, a table whose growth was rolled
// back). The heap's lock is a registry-bound Mutex too (in this control block): its taker repairs the heap
// (heap.ts: repair).
//
// concurrency 'none': no locks and no versions; a writer sets the header's writing word with a CAS and a
// second writer that finds it set throws ConcurrentWriteError (Go's "concurrent map writes") before changing
// anything. A writer found dead (registry) is repaired as above.

import { arch } from 'node:process';
import { hash1, hash2, hashUnits } from '../hash.js';
import { Bucket, Slot, tophash } from '../table/layout.js';
import { InvariantError } from '../table/verify.js';
import { Mutex } from '../sync/mutex.js';
import { ThreadRegistry } from '../sync/registry.js';
import type { ThreadRegistryHandle } from '../sync/registry.js';
import { SharedHeap, refOffset, refRegion } from './heap.js';
import type { SharedHeapHandle } from './heap.js';

/** Thrown by a writer of a map with concurrency 'none' that finds another writer inside (Go's fatal error). */
export class ConcurrentWriteError extends Error {
  override name = 'ConcurrentWriteError';
  constructor() {
    super('hmap: concurrent map writes');
  }
}

/** Stripes: a power of two; also the smallest bucket count. */
export const stripeBits = 6;
const S = 1 << stripeBits;
const smask = S - 1;
const maxB = 28;
const maxMainShift = 22;
const maxChunkShift = 10;
const magic = 0x686d5331; // 'hmS1'

// Control words.
const hMagic = 0;
const hLayout = 1; // kw | vk << 4
const hMode = 2; // 0 locked, 1 none
const hLoadFactor = 3; // load factor * 1024
const hSeed = 4;
const hInitialB = 5;
const hEpoch = 8;
const hB = 9;
const hCur = 10;
const hOld = 11;
const hFlags = 12; // sameSizeGrow
const hClaim = 13;
const hWriting = 14;
const hClearSeq = 15;
const hDoublings = 16;
const hSameSize = 17;
const hEvacTotal = 18;
const hGen = 19;
const hMetrics = 20; // 1 when the map counts (metrics: true or instrument)
const hHeapLock = 1008; // the heap's Mutex (16 words), after the registry
const hLock = 32;
const hLog = 48; // active, n, then entries
const hLogCap = 160;
const hRegistry = hLog + 2 + 3 * hLogCap; // 530, then ThreadRegistry.words() = 260
const stripesAt = 1024;
// Stripe record words.
const sVersion = 0;
const sCount = 1;
const sEvac = 2;
const sEvacuating = 3; // old bucket + 1
const sPhase = 4;
const sLog = 5; // active, n, then entries
const sLock = 16;
const sLogEntries = 32;
const sLogCap = 16;
const sWords = sLogEntries + 3 * sLogCap; // 80: 320 bytes, a multiple of the cache line
const metricsAt = stripesAt + S * sWords; // 6144: per-thread counter slots, Float64, 64 slots
/** Float64 counters per thread slot (a slot is written by its registry slot's thread only: plain increments). */
export const enum Mc {
  hits = 0,
  misses = 1,
  inserts = 2,
  updates = 3,
  deletes = 4,
  clears = 5,
  lockAcquisitions = 6,
  contended = 7,
  readRetries = 8,
  lockedReads = 9,
  helpedEvacuations = 10,
  ownEvacuations = 11,
  words = 16,
}
const ctlWords = metricsAt + 64 * Mc.words * 2;

const sameSizeGrow = 8;

// Descriptor words.
const dB = 0;
const dMain = 1;
const dMainShift = 2;
const dChunkShift = 3;
const dNovf = 4;
const dMaxChunks = 5;
const dGen = 6;
const dStrings = 7; // 1: the table has a string arena (after the overflow chunk refs)
const dRefs = 8;

// String arena (string kinds), per table generation, after the overflow chunk refs (aBase): the chunk count,
// then per stripe aStripeWords words (current chunk + 1, next free unit, its capacity, dead units, units
// handed out), then (ref, units) per chunk. A string's (ref, len): ref = chunk << unitBits | first unit.
const aStripes = 8;
const aStripeWords = 8;
const aRefs = aStripes + S * aStripeWords;
const maxAChunks = 2048;
const aWords = aRefs + 2 * maxAChunks;
const unitBits = 21;
/** The longest string a shared map holds, in UTF-16 code units (a chunk's largest position). */
export const maxStringUnits = 1 << unitBits;
const firstChunkUnits = 1024;
/** Dead units of a stripe's arena that start a compacting same-size growth (with dead > live). */
const minDeadUnits = 4096;

/** What share() hands to another thread. */
export interface SharedTableHandle {
  readonly kind: 'hmap.SharedTable';
  readonly control: SharedArrayBuffer;
  readonly heap: SharedHeapHandle;
  readonly registry: ThreadRegistryHandle;
}

export interface SharedTableConfig {
  /** Words per key: 1 or 2. */
  kw: number;
  /** Value representation (ValueRep): 0 int32, 1 uint32, 2 float64, 3 bigint64, 4 string. */
  vk: number;
  /** Key kind code: 0 int32, 1 uint32, 2 float64, 3 bigint64, 4 string. */
  kk: number;
  hint: number;
  seed: number;
  loadFactor: number;
  concurrency: 'locked' | 'none';
  maxBytes: number;
  /** Heap region size (tests of a full region); default 4 GiB. */
  regionBytes?: number;
  /** How often (ms) a lock waiter checks whether the holder died. Default 100. */
  checkMs?: number;
}

/** One segment of a table as this thread sees it. */
export class SharedSegment {
  readonly ref: number;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly b64: BigInt64Array;
  constructor(heap: SharedHeap, ref: number, bytes: number) {
    const buf = heap.regions[refRegion(ref)]!;
    const off = refOffset(ref);
    this.ref = ref;
    this.u8 = new Uint8Array(buf, off, bytes);
    this.i32 = new Int32Array(buf, off, bytes >>> 2);
    this.f64 = new Float64Array(buf, off, bytes >>> 3);
    this.b64 = new BigInt64Array(buf, off, bytes >>> 3);
  }
}

/** A table generation as this thread sees it. */
export class TableView {
  readonly ref: number;
  readonly gen: number;
  readonly d: Int32Array;
  readonly B: number;
  readonly nb: number;
  readonly mask: number;
  readonly mainShift: number;
  readonly mainMask: number;
  readonly nMain: number;
  readonly chunkShift: number;
  readonly chunkMask: number;
  readonly maxChunks: number;
  readonly segBytes: number;
  readonly chunkBytes: number;
  /** Main segments, then overflow chunks (undefined until this thread first needs them). */
  readonly segs: (SharedSegment | undefined)[];
  /** Index in d of the string arena (0: none). */
  readonly aBase: number;
  /** Arena chunks as this thread has loaded them. */
  readonly achunks: (Uint16Array | undefined)[] = [];

  constructor(heap: SharedHeap, ref: number, bw: number) {
    const d0 = heap.int32(ref, 64);
    const B = d0[dB]!;
    const nMain = d0[dMain]!;
    const maxChunks = d0[dMaxChunks]!;
    if (!(B >= stripeBits && B <= maxB && nMain >= 1 && nMain <= 1 << B && maxChunks >= 1 && maxChunks <= 1 << 24)) {
      throw new TableGone();
    }
    this.ref = ref;
    this.gen = d0[dGen]!;
    const strings = d0[dStrings] === 1;
    this.d = heap.int32(ref, descriptorBytes(nMain, maxChunks, strings));
    this.aBase = strings ? dRefs + nMain + maxChunks : 0;
    this.B = B;
    this.nb = 1 << B;
    this.mask = this.nb - 1;
    this.mainShift = d0[dMainShift]!;
    this.mainMask = (1 << this.mainShift) - 1;
    this.nMain = nMain;
    this.chunkShift = d0[dChunkShift]!;
    this.chunkMask = (1 << this.chunkShift) - 1;
    this.maxChunks = maxChunks;
    this.segBytes = (1 << this.mainShift) * bw * 4;
    this.chunkBytes = (1 << this.chunkShift) * bw * 4;
    this.segs = [];
    for (let i = 0; i < nMain; i++) {
      const r = this.d[dRefs + i]!;
      if (r === 0) throw new TableGone();
      this.segs.push(new SharedSegment(heap, r >>> 0, this.segBytes));
    }
  }
}

/** A view was built from a descriptor that is no longer a table (freed and reused while being read). */
class TableGone extends Error {}

function descriptorBytes(nMain: number, maxChunks: number, strings: boolean): number {
  return (dRefs + nMain + maxChunks + (strings ? aWords : 0)) * 4;
}

function isLive(top: number): boolean {
  return top >= Slot.minTopHash;
}

/** x86: the hardware keeps loads in order (TSO), so the seqlock's first loads need no acquire (read()). */
const tso = arch === 'x64' || arch === 'ia32';

const emptyUnits = new Uint16Array(0);

const yieldWord = new Int32Array(new SharedArrayBuffer(4));
/** Gives the core away for a moment while waiting for another thread. */
function pause(): void {
  Atomics.wait(yieldWord, 0, 0, 0.02);
}

/**
 * One thread's handle on a shared table. Key and value words go in and out as int32 pairs (w0, w1) and
 * (v0, v1); the typed map (shared/map.ts) converts.
 */
export class SharedTable {
  readonly heap: SharedHeap;
  readonly c: Int32Array;
  readonly registry: ThreadRegistry;
  readonly kw: number;
  readonly vw: number;
  readonly vk: number;
  readonly bw: number;
  readonly voff: number;
  readonly linkOff: number;
  /** Key kind code: 0 int32, 1 uint32, 2 float64, 3 bigint64, 4 string. */
  readonly kk: number;
  readonly strKeys: boolean;
  readonly strValues: boolean;
  readonly strings: boolean;
  readonly locked: boolean;
  readonly loadFactor: number;
  readonly seed: number;
  readonly initialB: number;
  private readonly hdrLock: Mutex;
  private readonly locks: Mutex[];
  private readonly tag: number;

  // This thread's view of the header (valid while c[hEpoch] === epoch).
  epoch = -1;
  B = 0;
  cur!: TableView;
  old: TableView | null = null;
  sameSize = false;

  /** The last probe's hit: its segment and the word index of its value. */
  hitSeg!: SharedSegment;
  hitWord = 0;
  /** Value words read by the last successful read(). */
  v0 = 0;
  v1 = 0;
  /** String kinds: the key of the operation (set by the map before any call), the string value to store, and
   * the string value the last probe hit read (decoded before the read was validated). */
  ks = '';
  vs = '';
  vstr: string | undefined = undefined;
  /** This thread's counter slot (Mc offsets from mb) when the map counts, else null: set by refresh(). */
  mt: Float64Array | null = null;
  /** Float64 index of this thread's counter slot. */
  mb = 0;
  private readonly counters: Float64Array;

  private constructor(heap: SharedHeap, c: Int32Array, registry: ThreadRegistry, checkMs: number) {
    this.heap = heap;
    this.c = c;
    this.registry = registry;
    const lay = c[hLayout]!;
    this.kw = lay & 15;
    this.vk = (lay >>> 4) & 15;
    this.kk = (lay >>> 8) & 15;
    this.strKeys = this.kk === 4;
    this.strValues = this.vk === 4;
    this.strings = this.strKeys || this.strValues;
    this.vw = this.vk <= 1 ? 1 : 2;
    this.bw = 2 + Bucket.cnt * this.kw + Bucket.cnt * this.vw;
    this.voff = 2 + Bucket.cnt * this.kw;
    this.linkOff = 2 + (Bucket.cnt - 1) * this.kw;
    this.locked = c[hMode] === 0;
    this.loadFactor = c[hLoadFactor]! / 1024;
    this.seed = c[hSeed]!;
    this.initialB = c[hInitialB]!;
    const opts = { registry, checkMs };
    this.hdrLock = Mutex.over(c, hLock, opts);
    this.locks = [];
    for (let s = 0; s < S; s++) this.locks.push(Mutex.over(c, stripesAt + s * sWords + sLock, opts));
    this.tag = registry.join();
    heap.useLock(Mutex.over(c, hHeapLock, opts));
    this.counters = new Float64Array(c.buffer, metricsAt * 4, 64 * Mc.words);
    this.mb = (this.tag & 63) * Mc.words;
  }

  /** A new empty table. Throws a RangeError if maxBytes cannot hold its first buckets. */
  static create(cfg: SharedTableConfig): SharedTable {
    const heap = SharedHeap.create(cfg.maxBytes, cfg.regionBytes);
    const c = new Int32Array(new SharedArrayBuffer(ctlWords * 4));
    c[hMagic] = magic;
    c[hLayout] = cfg.kw | (cfg.vk << 4) | (cfg.kk << 8);
    c[hMode] = cfg.concurrency === 'locked' ? 0 : 1;
    c[hLoadFactor] = Math.round(cfg.loadFactor * 1024);
    c[hSeed] = cfg.seed | 0;
    let B = stripeBits;
    while (cfg.hint > Bucket.cnt && cfg.hint > cfg.loadFactor * 2 ** B) B++;
    if (B > maxB) throw new RangeError(`hmap: capacity ${cfg.hint} needs 2^${B} buckets; the largest table has 2^${maxB}`);
    c[hInitialB] = B;
    const registry = ThreadRegistry.over(c, hRegistry);
    const t = new SharedTable(heap, c, registry, cfg.checkMs ?? 100);
    const ref = t.allocTable(B);
    c[hB] = B;
    c[hCur] = ref;
    return t;
  }

  static attach(handle: unknown): SharedTable {
    const h = handle as SharedTableHandle;
    if (
      typeof h !== 'object' ||
      h === null ||
      h.kind !== 'hmap.SharedTable' ||
      !(h.control instanceof SharedArrayBuffer) ||
      h.control.byteLength !== ctlWords * 4
    ) {
      throw new TypeError('hmap: HashMap.attach needs a handle made by share() of a shared HashMap');
    }
    const c = new Int32Array(h.control);
    if (Atomics.load(c, hMagic) !== magic) throw new TypeError('hmap: HashMap.attach: not a shared HashMap handle');
    const heap = SharedHeap.attach(h.heap);
    const registry = ThreadRegistry.attach(h.registry);
    return new SharedTable(heap, c, registry, 100);
  }

  share(): SharedTableHandle {
    return { kind: 'hmap.SharedTable', control: this.c.buffer as SharedArrayBuffer, heap: this.heap.share(), registry: this.registry.share() };
  }

  // ---- tables ----

  /** Allocates an empty table of 2^B buckets; returns its descriptor ref. Frees what it took if it fails. */
  private allocTable(B: number): number {
    const nb = 1 << B;
    const mainShift = Math.min(B, maxMainShift);
    const nMain = 1 << (B - mainShift);
    const chunkShift = Math.max(0, Math.min(B - stripeBits, maxChunkShift));
    const maxChunks = Math.min(1 << 24, ((8 * nb) >>> chunkShift) + 64);
    const segBytes = (1 << mainShift) * this.bw * 4;
    const dbytes = descriptorBytes(nMain, maxChunks, this.strings);
    const dref = this.heap.alloc(dbytes);
    const d = this.heap.int32(dref, dbytes);
    try {
      for (let i = 0; i < nMain; i++) d[dRefs + i] = this.heap.alloc(segBytes);
    } catch (e) {
      for (let i = 0; i < nMain; i++) if (d[dRefs + i] !== 0) this.heap.free(d[dRefs + i]! >>> 0, segBytes);
      this.heap.free(dref, dbytes);
      throw e;
    }
    d[dStrings] = this.strings ? 1 : 0;
    d[dB] = B;
    d[dMain] = nMain;
    d[dMainShift] = mainShift;
    d[dChunkShift] = chunkShift;
    d[dMaxChunks] = maxChunks;
    d[dGen] = Atomics.add(this.c, hGen, 1) + 1;
    return dref;
  }

  private freeTable(t: TableView): void {
    for (let i = 0; i < t.nMain; i++) this.heap.free(t.d[dRefs + i]! >>> 0, t.segBytes);
    for (let i = 0; i < t.maxChunks; i++) {
      const r = t.d[dRefs + t.nMain + i]!;
      if (r !== 0) this.heap.free(r >>> 0, t.chunkBytes);
    }
    if (t.aBase !== 0) {
      const n = t.d[t.aBase]!;
      for (let i = 0; i < n; i++) {
        const e = t.aBase + aRefs + 2 * i;
        this.heap.free(t.d[e]! >>> 0, t.d[e + 1]! * 2);
      }
    }
    t.d[dB] = 0; // a racing view builder sees it gone
    this.heap.free(t.ref, descriptorBytes(t.nMain, t.maxChunks, t.aBase !== 0));
  }

  /** The segment of bucket id gid in t, or undefined if the id is out of range or its chunk unknown. */
  seg(t: TableView, gid: number): SharedSegment | undefined {
    if (gid < t.nb) return t.segs[gid >>> t.mainShift];
    const o = gid - t.nb;
    const ci = o >>> t.chunkShift;
    if (!(o >= 0 && ci < t.maxChunks)) return undefined;
    const s = t.segs[t.nMain + ci];
    return s !== undefined ? s : this.loadChunk(t, ci);
  }

  private loadChunk(t: TableView, ci: number): SharedSegment | undefined {
    const r = Atomics.load(t.d, dRefs + t.nMain + ci);
    if (r === 0) return undefined;
    let s: SharedSegment;
    try {
      s = new SharedSegment(this.heap, r >>> 0, t.chunkBytes);
    } catch {
      return undefined; // a racing read of a freed table's descriptor: its validation fails
    }
    while (t.segs.length < t.nMain + ci) t.segs.push(undefined);
    t.segs[t.nMain + ci] = s;
    return s;
  }

  local(t: TableView, gid: number): number {
    return gid < t.nb ? gid & t.mainMask : (gid - t.nb) & t.chunkMask;
  }

  private viewOf(ref: number): TableView {
    if (this.cur !== undefined && this.cur.ref === ref && this.cur.gen === Atomics.load(this.cur.d, dGen)) return this.cur;
    const old = this.old;
    if (old !== null && old.ref === ref && old.gen === Atomics.load(old.d, dGen)) return old;
    return new TableView(this.heap, ref, this.bw);
  }

  /** Brings this thread's header view up to date (waits out a header change in progress). */
  refresh(): void {
    for (let spins = 0; ; spins++) {
      const e = Atomics.load(this.c, hEpoch);
      if ((e & 1) === 0) {
        const B = this.c[hB]!;
        const cur = this.c[hCur]! >>> 0;
        const old = this.c[hOld]! >>> 0;
        const flags = this.c[hFlags]!;
        if (Atomics.load(this.c, hEpoch) === e) {
          try {
            const cv = this.viewOf(cur);
            const ov = old === 0 ? null : this.viewOf(old);
            if (Atomics.load(this.c, hEpoch) === e && cv.B === B) {
              this.cur = cv;
              this.old = ov;
              this.B = B;
              this.maxCnt = this.maxCount(B);
              this.sameSize = (flags & sameSizeGrow) !== 0;
              this.mt = this.c[hMetrics] === 0 ? null : this.counters;
              this.epoch = e;
              return;
            }
          } catch (err) {
            if (!(err instanceof TableGone || err instanceof RangeError)) throw err;
          }
        }
      }
      if (spins > 50) {
        // The header may be stuck odd by a dead thread: the header lock's takeover repairs it.
        this.lockHeader();
        this.hdrLock.unlock();
        spins = 0;
      } else if (spins > 10) pause();
    }
  }

  /** Whether old main bucket b is evacuated (slot 0 carries the state, as in Go). */
  evacuated(t: TableView, b: number): boolean {
    const seg = t.segs[b >>> t.mainShift]!;
    const top = seg.u8[((b & t.mainMask) * this.bw) << 2]!;
    return top > Slot.emptyOne && top <= Slot.evacuatedEmpty;
  }

  /** Hash of the key stored at word k (of a segment of t). */
  hashOf(t: TableView, i32: Int32Array, k: number): number {
    if (this.strKeys) {
      const ref = i32[k]! >>> 0;
      const len = i32[k + 1]!;
      if (len === 0) return hashUnits(emptyUnits, 0, 0, this.seed);
      const ch = this.achunk(t, ref >>> unitBits);
      return ch === undefined ? 0 : hashUnits(ch, ref & (maxStringUnits - 1), len, this.seed);
    }
    return this.kw === 1 ? hash1(i32[k]!, this.seed) : hash2(i32[k]!, i32[k + 1]!, this.seed);
  }

  // ---- string arena (string kinds) ----

  /** Arena chunk idx of t as a Uint16Array, or undefined if it does not exist (a racing read). */
  achunk(t: TableView, idx: number): Uint16Array | undefined {
    const c = t.achunks[idx];
    if (c !== undefined) return c;
    if (t.aBase === 0 || !(idx >= 0 && idx < maxAChunks) || idx >= Atomics.load(t.d, t.aBase)) return undefined;
    const e = t.aBase + aRefs + 2 * idx;
    const ref = Atomics.load(t.d, e) >>> 0;
    const units = Atomics.load(t.d, e + 1);
    let u: Uint16Array;
    try {
      u = new Uint16Array(this.heap.regions[refRegion(ref)]!, refOffset(ref), units);
    } catch {
      return undefined;
    }
    t.achunks[idx] = u;
    return u;
  }

  /** The string at (ref, len) of t, or undefined if that is not inside its arena (a racing read). */
  decode(t: TableView, ref: number, len: number): string | undefined {
    if (len === 0) return '';
    if (!(len > 0 && len <= maxStringUnits)) return undefined;
    const ch = this.achunk(t, ref >>> unitBits);
    const pos = ref & (maxStringUnits - 1);
    if (ch === undefined || pos + len > ch.length) return undefined;
    if (len <= 64) {
      let str = '';
      for (let i = 0; i < len; i++) str += String.fromCharCode(ch[pos + i]!);
      return str;
    }
    let str = '';
    for (let at = 0; at < len; at += 4096) {
      str += String.fromCharCode.apply(null, ch.subarray(pos + at, pos + Math.min(len, at + 4096)) as unknown as number[]);
    }
    return str;
  }

  /**
   * Takes `len` units in stripe s's part of t's arena (the caller holds the stripe) and returns their ref; a new
   * chunk (header lock) when the current one is full. May throw a RangeError (maxBytes, or an arena full).
   */
  private allocUnits(t: TableView, s: number, len: number): number {
    if (len === 0) return 0;
    if (len > maxStringUnits) throw new RangeError(`hmap: shared maps hold strings of up to ${maxStringUnits} code units, got ${len}`);
    const d = t.d;
    const st = t.aBase + aStripes + s * aStripeWords;
    let cur = d[st]!;
    let pos = d[st + 1]!;
    const cap = d[st + 2]!;
    if (cur === 0 || pos + len > cap) {
      const units = Math.max(len, Math.min(maxStringUnits, cur === 0 ? firstChunkUnits : cap * 2));
      cur = this.allocArenaChunk(t, units) + 1;
      pos = 0;
      d[st] = cur;
      d[st + 2] = units;
    }
    d[st + 1] = pos + len;
    d[st + 4]! += len;
    return ((cur - 1) << unitBits) | pos;
  }

  private allocArenaChunk(t: TableView, units: number): number {
    this.lockHeader();
    try {
      const idx = t.d[t.aBase]!;
      if (idx >= maxAChunks) throw new RangeError(`hmap: shared map: a table's string arena is full (${maxAChunks} chunks)`);
      const ref = this.heap.alloc(units * 2); // may throw RangeError (maxBytes)
      const e = t.aBase + aRefs + 2 * idx;
      Atomics.store(t.d, e, ref);
      Atomics.store(t.d, e + 1, units);
      Atomics.store(t.d, t.aBase, idx + 1);
      return idx;
    } finally {
      this.hdrLock.unlock();
    }
  }

  /** Stores str in stripe s's arena of t: returns its ref (its len is str.length). */
  private putString(t: TableView, s: number, str: string): number {
    const len = str.length;
    const ref = this.allocUnits(t, s, len);
    if (len > 0) {
      const ch = this.achunk(t, ref >>> unitBits)!;
      const pos = ref & (maxStringUnits - 1);
      for (let i = 0; i < len; i++) ch[pos + i] = str.charCodeAt(i);
    }
    return ref;
  }

  /** Copies the string (ref, len) of table `from` into stripe s's arena of table `to`; returns the new ref. */
  private copyString(from: TableView, ref: number, len: number, to: TableView, s: number): number {
    if (len === 0) return 0;
    const nref = this.allocUnits(to, s, len);
    const src = this.achunk(from, ref >>> unitBits)!;
    const dst = this.achunk(to, nref >>> unitBits)!;
    const sp = ref & (maxStringUnits - 1);
    dst.set(src.subarray(sp, sp + len), nref & (maxStringUnits - 1));
    return nref;
  }

  /** Units of stripe s's strings in t that died (a delete, an overwrite): a compaction may follow. */
  private addDead(t: TableView, s: number, units: number): void {
    if (units === 0) return;
    const st = t.aBase + aStripes + s * aStripeWords;
    t.d[st + 3]! += units;
  }

  /**
   * Departure from Go, as in the private map (strings.ts compactIfDirty): when a stripe's dead units exceed its
   * live ones and minDeadUnits, a same-size growth copies only live strings into the next table's arena.
   */
  private maybeCompact(s: number): void {
    const t = this.cur;
    if (this.old !== null || t.aBase === 0) return;
    const st = t.aBase + aStripes + s * aStripeWords;
    const dead = t.d[st + 3]!;
    if (dead > minDeadUnits && dead * 2 > t.d[st + 4]!) {
      try {
        this.hashGrow(true);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // no memory for the copy: the dead units wait
      }
    }
  }

  // ---- lookups ----

  /**
   * Finds the key in table t's chain for `hash`; on a hit sets hitSeg/hitWord and v0/v1 and returns true.
   * Bounded and checked: under a race it may read anything, and must neither throw nor loop.
   */
  private probe(t: TableView, hash: number, w0: number, w1: number): boolean {
    const b = hash & t.mask;
    const top = tophash(hash);
    const bw = this.bw;
    const kw = this.kw;
    let seg = t.segs[b >>> t.mainShift];
    let lb = b & t.mainMask;
    for (let n = 0; n < 1 << 20 && seg !== undefined; n++) {
      const u8 = seg.u8;
      const i32 = seg.i32;
      const wb = lb * bw;
      const tb = wb << 2;
      for (let i = 0; i < Bucket.cnt; i++) {
        const th = u8[tb + i];
        if (th !== top) {
          if (th === Slot.emptyRest) return false;
          continue;
        }
        const k = wb + 2 + i * kw;
        if (i32[k] === w0 && (kw === 1 || i32[k + 1] === w1)) {
          const v = wb + this.voff + i * this.vw;
          this.hitSeg = seg;
          this.hitWord = v;
          this.v0 = i32[v]!;
          this.v1 = this.vw === 2 ? i32[v + 1]! : 0;
          if (this.strValues) this.vstr = this.decode(t, this.v0 >>> 0, this.v1);
          return true;
        }
      }
      if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return false;
      const gid = i32[wb + this.linkOff]!;
      if (!(gid >= t.nb)) return false;
      seg = this.seg(t, gid);
      lb = (gid - t.nb) & t.chunkMask;
    }
    return false;
  }

  /** probe() for a string key: tophash, then length, then the units. */
  private probeStr(t: TableView, hash: number, key: string): boolean {
    const b = hash & t.mask;
    const top = tophash(hash);
    const bw = this.bw;
    const len = key.length;
    let seg = t.segs[b >>> t.mainShift];
    let lb = b & t.mainMask;
    for (let n = 0; n < 1 << 20 && seg !== undefined; n++) {
      const u8 = seg.u8;
      const i32 = seg.i32;
      const wb = lb * bw;
      const tb = wb << 2;
      for (let i = 0; i < Bucket.cnt; i++) {
        const th = u8[tb + i];
        if (th !== top) {
          if (th === Slot.emptyRest) return false;
          continue;
        }
        const k = wb + 2 + 2 * i;
        if (i32[k + 1] !== len) continue;
        if (len > 0) {
          const ref = i32[k]! >>> 0;
          const ch = this.achunk(t, ref >>> unitBits);
          if (ch === undefined) continue;
          const pos = ref & (maxStringUnits - 1);
          if (pos + len > ch.length) continue;
          let j = 0;
          while (j < len && ch[pos + j] === key.charCodeAt(j)) j++;
          if (j < len) continue;
        }
        const v = wb + this.voff + i * this.vw;
        this.hitSeg = seg;
        this.hitWord = v;
        this.v0 = i32[v]!;
        this.v1 = this.vw === 2 ? i32[v + 1]! : 0;
        if (this.strValues) this.vstr = this.decode(t, this.v0 >>> 0, this.v1);
        return true;
      }
      if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return false;
      const gid = i32[wb + this.linkOff]!;
      if (!(gid >= t.nb)) return false;
      seg = this.seg(t, gid);
      lb = (gid - t.nb) & t.chunkMask;
    }
    return false;
  }

  /** Finds the key (words, or this.ks for string keys) in t. */
  private find(t: TableView, hash: number, w0: number, w1: number): boolean {
    return this.strKeys ? this.probeStr(t, hash, this.ks) : this.probe(t, hash, w0, w1);
  }

  /** The table holding hash's chain in this thread's header view. */
  private home(hash: number): TableView {
    const old = this.old;
    return old !== null && !this.evacuated(old, hash & old.mask) ? old : this.cur;
  }

  /** Looks the key up; on a hit returns true with its value words in v0/v1. Lock-free in 'locked' mode. */
  read(hash: number, w0: number, w1: number): boolean {
    const c = this.c;
    if (!this.locked) {
      if (Atomics.load(c, hEpoch) !== this.epoch) this.refresh();
      return this.find(this.home(hash), hash, w0, w1);
    }
    // The common case, inline: no writer in the stripe, this thread's view current, nothing moved meanwhile.
    // One atomic load (Atomics.load costs ~9 ns in Node 20, a builtin call; a plain load ~1 ns, measured): on
    // x86 (TSO: loads are not reordered with older loads) the first version and epoch loads are plain (each
    // decides a branch taken before the probe, so the compiler cannot move it after the probe; elsewhere they
    // are atomic, for their acquire order); the validating version load is atomic, and the epoch load after it
    // is ordered by it.
    const vi = stripesAt + (hash & smask) * sWords;
    const v0 = tso ? c[vi]! : Atomics.load(c, vi);
    const e0 = this.epoch;
    if ((v0 & 1) === 0 && (tso ? c[hEpoch] : Atomics.load(c, hEpoch)) === e0) {
      const old = this.old;
      const found = this.find(old === null ? this.cur : this.home(hash), hash, w0, w1);
      if (Atomics.load(c, vi) === v0 && c[hEpoch] === e0) return found;
    }
    return this.readSlow(hash, w0, w1);
  }

  /** read() when its first try failed: retries, then reads under the stripe lock. */
  private readSlow(hash: number, w0: number, w1: number): boolean {
    const c = this.c;
    const vi = stripesAt + (hash & smask) * sWords;
    for (let tries = 0; tries < 64; tries++) {
      const v = Atomics.load(c, vi);
      if ((v & 1) === 0) {
        const e = this.epoch;
        if (Atomics.load(c, hEpoch) !== e) {
          this.refresh();
          continue;
        }
        let found = false;
        try {
          found = this.find(this.home(hash), hash, w0, w1);
        } catch (err) {
          if (!(err instanceof TableGone || err instanceof RangeError || err instanceof TypeError)) throw err;
        }
        if (Atomics.load(c, vi) === v && Atomics.load(c, hEpoch) === e) return found;
      } else if (tries > 8) pause();
      if (this.mt !== null) this.mt[this.mb + Mc.readRetries]!++;
    }
    if (this.mt !== null) this.mt[this.mb + Mc.lockedReads]!++;
    // A writer keeps the stripe busy (or died in it): read under its lock.
    const s = hash & smask;
    this.lockStripe(s);
    try {
      return this.find(this.homeLocked(hash), hash, w0, w1);
    } finally {
      this.locks[s]!.unlock();
    }
  }

  /** home() for a thread holding the key's stripe: re-checked against the epoch (an old table may be freed). */
  private homeLocked(hash: number): TableView {
    // Not growing in this thread's view (refreshed under the lock): the current table is the home, and stays a
    // safe place to write even if a growth starts now (the header comment).
    if (this.old === null && this.c[hEpoch] === this.epoch) return this.cur;
    for (;;) {
      if (Atomics.load(this.c, hEpoch) !== this.epoch) this.refresh();
      const e = this.epoch;
      const t = this.home(hash);
      if (Atomics.load(this.c, hEpoch) === e) return t;
    }
  }

  // ---- locking ----

  private lockStripe(s: number): void {
    const mt = this.mt;
    if (mt !== null) {
      mt[this.mb + Mc.lockAcquisitions]!++;
      if (this.locks[s]!.tryLock()) return;
      mt[this.mb + Mc.contended]!++;
    }
    if (this.locks[s]!.lock()) this.recoverStripe(s);
  }

  private lockHeader(): void {
    if (this.hdrLock.lock()) this.recoverHeader();
  }

  /**
   * Enters a write on stripe s: its lock ('locked') or the map's writing word ('none'), then the stripe's
   * version goes odd. Throws ConcurrentWriteError in 'none' mode when another live writer is inside.
   */
  beginWrite(s: number): void {
    if (this.locked) {
      this.lockStripe(s);
      this.bumpVersion(s);
    } else {
      this.enterNone(); // 'none': no lock-free readers to tell, so no version
    }
    // A plain load: it follows an atomic operation, which orders it on every architecture.
    if (this.c[hEpoch] !== this.epoch) this.refresh();
  }

  /**
   * Leaves the write. In 'none' mode the writer helps a running growth here, before it lets the writing word go
   * (in 'locked' mode the caller calls growWork() after, holding no stripe): a ConcurrentWriteError is thrown
   * only by beginWrite, before the write changed anything.
   */
  endWrite(s: number): void {
    if (this.locked) {
      this.bumpVersion(s);
      this.locks[s]!.unlock();
      return;
    }
    try {
      if (this.old !== null) this.helpGrowth();
    } finally {
      Atomics.store(this.c, hWriting, 0);
    }
  }

  /**
   * Adds 1 to stripe s's version; only the thread holding the stripe writes it (writers, clear, repair). On x86
   * a plain store: stores are not reordered with older stores (TSO), and the lock's CAS publishes it; elsewhere
   * an atomic add, for its release order.
   */
  private bumpVersion(s: number): void {
    const vi = stripesAt + s * sWords + sVersion;
    if (tso) this.c[vi]!++;
    else Atomics.add(this.c, vi, 1);
  }

  /** 'none' mode: takes the writing word, or throws ConcurrentWriteError (or repairs after a dead writer). */
  private enterNone(): void {
    const c = this.c;
    const prev = Atomics.compareExchange(c, hWriting, 0, this.tag);
    if (prev === 0) return;
    if (prev !== this.tag && !this.registry.isAlive(prev) && Atomics.compareExchange(c, hWriting, prev, this.tag) === prev) {
      // The last writer died inside: repair everything it may have touched.
      this.recoverHeader();
      for (let s = 0; s < S; s++) this.recoverStripe(s);
      return;
    }
    throw new ConcurrentWriteError();
  }

  // ---- writes (the caller holds stripe hash & 63 through beginWrite) ----

  /**
   * Finds the key for writing: evacuates its old chain first when the map grows. On a hit sets hitSeg/hitWord
   * and v0/v1 and returns true.
   */
  findForWrite(hash: number, w0: number, w1: number): boolean {
    const t = this.writeTable(hash);
    return this.find(t, hash, w0, w1);
  }

  /** Table the last findForWrite/insert worked in (the new one, or an old chain evacuation could not move). */
  private wt!: TableView;

  /**
   * Where a write to hash goes: its chain in the new table, after evacuating the old chain; or the old chain
   * itself when the evacuation cannot get memory (maxBytes): the old chain stays the key's home until then.
   */
  private writeTable(hash: number): TableView {
    let t = this.homeLocked(hash);
    if (t !== this.cur && this.evacuate(hash & t.mask)) {
      t = this.cur;
      if (this.mt !== null) this.mt[this.mb + Mc.ownEvacuations]!++;
    }
    this.wt = t;
    return t;
  }

  /** Overwrites the value of the last hit (findForWrite) with (v0, v1). */
  storeHit(s: number, v0: number, v1: number): void {
    const seg = this.hitSeg;
    const w = this.hitWord;
    let deadUnits = 0;
    if (this.strValues) {
      // The new string goes into the hit's table (may throw RangeError before anything changed).
      deadUnits = seg.i32[w + 1]!;
      v0 = this.putString(this.wt, s, this.vs);
      v1 = this.vs.length;
    }
    if (this.vw === 1) {
      seg.i32[w] = v0;
      return;
    }
    const base = stripesAt + s * sWords;
    this.logBegin(base);
    this.logSave(base, seg, w);
    this.logSave(base, seg, w + 1);
    Atomics.store(this.c, base + sLog, 1);
    seg.i32[w] = v0;
    seg.i32[w + 1] = v1;
    this.logCommit(base);
    if (this.strValues) {
      this.addDead(this.wt, s, deadUnits);
      this.maybeCompact(s);
    }
  }

  /**
   * Inserts a key known to be absent (findForWrite returned false in this same write) with value (v0, v1).
   * May start a growth (then the key goes into the new table). Throws a RangeError, changing nothing, if
   * maxBytes is reached.
   */
  insert(s: number, hash: number, w0: number, w1: number, v0: number, v1: number): void {
    const base = stripesAt + s * sWords;
    {
      // hashGrow refreshes this thread's view, whoever started the growth: the key's chain may now be in an
      // old table, to be evacuated before the new table's bucket is written (Go: "goto again").
      if (this.old === null && this.needsGrowth(base)) {
        try {
          this.hashGrow();
        } catch (e) {
          // No memory for a bigger table (maxBytes): go on in this one while its chains can take the key.
          if (!(e instanceof RangeError)) throw e;
        }
      }
      const t = this.writeTable(hash);
      // String units first: running out of memory here changes nothing.
      if (this.strKeys) {
        w0 = this.putString(t, s, this.ks);
        w1 = this.ks.length;
      }
      if (this.strValues) {
        v0 = this.putString(t, s, this.vs);
        v1 = this.vs.length;
      }
      const bw = this.bw;
      const kw = this.kw;
      const b = hash & t.mask;
      let gid = b;
      let seg = t.segs[b >>> t.mainShift]!;
      let lb = b & t.mainMask;
      let slot = -1;
      for (let n = 0; ; n++) {
        if (n > 1 << 20) throw new Error('hmap: bad shared map state: a chain does not end');
        const u8 = seg.u8;
        const tb = (lb * bw) << 2;
        for (let i = 0; i < Bucket.cnt; i++) {
          if (u8[tb + i]! <= Slot.emptyOne) {
            slot = i;
            break;
          }
        }
        if (slot >= 0 || u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
        gid = seg.i32[lb * bw + this.linkOff]!;
        seg = this.seg(t, gid)!;
        lb = this.local(t, gid);
      }
      if (slot < 0) {
        // The chain is full: chain a new bucket (slot 7's entry moves to its slot 0) and use its slot 1.
        const ovf = this.newOverflow(t, s, seg, lb);
        seg = this.seg(t, ovf)!;
        lb = this.local(t, ovf);
        slot = 1;
      }
      const wb = lb * bw;
      const i32 = seg.i32;
      const k = wb + 2 + slot * kw;
      i32[k] = w0;
      if (kw === 2) i32[k + 1] = w1;
      const v = wb + this.voff + slot * this.vw;
      i32[v] = v0;
      if (this.vw === 2) i32[v + 1] = v1;
      seg.u8[(wb << 2) + slot] = tophash(hash); // the entry exists from this byte on
      this.c[base + sCount]!++;
      this.hitSeg = seg;
      this.hitWord = v;
      return;
    }
  }

  /** Deletes the last hit of findForWrite (in stripe s). */
  deleteHit(s: number, hash: number): void {
    const t = this.wt;
    const seg = this.hitSeg;
    const lb = Math.floor(this.hitWord / this.bw);
    const i = (this.hitWord - lb * this.bw - this.voff) / this.vw;
    seg.u8[((lb * this.bw) << 2) + i] = Slot.emptyOne;
    this.markEmptyRest(t, hash & t.mask, seg, lb, i);
    this.c[stripesAt + s * sWords + sCount]!--;
    if (this.strings) {
      const wb = lb * this.bw;
      this.addDead(t, s, (this.strKeys ? seg.i32[wb + 3 + 2 * i]! : 0) + (this.strValues ? seg.i32[this.hitWord + 1]! : 0));
      this.maybeCompact(s);
    }
  }

  /** Go's delete tail: a run of emptyOne slots that ends the chain becomes emptyRest (walking back). */
  private markEmptyRest(t: TableView, first: number, seg: SharedSegment, lb: number, i: number): void {
    const bw = this.bw;
    const last = Bucket.cnt - 1;
    if (i === last - 1 && seg.u8[((lb * bw) << 2) + last] === Slot.overflowLink) {
      const next = seg.i32[lb * bw + this.linkOff]!;
      const ns = this.seg(t, next)!;
      if (ns.u8[(this.local(t, next) * bw) << 2] !== Slot.emptyRest) return;
    } else if (i < last && seg.u8[((lb * bw) << 2) + i + 1] !== Slot.emptyRest) {
      return;
    }
    let cur = seg;
    let clb = lb;
    for (;;) {
      cur.u8[((clb * bw) << 2) + i] = Slot.emptyRest;
      if (i === 0) {
        // Step back to the previous bucket of the chain (its slot 7 is the link, so go on at slot 6).
        if (cur === t.segs[first >>> t.mainShift] && clb === (first & t.mainMask)) return;
        let gid = first;
        let ps = t.segs[first >>> t.mainShift]!;
        let plb = first & t.mainMask;
        for (let n = 0; ; n++) {
          if (n > 1 << 20) throw new Error('hmap: bad shared map state: a bucket is not in its chain');
          const next = ps.i32[plb * bw + this.linkOff]!;
          const nseg = this.seg(t, next)!;
          const nlb = this.local(t, next);
          if (nseg === cur && nlb === clb) break;
          gid = next;
          ps = nseg;
          plb = nlb;
        }
        void gid;
        cur = ps;
        clb = plb;
        i = last - 1;
      } else {
        i--;
      }
      if (cur.u8[((clb * bw) << 2) + i] !== Slot.emptyOne) return;
    }
  }

  /** Entries now (sum of the stripes' counts). */
  count(): number {
    let n = 0;
    for (let s = 0; s < S; s++) n += Atomics.load(this.c, stripesAt + s * sWords + sCount);
    return n;
  }

  private maxCount(B: number): number {
    return Math.max(Bucket.cnt, Math.floor(this.loadFactor * 2 ** B));
  }

  /** maxCount(this.B) * 1, kept by refresh(): the insert path asks on every new key. */
  private maxCnt = 0;

  /** Whether inserting one more key should start a growth (Go: overLoadFactor || tooManyOverflowBuckets). */
  private needsGrowth(base: number): boolean {
    const max = this.maxCnt;
    if ((this.c[base + sCount]! + 1) * S > max && this.count() + 1 > max) return true;
    return this.tooManyOverflow(this.cur);
  }

  private tooManyOverflow(t: TableView): boolean {
    const perBucket = this.loadFactor <= Bucket.cnt ? 1 : Math.ceil(this.loadFactor / 4);
    return Atomics.load(t.d, dNovf) >= (1 << Math.min(t.B, 15)) * perBucket;
  }

  /** Starts a growth if none runs and one is still needed (header lock). Returns whether one started. */
  private hashGrow(compact = false): boolean {
    this.lockHeader();
    try {
      this.refresh();
      if (this.old !== null) return false;
      const B = this.B;
      const max = this.maxCount(B);
      const double = !compact && this.count() + 1 > max;
      if (!double && !compact && !this.tooManyOverflow(this.cur)) return false;
      const nB = B + (double ? 1 : 0);
      if (nB > maxB) throw new RangeError(`hmap: the table would need 2^${nB} buckets; the largest is 2^${maxB}`);
      const ref = this.allocTable(nB); // may throw RangeError (maxBytes): nothing changed yet
      const c = this.c;
      this.hlogBegin();
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hset(hB, nB);
      this.hset(hOld, c[hCur]!);
      this.hset(hCur, ref);
      this.hset(hFlags, double ? 0 : sameSizeGrow);
      this.hset(hClaim, 0);
      for (let s = 0; s < S; s++) this.hset(stripesAt + s * sWords + sEvac, 0);
      if (double) this.hset(hDoublings, c[hDoublings]! + 1);
      else this.hset(hSameSize, c[hSameSize]! + 1);
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hlogCommit();
      this.refresh();
      return true;
    } finally {
      this.hdrLock.unlock();
    }
  }

  /**
   * Takes a fresh overflow bucket of t for the full bucket (seg, lb), moving its slot 7 entry to the new
   * bucket's slot 0 and making slot 7 the link (logged: a half-made link is undone by a repair).
   */
  private newOverflow(t: TableView, s: number, seg: SharedSegment, lb: number, taken = -1): number {
    const ovf = taken >= 0 ? taken : this.allocOverflow(t);
    const nseg = this.seg(t, ovf)!;
    const nlb = this.local(t, ovf);
    const bw = this.bw;
    const last = Bucket.cnt - 1;
    const wb = lb * bw;
    const nwb = nlb * bw;
    const top = seg.u8[(wb << 2) + last]!;
    if (!isLive(top)) throw new Error(`hmap: bad shared map state: spilling slot with tophash ${top}`);
    // Copy slot 7 to the new bucket's slot 0 (the new bucket is not reachable yet: no log needed).
    const i32 = seg.i32;
    const n32 = nseg.i32;
    const sk = wb + 2 + last * this.kw;
    n32[nwb + 2] = i32[sk]!;
    if (this.kw === 2) n32[nwb + 3] = i32[sk + 1]!;
    const sv = wb + this.voff + last * this.vw;
    n32[nwb + this.voff] = i32[sv]!;
    if (this.vw === 2) n32[nwb + this.voff + 1] = i32[sv + 1]!;
    nseg.u8[nwb << 2] = top;
    // Make the link: slot 7's key word and the tophash word holding slot 7 change together.
    const base = stripesAt + s * sWords;
    this.logBegin(base);
    this.logSave(base, seg, wb + this.linkOff);
    this.logSave(base, seg, wb + 1);
    Atomics.store(this.c, base + sLog, 1);
    i32[wb + this.linkOff] = ovf;
    seg.u8[(wb << 2) + last] = Slot.overflowLink;
    this.logCommit(base);
    return ovf;
  }

  /** A new overflow bucket id in t (zeroed). Header lock: the descriptor's count and chunk list. */
  private allocOverflow(t: TableView): number {
    this.lockHeader();
    try {
      const o = t.d[dNovf]!;
      const ci = o >>> t.chunkShift;
      if (ci >= t.maxChunks) throw new RangeError('hmap: shared map: too many overflow buckets in one table');
      if ((o & t.chunkMask) === 0 && Atomics.load(t.d, dRefs + t.nMain + ci) === 0) {
        const r = this.heap.alloc(t.chunkBytes); // may throw RangeError (maxBytes): nothing changed
        Atomics.store(t.d, dRefs + t.nMain + ci, r);
      }
      Atomics.store(t.d, dNovf, o + 1);
      return t.nb + o;
    } finally {
      this.hdrLock.unlock();
    }
  }

  // ---- growth ----

  /**
   * Evacuates old chain ob (the caller holds its stripe): phase 1 copies its live entries into new chains X
   * (and Y), phase 2 marks the old slots evacuated. See Crashes in the header comment.
   */
  evacuate(ob: number): boolean {
    const old = this.old!;
    const nt = this.cur;
    if (this.evacuated(old, ob)) return true;
    const s = ob & smask;
    const base = stripesAt + s * sWords;
    const c = this.c;
    // Take the overflow buckets the copy will need first: running out of memory (maxBytes) must stop the
    // evacuation before it changes anything.
    const live = this.classify(old, ob);
    const pre = this.pre;
    pre.length = 0;
    try {
      const need = (n: number): number => (n <= Bucket.cnt ? 0 : Math.ceil((n - Bucket.cnt) / (Bucket.cnt - 1)));
      for (let k = need(live - this.ny) + need(this.ny); k > 0; k--) pre.push(this.allocOverflow(nt));
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
    const ybits = this.ybits;
    let j = 0;
    let next = 0;
    Atomics.store(c, base + sPhase, 1);
    Atomics.store(c, base + sEvacuating, ob + 1);
    const same = this.sameSize;
    const newbit = old.nb;
    const bw = this.bw;
    const kw = this.kw;
    const vw = this.vw;
    const voff = this.voff;
    let xseg = nt.segs[ob >>> nt.mainShift]!;
    let xlb = ob & nt.mainMask;
    let xi = 0;
    const yb = ob + newbit;
    let yseg = same ? xseg : nt.segs[yb >>> nt.mainShift]!;
    let ylb = same ? 0 : yb & nt.mainMask;
    let yi = 0;
    const strings = this.strings;
    const strKeys = this.strKeys;
    const strValues = this.strValues;
    try {
      let seg = old.segs[ob >>> old.mainShift]!;
      let lb = ob & old.mainMask;
      for (;;) {
        const u8 = seg.u8;
        const i32 = seg.i32;
        const wb = lb * bw;
        const tb = wb << 2;
        for (let i = 0; i < Bucket.cnt; i++) {
          const top = u8[tb + i]!;
          if (!isLive(top)) continue;
          const k = wb + 2 + i * kw;
          const useY = ybits[j++] === 1;
          let dseg: SharedSegment;
          let dlb: number;
          let di: number;
          if (useY) {
            if (yi === Bucket.cnt) {
              const o = this.newOverflow(nt, s, yseg, ylb, pre[next++]!);
              yseg = this.seg(nt, o)!;
              ylb = this.local(nt, o);
              yi = 1;
            }
            dseg = yseg;
            dlb = ylb;
            di = yi++;
          } else {
            if (xi === Bucket.cnt) {
              const o = this.newOverflow(nt, s, xseg, xlb, pre[next++]!);
              xseg = this.seg(nt, o)!;
              xlb = this.local(nt, o);
              xi = 1;
            }
            dseg = xseg;
            dlb = xlb;
            di = xi++;
          }
          const d32 = dseg.i32;
          const dwb = dlb * bw;
          const dk = dwb + 2 + di * kw;
          const sv = wb + voff + i * vw;
          const dv = dwb + voff + di * vw;
          if (strings) {
            // Strings move into the new table's arena (only live ones: evacuation compacts).
            d32[dk] = strKeys ? this.copyString(old, i32[k]! >>> 0, i32[k + 1]!, nt, s) : i32[k]!;
            d32[dv] = strValues ? this.copyString(old, i32[sv]! >>> 0, i32[sv + 1]!, nt, s) : i32[sv]!;
          } else {
            d32[dk] = i32[k]!;
            d32[dv] = i32[sv]!;
          }
          if (kw === 2) d32[dk + 1] = i32[k + 1]!;
          if (vw === 2) d32[dv + 1] = i32[sv + 1]!;
          dseg.u8[(dwb << 2) + di] = top;
        }
        if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
        const gid = i32[wb + this.linkOff]!;
        seg = this.seg(old, gid)!;
        lb = this.local(old, gid);
      }
    } catch (e) {
      // Only string units can run out here (the buckets were taken above): undo the copies, keep the chain.
      if (!(e instanceof RangeError)) throw e;
      this.emptyChain(nt, ob);
      if (!same) this.emptyChain(nt, ob + newbit);
      Atomics.store(c, base + sEvacuating, 0);
      Atomics.store(c, base + sPhase, 0);
      return false;
    }
    Atomics.store(c, base + sPhase, 2);
    this.markEvacuated(old, ob, true);
    c[base + sEvac]!++;
    Atomics.add(c, hEvacTotal, 1);
    Atomics.store(c, base + sEvacuating, 0);
    Atomics.store(c, base + sPhase, 0);
    return true;
  }

  /** Overflow bucket ids taken ahead by evacuate (reused array). */
  private readonly pre: number[] = [];

  /** Per live slot of the chain being evacuated, in walk order: 1 if it goes to Y (classify). */
  private ybits = new Uint8Array(64);
  /** Live slots classify() sent to Y. */
  private ny = 0;

  /** Hashes old chain ob's live keys once, for evacuate's copy and marking; returns how many are live. */
  private classify(old: TableView, ob: number): number {
    const newbit = old.nb;
    const same = this.sameSize;
    const bw = this.bw;
    const kw = this.kw;
    let seg = old.segs[ob >>> old.mainShift]!;
    let lb = ob & old.mainMask;
    let n = 0;
    let ny = 0;
    for (;;) {
      const u8 = seg.u8;
      const i32 = seg.i32;
      const wb = lb * bw;
      const tb = wb << 2;
      if (n + Bucket.cnt > this.ybits.length) {
        const bigger = new Uint8Array(this.ybits.length * 2);
        bigger.set(this.ybits);
        this.ybits = bigger;
      }
      for (let i = 0; i < Bucket.cnt; i++) {
        if (!isLive(u8[tb + i]!)) continue;
        const y = !same && (this.hashOf(old, i32, wb + 2 + i * kw) & newbit) !== 0 ? 1 : 0;
        this.ybits[n++] = y;
        ny += y;
      }
      if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
      const gid = i32[wb + this.linkOff]!;
      seg = this.seg(old, gid)!;
      lb = this.local(old, gid);
    }
    this.ny = ny;
    return n;
  }

  /**
   * Phase 2 of evacuate: every slot of old chain ob but the links takes its evacuated state (from classify's
   * bits, or by hashing again in a repair). Idempotent; slot 0 of the main bucket, which carries the chain's
   * state, is written last.
   */
  private markEvacuated(old: TableView, ob: number, useBits: boolean): void {
    const bw = this.bw;
    const newbit = old.nb;
    const same = this.sameSize;
    const ybits = this.ybits;
    let seg = old.segs[ob >>> old.mainShift]!;
    let lb = ob & old.mainMask;
    let j = 0;
    let slot0 = -1;
    let first = true;
    for (;;) {
      const u8 = seg.u8;
      const i32 = seg.i32;
      const wb = lb * bw;
      const tb = wb << 2;
      for (let i = 0; i < Bucket.cnt; i++) {
        const top = u8[tb + i]!;
        if (top === Slot.overflowLink || (top >= Slot.evacuatedX && top <= Slot.evacuatedEmpty)) continue;
        let state: number = Slot.evacuatedEmpty;
        if (isLive(top)) {
          const y = useBits ? ybits[j++] === 1 : !same && (this.hashOf(old, i32, wb + 2 + i * this.kw) & newbit) !== 0;
          state = y ? Slot.evacuatedY : Slot.evacuatedX;
        }
        if (first && i === 0) slot0 = state;
        else u8[tb + i] = state;
      }
      if (u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
      const gid = i32[wb + this.linkOff]!;
      seg = this.seg(old, gid)!;
      lb = this.local(old, gid);
      first = false;
    }
    if (slot0 >= 0) old.segs[ob >>> old.mainShift]!.u8[((ob & old.mainMask) * bw) << 2] = slot0;
  }

  /**
   * Helps a running growth with one old chain (claimed from the shared counter), after the caller's own write;
   * finishes the growth when every chain is done. Takes the claimed chain's stripe (the caller holds none).
   */
  growWork(): void {
    if (this.locked) this.helpGrowth();
  }

  /** growWork's body; in 'none' mode run inside the write (endWrite), in 'locked' mode holding no stripe. */
  private helpGrowth(): void {
    const c = this.c;
    if (Atomics.load(c, hEpoch) !== this.epoch) this.refresh();
    const old = this.old;
    if (old === null) return;
    const claim = Atomics.add(c, hClaim, 1);
    if (claim >= old.nb && this.maybeFinish()) return;
    const ob = claim & old.mask;
    const s = ob & smask;
    if (this.locked) this.lockStripe(s);
    Atomics.add(c, stripesAt + s * sWords + sVersion, 1);
    try {
      if (Atomics.load(c, hEpoch) !== this.epoch) this.refresh();
      // The view may have moved on: the growth may have finished, or another may have started.
      // A false return (no memory for the copy) leaves the chain for a later try: the growth waits.
      if (this.old !== null && ob < this.old.nb && !this.evacuated(this.old, ob) && this.evacuate(ob) && this.mt !== null) {
        this.mt[this.mb + Mc.helpedEvacuations]!++;
      }
    } finally {
      Atomics.add(c, stripesAt + s * sWords + sVersion, 1);
      if (this.locked) this.locks[s]!.unlock();
    }
    if (claim === old.nb - 1) this.maybeFinish();
  }

  /** Finishes the growth if every old chain has been evacuated; returns whether the map no longer grows. */
  private maybeFinish(): boolean {
    const c = this.c;
    const old = this.old;
    if (old === null) return true;
    let done = 0;
    for (let s = 0; s < S; s++) done += Atomics.load(c, stripesAt + s * sWords + sEvac);
    if (done < old.nb) return false;
    this.lockHeader();
    let freed: TableView | null = null;
    try {
      this.refresh();
      const o = this.old;
      if (o === null) return true;
      done = 0;
      for (let s = 0; s < S; s++) done += Atomics.load(c, stripesAt + s * sWords + sEvac);
      if (done < o.nb) return false;
      this.hlogBegin();
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hset(hOld, 0);
      this.hset(hFlags, 0);
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hlogCommit();
      freed = o;
      this.refresh();
    } finally {
      this.hdrLock.unlock();
    }
    if (freed !== null) this.freeTable(freed);
    return true;
  }

  // ---- undo logs ----

  // A stripe's logged change: logBegin (count 0; the log is inactive), logSave each word, set active, write the
  // words, logCommit. A repair rolls back only an active log, and an active log lists exactly the words being
  // written (its count is reset before anything is saved, and zeroed before it turns inactive): a thread dying
  // at any point leaves either nothing to undo or this change's own words.

  private logBegin(base: number): void {
    Atomics.store(this.c, base + sLog + 1, 0);
  }

  private logCommit(base: number): void {
    Atomics.store(this.c, base + sLog + 1, 0);
    Atomics.store(this.c, base + sLog, 0);
  }

  /** Saves word w of seg in stripe log `base` (before the caller changes it). */
  private logSave(base: number, seg: SharedSegment, w: number): void {
    const c = this.c;
    const n = c[base + sLog + 1]!;
    if (n >= sLogCap) throw new Error('hmap: shared map: stripe undo log full');
    const e = base + sLogEntries + 3 * n;
    c[e] = seg.ref;
    c[e + 1] = w;
    c[e + 2] = seg.i32[w]!;
    Atomics.store(c, base + sLog + 1, n + 1);
  }

  private hlogBegin(): void {
    this.c[hLog + 1] = 0;
    Atomics.store(this.c, hLog, 1);
  }

  /** Logs header word i, then sets it (inside hlogBegin/hlogCommit). */
  private hset(i: number, v: number): void {
    const c = this.c;
    const n = c[hLog + 1]!;
    if (n >= hLogCap) throw new Error('hmap: shared map: header undo log full');
    const e = hLog + 2 + 3 * n;
    c[e] = 0;
    c[e + 1] = i;
    c[e + 2] = c[i]!;
    Atomics.store(c, hLog + 1, n + 1);
    Atomics.store(c, i, v);
  }

  private hlogCommit(): void {
    Atomics.store(this.c, hLog, 0);
  }

  /** Restores the words of an active log (newest first) and clears it. */
  private rollback(at: number, entries: number): void {
    const c = this.c;
    if (Atomics.load(c, at) !== 0) {
      for (let n = c[at + 1]! - 1; n >= 0; n--) {
        const e = entries + 3 * n;
        const ref = c[e]! >>> 0;
        if (ref === 0) Atomics.store(c, c[e + 1]!, c[e + 2]!);
        else this.heap.int32(ref, (c[e + 1]! + 1) * 4)[c[e + 1]!] = c[e + 2]!;
      }
      Atomics.store(c, at, 0);
    }
    c[at + 1] = 0;
  }

  // ---- crash repair ----

  /** Run by the thread that took the header lock over from a dead holder. */
  private recoverHeader(): void {
    this.rollback(hLog, hLog + 2);
    const e = Atomics.load(this.c, hEpoch);
    if (e & 1) Atomics.store(this.c, hEpoch, e + 1);
    this.epoch = -1;
  }

  /** Run by the thread that took stripe s over from a dead holder (or from a dead 'none' writer). */
  private recoverStripe(s: number): void {
    const c = this.c;
    const base = stripesAt + s * sWords;
    this.rollback(base + sLog, base + sLogEntries);
    this.epoch = -1;
    this.refresh();
    const ev = Atomics.load(c, base + sEvacuating);
    if (ev !== 0 && this.old !== null) {
      const ob = ev - 1;
      if (Atomics.load(c, base + sPhase) === 1) {
        // Copy in progress: the old chain is intact; empty the new chains again.
        this.emptyChain(this.cur, ob);
        if (!this.sameSize) this.emptyChain(this.cur, ob + this.old.nb);
      } else {
        this.markEvacuated(this.old, ob, false);
      }
    }
    Atomics.store(c, base + sEvacuating, 0);
    Atomics.store(c, base + sPhase, 0);
    this.recount(s);
    const v = Atomics.load(c, base + sVersion);
    if (v & 1) Atomics.store(c, base + sVersion, v + 1);
  }

  /** Makes main bucket b of t an empty chain (its overflow buckets are dropped). */
  private emptyChain(t: TableView, b: number): void {
    const seg = t.segs[b >>> t.mainShift]!;
    const wb = (b & t.mainMask) * this.bw;
    seg.i32[wb] = 0;
    seg.i32[wb + 1] = 0;
  }

  /** Recomputes stripe s's entry count and evacuated-chain count from its buckets. */
  private recount(s: number): void {
    const base = stripesAt + s * sWords;
    let n = this.countIn(this.cur, s, false);
    let ev = 0;
    const old = this.old;
    if (old !== null) {
      n += this.countIn(old, s, true);
      for (let b = s; b < old.nb; b += S) if (this.evacuated(old, b)) ev++;
    }
    this.c[base + sCount] = n;
    this.c[base + sEvac] = ev;
    const t = this.cur;
    if (t.aBase !== 0) {
      // Units handed out since the table was made are unknown after a crash: start again from the live ones.
      let units = 0;
      for (let b = s; b < t.nb; b += S) {
        this.walk(t, b, (seg, wb, i) => {
          if (this.strKeys) units += seg.i32[wb + 3 + 2 * i]!;
          if (this.strValues) units += seg.i32[wb + this.voff + 2 * i + 1]!;
        });
      }
      const st = t.aBase + aStripes + s * aStripeWords;
      t.d[st + 3] = 0;
      t.d[st + 4] = units;
    }
  }

  private countIn(t: TableView, s: number, skipEvacuated: boolean): number {
    let n = 0;
    for (let b = s; b < t.nb; b += S) {
      if (skipEvacuated && this.evacuated(t, b)) continue;
      this.walk(t, b, (seg, wb, i) => {
        void seg;
        void wb;
        void i;
        n++;
      });
    }
    return n;
  }

  /** Calls f for every live slot of chain b of t. */
  walk(t: TableView, b: number, f: (seg: SharedSegment, wb: number, i: number) => void): void {
    let seg = t.segs[b >>> t.mainShift]!;
    let lb = b & t.mainMask;
    for (;;) {
      const wb = lb * this.bw;
      const tb = wb << 2;
      for (let i = 0; i < Bucket.cnt; i++) if (isLive(seg.u8[tb + i]!)) f(seg, wb, i);
      if (seg.u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) return;
      const gid = seg.i32[wb + this.linkOff]!;
      seg = this.seg(t, gid)!;
      lb = this.local(t, gid);
    }
  }

  // ---- whole-map operations ----

  /** Takes every stripe (in order) and the header lock, runs f, lets them go. */
  exclusive<T>(f: () => T): T {
    if (this.locked) for (let s = 0; s < S; s++) this.lockStripe(s);
    else this.enterNone();
    try {
      this.lockHeader();
      try {
        this.refresh();
        return f();
      } finally {
        this.hdrLock.unlock();
      }
    } finally {
      if (this.locked) for (let s = S - 1; s >= 0; s--) this.locks[s]!.unlock();
      else Atomics.store(this.c, hWriting, 0);
    }
  }

  /** Drops every entry and returns to the initial size. */
  clear(): void {
    let freed: TableView[] = [];
    this.exclusive(() => {
      const c = this.c;
      const tables = this.old === null ? [this.cur] : [this.cur, this.old];
      let ref: number;
      // Every stripe odd before anything changes or is freed (readers retry until the clear is over).
      for (let s = 0; s < S; s++) Atomics.add(c, stripesAt + s * sWords + sVersion, 1);
      try {
        ref = this.allocTable(this.initialB);
      } catch (e) {
        // At maxBytes: free the tables first (a thread dying between this and the header switch below would
        // leave the header naming freed memory: the one window where a crash is not repaired). The initial
        // table fitted when the map was made, so it fits in the memory of the tables freed.
        if (!(e instanceof RangeError)) {
          for (let s = 0; s < S; s++) Atomics.add(c, stripesAt + s * sWords + sVersion, 1);
          throw e;
        }
        for (const t of tables) this.freeTable(t);
        tables.length = 0;
        ref = this.allocTable(this.initialB);
      }
      this.hlogBegin();
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hset(hB, this.initialB);
      this.hset(hCur, ref);
      this.hset(hOld, 0);
      this.hset(hFlags, 0);
      this.hset(hClearSeq, c[hClearSeq]! + 1);
      for (let s = 0; s < S; s++) {
        this.hset(stripesAt + s * sWords + sCount, 0);
        this.hset(stripesAt + s * sWords + sEvac, 0);
      }
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hlogCommit();
      for (let s = 0; s < S; s++) Atomics.add(c, stripesAt + s * sWords + sVersion, 1);
      freed = tables;
      this.refresh();
    });
    for (const t of freed) this.freeTable(t);
  }

  /** Turns counting on for every thread (a header change: each thread sees it at its next refresh). */
  enableMetrics(): void {
    if (Atomics.load(this.c, hMetrics) !== 0) return;
    this.lockHeader();
    try {
      const c = this.c;
      this.hlogBegin();
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hset(hMetrics, 1);
      this.hset(hEpoch, c[hEpoch]! + 1);
      this.hlogCommit();
    } finally {
      this.hdrLock.unlock();
    }
    this.refresh();
  }

  get metricsOn(): boolean {
    return Atomics.load(this.c, hMetrics) !== 0;
  }

  /** Counter i (Mc) summed over every thread slot (racy: each slot is read while its thread may add). */
  counter(i: number): number {
    let n = 0;
    for (let slot = 0; slot < 64; slot++) n += this.counters[slot * Mc.words + i]!;
    return n;
  }

  get clearSeq(): number {
    return Atomics.load(this.c, hClearSeq);
  }

  /**
   * Copies the entries of iteration group g (those with hash & (2^B0 - 1) === g) into out as
   * (k0, k1, v0, v1) quadruples, under the group's stripe. Returns false if the map was cleared since the
   * iteration started (B below B0).
   */
  group(g: number, B0: number, out: unknown[]): boolean {
    out.length = 0;
    const s = g & smask;
    if (this.locked) this.lockStripe(s);
    try {
      if (Atomics.load(this.c, hEpoch) !== this.epoch) this.refresh();
      if (this.B < B0) return false;
      const mask0 = (1 << B0) - 1;
      const collect = (t: TableView): void => {
        const filter = t.B < B0;
        const step = filter ? t.nb : 1 << B0;
        for (let b = g & t.mask; b < t.nb; b += step) {
          this.walk(t, b, (seg, wb, i) => {
            const k = wb + 2 + i * this.kw;
            if (filter && (this.hashOf(t, seg.i32, k) & mask0) !== g) return;
            const v = wb + this.voff + i * this.vw;
            const i32 = seg.i32;
            // Strings are decoded here, under the stripe: their arena may be freed once it is let go.
            out.push(
              this.strKeys ? this.decode(t, i32[k]! >>> 0, i32[k + 1]!) : i32[k]!,
              this.kw === 2 ? i32[k + 1]! : 0,
              this.strValues ? this.decode(t, i32[v]! >>> 0, i32[v + 1]!) : i32[v]!,
              this.vw === 2 ? i32[v + 1]! : 0,
            );
          });
        }
      };
      if (this.old !== null) collect(this.old);
      collect(this.cur);
      return true;
    } finally {
      if (this.locked) this.locks[s]!.unlock();
    }
  }

  stats(): { count: number; B: number; buckets: number; overflowBuckets: number; growing: boolean; sameSizeGrow: boolean; oldBuckets: number; evacuated: number; bytes: number } {
    if (Atomics.load(this.c, hEpoch) !== this.epoch) this.refresh();
    const old = this.old;
    let ev = 0;
    for (let s = 0; s < S; s++) ev += Atomics.load(this.c, stripesAt + s * sWords + sEvac);
    const tbytes = (t: TableView): number => {
      let n = t.nMain * t.segBytes + Math.ceil(Atomics.load(t.d, dNovf) / (1 << t.chunkShift)) * t.chunkBytes;
      if (t.aBase !== 0) for (let i = Atomics.load(t.d, t.aBase) - 1; i >= 0; i--) n += 2 * Atomics.load(t.d, t.aBase + aRefs + 2 * i + 1);
      return n;
    };
    return {
      count: this.count(),
      B: this.B,
      buckets: this.cur.nb,
      overflowBuckets: Atomics.load(this.cur.d, dNovf) + (old === null ? 0 : Atomics.load(old.d, dNovf)),
      growing: old !== null,
      sameSizeGrow: old !== null && this.sameSize,
      oldBuckets: old === null ? 0 : old.nb,
      evacuated: old === null ? 0 : ev,
      bytes: tbytes(this.cur) + (old === null ? 0 : tbytes(old)),
    };
  }

  get growths(): { doublings: number; sameSize: number; evacuated: number } {
    return { doublings: Atomics.load(this.c, hDoublings), sameSize: Atomics.load(this.c, hSameSize), evacuated: Atomics.load(this.c, hEvacTotal) };
  }

  /** Checks every invariant (header comment and Go's) with the map held exclusively; throws an InvariantError naming the first broken. */
  verify(): void {
    this.exclusive(() => this.verifyHeld());
    this.heap.verify();
  }

  private verifyHeld(): void {
    const c = this.c;
    const fail = (msg: string): never => {
      throw new InvariantError(`hmap verify (shared): ${msg}`);
    };
    if (c[hEpoch]! & 1) fail('header epoch is odd outside a header change');
    if (c[hLog] !== 0) fail('header undo log left active');
    const cur = this.cur;
    const old = this.old;
    if (cur.B !== this.B || cur.B < stripeBits) fail(`table B ${cur.B}, header B ${this.B}`);
    if (old !== null && old.B !== (this.sameSize ? cur.B : cur.B - 1)) fail(`old table B ${old.B} against new ${cur.B}`);
    const seen = new Set<string>();
    const counts = new Array<number>(S).fill(0);
    const evs = new Array<number>(S).fill(0);
    const checkChain = (t: TableView, b: number, isOld: boolean): void => {
      let seg = t.segs[b >>> t.mainShift]!;
      let lb = b & t.mainMask;
      let evac = 0;
      let live = 0;
      let restSeen = false;
      let n = 0;
      for (;;) {
        if (++n > 1 << 20) fail(`chain ${b} does not end`);
        const wb = lb * this.bw;
        const tb = wb << 2;
        for (let i = 0; i < Bucket.cnt; i++) {
          const top = seg.u8[tb + i]!;
          if (top === Slot.overflowLink) {
            if (i !== Bucket.cnt - 1) fail(`link in slot ${i} of chain ${b}`);
            continue;
          }
          if (restSeen && top !== Slot.emptyRest && !(isOld && top >= Slot.evacuatedX && top <= Slot.evacuatedEmpty)) fail(`slot after emptyRest holds ${top} in chain ${b}`);
          if (top === Slot.emptyRest) restSeen = true;
          if (top >= Slot.evacuatedX && top <= Slot.evacuatedEmpty) {
            if (!isOld) fail(`evacuated state in the new table, chain ${b}`);
            evac++;
            continue;
          }
          if (!isLive(top)) continue;
          live++;
          const k = wb + 2 + i * this.kw;
          const h = this.hashOf(t, seg.i32, k);
          if (tophash(h) !== top) fail(`tophash ${top} of a key whose hash gives ${tophash(h)}, chain ${b}`);
          if ((h & t.mask) !== b) fail(`key in chain ${b} belongs to chain ${h & t.mask}`);
          if (this.strings) {
            if (this.strKeys && this.decode(t, seg.i32[k]! >>> 0, seg.i32[k + 1]!) === undefined) fail(`string key outside the arena, chain ${b}`);
            const v = wb + this.voff + i * this.vw;
            if (this.strValues && this.decode(t, seg.i32[v]! >>> 0, seg.i32[v + 1]!) === undefined) fail(`string value outside the arena, chain ${b}`);
          }
          const key = this.strKeys ? `s:${this.decode(t, seg.i32[k]! >>> 0, seg.i32[k + 1]!)}` : `${seg.i32[k]},${this.kw === 2 ? seg.i32[k + 1] : 0}`;
          if (seen.has(key)) fail(`key ${key} stored twice`);
          seen.add(key);
          counts[b & smask]!++;
        }
        if (seg.u8[tb + Bucket.cnt - 1] !== Slot.overflowLink) break;
        const gid = seg.i32[wb + this.linkOff]!;
        const next = this.seg(t, gid);
        if (next === undefined || gid < t.nb || gid - t.nb >= Atomics.load(t.d, dNovf)) fail(`chain ${b} links to bad bucket ${gid}`);
        seg = next!;
        lb = this.local(t, gid);
      }
      if (isOld && evac > 0 && live > 0) fail(`old chain ${b} is partly evacuated`);
      if (isOld && evac > 0) evs[b & smask]!++;
      if (isOld && this.evacuated(t, b) !== evac > 0) fail(`old chain ${b}: slot 0 state disagrees with its slots`);
    };
    if (old !== null) for (let b = 0; b < old.nb; b++) checkChain(old, b, true);
    for (let b = 0; b < cur.nb; b++) {
      if (old !== null && !this.evacuated(old, b & old.mask)) {
        const seg = cur.segs[b >>> cur.mainShift]!;
        if (seg.u8[(b & cur.mainMask) * this.bw * 4] !== Slot.emptyRest) fail(`new bucket ${b} written before old chain ${b & old.mask} was evacuated`);
      }
      checkChain(cur, b, false);
    }
    for (let s = 0; s < S; s++) {
      const base = stripesAt + s * sWords;
      if (c[base + sVersion]! & 1) fail(`stripe ${s} version is odd`);
      if (c[base + sLog] !== 0) fail(`stripe ${s} undo log left active`);
      if (c[base + sEvacuating] !== 0) fail(`stripe ${s} left an evacuation half done`);
      if (c[base + sCount] !== counts[s]) fail(`stripe ${s} counts ${c[base + sCount]} entries, holds ${counts[s]}`);
      if (old !== null && c[base + sEvac] !== evs[s]) fail(`stripe ${s} counts ${c[base + sEvac]} evacuated chains, has ${evs[s]}`);
    }
  }
}
