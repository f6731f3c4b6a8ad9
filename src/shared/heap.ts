// The shared heap: where a shared map's memory comes from (buckets, overflow chunks, string arenas), visible to
// every thread that attached to the map.
//
// A thread cannot receive a new SharedArrayBuffer without a message, so a map that grows while other threads
// use it must never need one: every buffer the map may ever use is created up front, empty, as a growable
// SharedArrayBuffer (Node 20 caps maxByteLength at 4 GiB), and grown in place; growth is visible to all threads
// holding the buffer. Creating them costs only address space (16 x 4 GiB: 0.1 ms, no resident memory).
//
// Blocks come in power-of-two size classes, from one cache line (64 bytes) up to 2 GiB:
//
//   ref = region << 26 | offset / 64          (32 bits: 64 regions of 4 GiB, 64-byte granules)
//
// Ref 0 is never handed out (the first granule of region 0 is reserved), so 0 can mean "none". A block is
// aligned to 64 bytes and never straddles regions. Allocation pops the size class's free list or, when it is
// empty, bumps the current region; a region whose rest is too small for a request is closed, and its rest is
// cut into power-of-two blocks for the free lists, so no byte below the bump is lost. Freed blocks go on their
// class's free list (LIFO, the next ref kept in the block's first word) and are reused only by that class:
// tables double, so the classes a map frees are the classes it asks for next.
//
// Invariants (checked by verify()):
// - bumpRegion < regions; every region below bumpRegion is closed; its byteLength covers everything handed out.
// - Every free-list block lies below the bump of its region, is aligned to 64 bytes, appears once, and the
//   lists' lengths equal freeCount[class].
// - reserved (granules) = sum over regions of the bump = handed out + free, and reserved * 64 <= maxBytes.
//
// Concurrency: one lock guards the control block (alloc and free are rare: a growth, an overflow chunk, an
// arena chunk). By default it is a futex-style lock word (0 free, 1 held, 2 held with waiters) on
// Atomics.wait, and a thread that dies holding it blocks the others. A shared map gives its heap a
// registry-bound Mutex instead (useLock): a thread that takes it over from a dead holder runs repair(), which
// makes the control block consistent again. Every step of alloc and free leaves the lists well formed (a link
// is written before the head that makes it reachable; popping is one store of the head), and repair recounts
// what can be derived (reserved, the lists' lengths, free granules) and undoes a half-made region switch
// (a bump beyond its region's committed length). A block a dead thread popped or cut but never used is leaked.

/** Bytes per granule: allocation unit and alignment. */
export const granule = 64;
/** Granules per region (4 GiB / 64). */
const regionGranules = 2 ** 26;
/** The largest region Node 20 allows: 4 GiB. */
export const maxRegionBytes = regionGranules * granule;
/** Regions a heap can address. */
export const maxRegions = 64;
/** Size classes: 64 * 2^c bytes for c in [0, classes): 64 bytes to 2 GiB (a typed array over a block must
 * stay addressable with int32 indices). */
const classes = 26;
/** The largest block: 2 GiB. */
export const maxBlockBytes = granule * 2 ** (classes - 1);

// Control block words (Int32Array; the unsigned counters are read through a Uint32Array over the same buffer).
const enum Ctl {
  lock = 0,
  /** Region being bumped. */
  bumpRegion = 1,
  /** Next free granule in bumpRegion. */
  bump = 2,
  /** Granules reserved in all regions (handed out or on free lists), unsigned. */
  reserved = 3,
  /** Granules on free lists, unsigned. */
  freeGranules = 4,
  /** Free-list heads by class. */
  heads = 8,
  /** Free-list lengths by class. */
  counts = heads + classes,
  words = counts + classes,
}

/** The structured-cloneable description of a heap, for attach() in another thread. */
export interface SharedHeapHandle {
  readonly kind: 'hmap.SharedHeap';
  readonly control: SharedArrayBuffer;
  readonly regions: readonly SharedArrayBuffer[];
  readonly maxBytes: number;
}

export interface SharedHeapStats {
  /** Bytes below the bump of every region: handed out plus free. */
  reserved: number;
  /** Bytes on free lists. */
  free: number;
  /** Bytes the regions' buffers have grown to (memory the OS may have to back). */
  committed: number;
  /** The cap set at creation. */
  maxBytes: number;
}

/** Size class of a request of `bytes`: the smallest c with 64 * 2^c >= bytes. */
export function sizeClass(bytes: number): number {
  if (!(bytes >= 1 && bytes <= maxBlockBytes)) throw new RangeError(`hmap: shared block of ${bytes} bytes (1 to ${maxBlockBytes})`);
  const g = Math.ceil(bytes / granule);
  return g <= 1 ? 0 : 32 - Math.clz32(g - 1);
}

/** Region of a ref. */
export function refRegion(ref: number): number {
  return ref >>> 26;
}

/** Byte offset of a ref inside its region. */
export function refOffset(ref: number): number {
  return (ref & (regionGranules - 1)) * granule;
}

function makeRef(region: number, g: number): number {
  return ((region << 26) | g) >>> 0;
}

export class SharedHeap {
  readonly regions: readonly SharedArrayBuffer[];
  readonly maxBytes: number;
  private readonly control: SharedArrayBuffer;
  private readonly ctl: Int32Array;
  private readonly uctl: Uint32Array;
  /** Each region's first word, for the free lists' links (Int32Array per region, created on first use). */
  private readonly words: (Uint32Array | null)[];
  /** The lock a shared map supplies (useLock), or null for the heap's own lock word. */
  private mutex: { lock(): boolean; unlock(): void } | null = null;

  /**
   * A new heap that may hold up to `maxBytes`, in regions of `regionBytes` (a power of two from 64 KiB to 4 GiB;
   * smaller regions are for tests of what happens when one fills up).
   */
  static create(maxBytes: number, regionBytes: number = maxRegionBytes): SharedHeap {
    if (!(typeof regionBytes === 'number' && Number.isInteger(Math.log2(regionBytes)) && regionBytes >= 65536 && regionBytes <= maxRegionBytes)) {
      throw new RangeError(`hmap: regionBytes must be a power of two from 65536 to ${maxRegionBytes}, got ${regionBytes}`);
    }
    if (!(Number.isSafeInteger(maxBytes) && maxBytes >= granule * 2)) {
      throw new RangeError(`hmap: maxBytes must be an integer of at least ${granule * 2}, got ${maxBytes}`);
    }
    if (maxBytes > maxRegions * regionBytes) {
      throw new RangeError(`hmap: maxBytes ${maxBytes} is above the largest shared heap, ${maxRegions * regionBytes} bytes`);
    }
    const n = Math.ceil(maxBytes / regionBytes);
    const regions: SharedArrayBuffer[] = [];
    for (let i = 0; i < n; i++) {
      const max = Math.min(regionBytes, maxBytes - i * regionBytes);
      regions.push(new SharedArrayBuffer(0, { maxByteLength: Math.ceil(max / granule) * granule }));
    }
    const control = new SharedArrayBuffer(Ctl.words * 4);
    const heap = new SharedHeap(control, regions, maxBytes);
    // Granule 0 of region 0 stays unused, so that ref 0 means none.
    heap.ctl[Ctl.bump] = 1;
    heap.uctl[Ctl.reserved] = 1;
    heap.commit(0, granule);
    return heap;
  }

  /** The heap described by a handle from share(), in this thread. */
  static attach(handle: unknown): SharedHeap {
    const h = handle as SharedHeapHandle;
    if (
      typeof h !== 'object' ||
      h === null ||
      h.kind !== 'hmap.SharedHeap' ||
      !(h.control instanceof SharedArrayBuffer) ||
      h.control.byteLength !== Ctl.words * 4 ||
      !Array.isArray(h.regions) ||
      !h.regions.every((r) => r instanceof SharedArrayBuffer && r.growable) ||
      typeof h.maxBytes !== 'number'
    ) {
      throw new TypeError('hmap: SharedHeap.attach needs a handle made by share()');
    }
    return new SharedHeap(h.control, h.regions, h.maxBytes);
  }

  private constructor(control: SharedArrayBuffer, regions: readonly SharedArrayBuffer[], maxBytes: number) {
    this.control = control;
    this.ctl = new Int32Array(control);
    this.uctl = new Uint32Array(control);
    this.regions = regions;
    this.maxBytes = maxBytes;
    this.words = regions.map(() => null);
  }

  share(): SharedHeapHandle {
    return { kind: 'hmap.SharedHeap', control: this.control, regions: this.regions, maxBytes: this.maxBytes };
  }

  /**
   * A block of at least `bytes` bytes (64 << sizeClass(bytes)), zeroed, as a ref. Throws a RangeError naming
   * the limit when maxBytes would be exceeded; every block already handed out is unaffected.
   */
  alloc(bytes: number): number {
    const c = sizeClass(bytes);
    const size = granule * (1 << c);
    this.lock();
    let ref: number;
    let reused = false;
    try {
      ref = this.uctl[Ctl.heads + c]!;
      if (ref !== 0) {
        reused = true;
        this.uctl[Ctl.heads + c] = this.link(ref);
        this.uctl[Ctl.counts + c]!--;
        this.uctl[Ctl.freeGranules] -= 1 << c;
      } else {
        ref = this.bumpAlloc(c);
      }
    } finally {
      this.unlock();
    }
    // The block is ours now. Memory below a fresh bump is zero (buffers grow zero-filled); a reused block holds
    // what its earlier owner wrote.
    if (reused) this.bytesOf(ref, size).fill(0);
    return ref;
  }

  /** Returns a block from alloc(bytes) (the same `bytes`, or any size of the same class). */
  free(ref: number, bytes: number): void {
    const c = sizeClass(bytes);
    this.checkRef(ref, granule * (1 << c));
    this.lock();
    try {
      this.push(ref, c);
    } finally {
      this.unlock();
    }
  }

  /** An Int32Array over the block. */
  int32(ref: number, bytes: number): Int32Array {
    return new Int32Array(this.regions[refRegion(ref)]!, refOffset(ref), bytes >>> 2);
  }

  /** A Uint8Array over the block. */
  bytesOf(ref: number, bytes: number): Uint8Array {
    return new Uint8Array(this.regions[refRegion(ref)]!, refOffset(ref), bytes);
  }

  stats(): SharedHeapStats {
    let committed = 0;
    for (const r of this.regions) committed += r.byteLength;
    return {
      reserved: Atomics.load(this.uctl, Ctl.reserved) * granule,
      free: Atomics.load(this.uctl, Ctl.freeGranules) * granule,
      committed,
      maxBytes: this.maxBytes,
    };
  }

  /** Checks the invariants in the header comment (under the lock); throws an Error naming the first broken one. */
  verify(): void {
    this.lock();
    try {
      const br = this.ctl[Ctl.bumpRegion]!;
      const bump = this.ctl[Ctl.bump]!;
      if (!(br >= 0 && br < this.regions.length)) throw new Error(`hmap: shared heap: bump region ${br} of ${this.regions.length}`);
      const top = (r: number): number => (r < br ? this.regions[r]!.byteLength / granule : r === br ? bump : 0);
      let reserved = 0;
      for (let r = 0; r <= br; r++) {
        if (this.regions[r]!.byteLength < top(r) * granule) throw new Error(`hmap: shared heap: region ${r} is shorter than its bump`);
        reserved += top(r);
      }
      if (reserved !== this.uctl[Ctl.reserved]) throw new Error(`hmap: shared heap: reserved ${this.uctl[Ctl.reserved]} granules, regions hold ${reserved}`);
      if (reserved * granule > this.maxBytes) throw new Error(`hmap: shared heap: reserved ${reserved * granule} bytes above maxBytes ${this.maxBytes}`);
      const seen = new Set<number>();
      let free = 0;
      for (let c = 0; c < classes; c++) {
        let n = 0;
        for (let ref = this.uctl[Ctl.heads + c]!; ref !== 0; ref = this.link(ref)) {
          const g = ref & (regionGranules - 1);
          if (refRegion(ref) > br || g + (1 << c) > top(refRegion(ref))) throw new Error(`hmap: shared heap: free block ${ref >>> 0} (class ${c}) beyond the bump`);
          if (seen.has(ref)) throw new Error(`hmap: shared heap: free block ${ref >>> 0} listed twice`);
          seen.add(ref);
          n++;
          free += 1 << c;
        }
        if (n !== this.uctl[Ctl.counts + c]) throw new Error(`hmap: shared heap: class ${c} lists ${n} blocks, counts ${this.uctl[Ctl.counts + c]}`);
      }
      if (free !== this.uctl[Ctl.freeGranules]) throw new Error(`hmap: shared heap: free lists hold ${free} granules, counted ${this.uctl[Ctl.freeGranules]}`);
    } finally {
      this.unlock();
    }
  }

  /** Takes 2^c granules from the bump, closing regions that are too full. Under the lock. */
  private bumpAlloc(c: number): number {
    const g = 1 << c;
    const limit = Math.floor(this.maxBytes / granule);
    if (this.uctl[Ctl.reserved]! + g > limit) this.limitReached(g * granule);
    for (;;) {
      const r = this.ctl[Ctl.bumpRegion]!;
      const at = this.ctl[Ctl.bump]!;
      const cap = this.regions[r]!.maxByteLength / granule;
      if (at + g <= cap) {
        this.commit(r, (at + g) * granule);
        this.ctl[Ctl.bump] = at + g;
        this.uctl[Ctl.reserved] += g;
        return makeRef(r, at);
      }
      if (r + 1 >= this.regions.length) this.limitReached(g * granule);
      // Close region r: its rest becomes free blocks (largest powers of two first), then move on. The bump goes
      // to the end first, so a thread dying here leaks the rest rather than leaving blocks beyond the bump.
      let rest = at;
      this.commit(r, cap * granule);
      this.ctl[Ctl.bump] = cap;
      this.uctl[Ctl.reserved] += cap - at;
      while (rest < cap) {
        const k = Math.min(31 - Math.clz32(cap - rest), classes - 1);
        this.push(makeRef(r, rest), k);
        rest += 1 << k;
      }
      this.ctl[Ctl.bumpRegion] = r + 1;
      this.ctl[Ctl.bump] = 0;
      if (this.uctl[Ctl.reserved]! + g > limit) this.limitReached(g * granule);
    }
  }

  private limitReached(bytes: number): never {
    throw new RangeError(
      `hmap: the shared map's memory limit (maxBytes ${this.maxBytes}) is reached: ${Atomics.load(this.uctl, Ctl.reserved) * granule} bytes reserved, ${bytes} more needed`,
    );
  }

  /** Grows region r to at least `bytes` (another thread may have grown it further: never shrink). */
  private commit(r: number, bytes: number): void {
    const sab = this.regions[r]!;
    if (sab.byteLength < bytes) sab.grow(bytes);
  }

  private push(ref: number, c: number): void {
    this.setLink(ref, this.uctl[Ctl.heads + c]!);
    this.uctl[Ctl.heads + c] = ref;
    this.uctl[Ctl.counts + c]!++;
    this.uctl[Ctl.freeGranules] += 1 << c;
  }

  private checkRef(ref: number, size: number): void {
    const r = refRegion(ref);
    if (!(Number.isInteger(ref) && ref > 0 && ref <= 0xffffffff && r < this.regions.length && refOffset(ref) + size <= this.regions[r]!.byteLength)) {
      throw new RangeError(`hmap: shared heap: ${ref} is not a block of ${size} bytes`);
    }
  }

  private regionWords(r: number): Uint32Array {
    let w = this.words[r]!;
    // A length-tracking view follows the region as it grows.
    if (w === null) this.words[r] = w = new Uint32Array(this.regions[r]!);
    return w;
  }

  private link(ref: number): number {
    return this.regionWords(refRegion(ref))[refOffset(ref) >>> 2]!;
  }

  private setLink(ref: number, next: number): void {
    this.regionWords(refRegion(ref))[refOffset(ref) >>> 2] = next;
  }

  /**
   * Guards the heap with `mutex` (a registry-bound Mutex, shared by every thread using this heap, each passing
   * its own Mutex object over the same words) instead of the lock word: a takeover from a dead holder repairs.
   */
  useLock(mutex: { lock(): boolean; unlock(): void }): void {
    this.mutex = mutex;
  }

  /** Makes the control block consistent after a thread died in alloc or free (see the header). Under the lock. */
  private repair(): void {
    const br = this.ctl[Ctl.bumpRegion]!;
    if (this.regions[br]!.byteLength < this.ctl[Ctl.bump]! * granule) this.ctl[Ctl.bump] = 0; // a half-made region switch
    let reserved = this.ctl[Ctl.bump]!;
    for (let r = 0; r < br; r++) reserved += this.regions[r]!.byteLength / granule;
    this.uctl[Ctl.reserved] = reserved;
    let free = 0;
    for (let c = 0; c < classes; c++) {
      let n = 0;
      for (let ref = this.uctl[Ctl.heads + c]!; ref !== 0; ref = this.link(ref)) n++;
      this.uctl[Ctl.counts + c] = n;
      free += n * (1 << c);
    }
    this.uctl[Ctl.freeGranules] = free;
  }

  private lock(): void {
    if (this.mutex !== null) {
      if (this.mutex.lock()) this.repair();
      return;
    }
    const ctl = this.ctl;
    if (Atomics.compareExchange(ctl, Ctl.lock, 0, 1) === 0) return;
    for (;;) {
      // Announce a waiter (2) and sleep until the holder wakes one of us.
      if (Atomics.exchange(ctl, Ctl.lock, 2) === 0) return;
      Atomics.wait(ctl, Ctl.lock, 2, 50);
    }
  }

  private unlock(): void {
    if (this.mutex !== null) {
      this.mutex.unlock();
      return;
    }
    if (Atomics.exchange(this.ctl, Ctl.lock, 0) === 2) Atomics.notify(this.ctl, Ctl.lock, 1);
  }
}
