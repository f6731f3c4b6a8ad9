// RWMutex: Go's sync.RWMutex (src/sync/rwmutex.go) over words of a SharedArrayBuffer.
//
// Words (RWMutex.words = 20):
//
//   0..15  w: a Mutex, held while a writer is pending or active (writers queue there, with its starvation mode)
//   16     readerCount: readers holding or waiting; minus rwmutexMaxReaders (2^30) while a writer is pending
//   17     readerWait: readers the pending writer still waits for
//   18     writerSem: counting semaphore the pending writer sleeps on until the last of those readers leaves
//   19     readerSem: counting semaphore readers sleep on while a writer is pending or active
//
// As in Go, a writer that calls lock() makes readerCount negative at once, so readers arriving after it wait
// for it (a pending writer blocks new readers; writers cannot starve), and the readers already inside finish
// first. Recursive read locking can therefore deadlock, as in Go.
//
// Departures: rUnlock() and unlock() check the counter before changing it, so a plain misuse throws a
// SyncError and leaves the words as they were (Go dies); two threads racing to misuse it can still slip past
// the check, and then the words are restored before the throw. rLockAsync()/lockAsync() are not in Go.

import { checkRegion, handleWords, SyncError } from './common.js';
import { Mutex } from './mutex.js';
import type { MutexOptions } from './mutex.js';
import type { ThreadRegistryHandle } from './registry.js';
import { semAcquire, semAcquireAsync, semRelease } from './sema.js';

const readerCount = Mutex.words;
const readerWait = readerCount + 1;
const writerSem = readerCount + 2;
const readerSem = readerCount + 3;
const words = readerCount + 4;
const rwmutexMaxReaders = 1 << 30;

/** The structured-cloneable description of an RWMutex, for RWMutex.attach in another thread. */
export interface RWMutexHandle {
  readonly kind: 'hmap.RWMutex';
  readonly sab: SharedArrayBuffer;
  readonly index: number;
  readonly starvation: boolean;
  readonly registry?: ThreadRegistryHandle;
  readonly checkMs?: number;
}

/** A snapshot of an RWMutex's counters (racy; for tests and diagnostics). */
export interface RWMutexState {
  /** Readers holding the lock or waiting for it. */
  readers: number;
  /** A writer holds the lock or waits for the readers inside to leave. */
  writer: boolean;
  /** Readers the pending writer still waits for. */
  readerWait: number;
}

let given: { i32: Int32Array; index: number } | null = null;

/** A reader/writer lock shared by threads: any number of readers or one writer. Go's sync.RWMutex. */
export class RWMutex {
  /** Int32 words an RWMutex takes (RWMutex.over). */
  static readonly words = words;

  private readonly i32: Int32Array;
  private readonly at: number;
  private readonly w: Mutex;
  private readonly starvation: boolean;
  private readonly options: MutexOptions;

  /** A new unlocked RWMutex in its own SharedArrayBuffer; options apply to the writers' mutex. */
  constructor(options: MutexOptions = {}) {
    if (given !== null) {
      this.i32 = given.i32;
      this.at = given.index;
      given = null;
    } else {
      this.i32 = new Int32Array(new SharedArrayBuffer(words * 4));
      this.at = 0;
    }
    this.starvation = options.starvation !== false;
    this.options = options;
    this.w = Mutex.over(this.i32, this.at, options);
  }

  /** The RWMutex in words [index, index + RWMutex.words) of a shared Int32Array (all zero: unlocked). */
  static over(i32: Int32Array, index: number, options?: MutexOptions): RWMutex {
    checkRegion(i32, index, words, 'RWMutex.over');
    given = { i32, index };
    try {
      return new RWMutex(options);
    } finally {
      given = null;
    }
  }

  /** The RWMutex a handle from share() describes, in this thread. */
  static attach(handle: unknown): RWMutex {
    const { i32, index } = handleWords(handle, 'hmap.RWMutex', words, 'RWMutex');
    return RWMutex.over(i32, index, Mutex.optionsOf(handle as RWMutexHandle));
  }

  /** A structured-cloneable handle for RWMutex.attach. */
  share(): RWMutexHandle {
    const h: { -readonly [K in keyof RWMutexHandle]: RWMutexHandle[K] } = {
      kind: 'hmap.RWMutex',
      sab: this.i32.buffer as SharedArrayBuffer,
      index: this.i32.byteOffset / 4 + this.at,
      starvation: this.starvation,
    };
    if (this.options.registry !== undefined) {
      h.registry = this.options.registry.share();
      h.checkMs = this.options.checkMs ?? 100;
    }
    return h;
  }

  /** Locks for reading; blocks while a writer holds the lock or is waiting for it. */
  rLock(): void {
    if (Atomics.add(this.i32, this.at + readerCount, 1) + 1 < 0) {
      // A writer is pending: wait for it.
      semAcquire(this.i32, this.at + readerSem);
    }
  }

  /** Locks for reading without blocking the thread. */
  rLockAsync(): Promise<void> {
    if (Atomics.add(this.i32, this.at + readerCount, 1) + 1 < 0) return semAcquireAsync(this.i32, this.at + readerSem);
    return Promise.resolve();
  }

  /** Locks for reading if no writer holds or waits for the lock. */
  tryRLock(): boolean {
    const i32 = this.i32;
    const at = this.at + readerCount;
    let c = Atomics.load(i32, at);
    for (;;) {
      if (c < 0) return false;
      const seen = Atomics.compareExchange(i32, at, c, c + 1);
      if (seen === c) return true;
      c = seen;
    }
  }

  /** Undoes one rLock(); throws a SyncError if the lock is not held for reading. */
  rUnlock(): void {
    const i32 = this.i32;
    const at = this.at;
    const c = Atomics.load(i32, at + readerCount);
    if (c === 0 || c === -rwmutexMaxReaders) throw new SyncError('sync: RUnlock of unlocked RWMutex');
    const r = Atomics.add(i32, at + readerCount, -1) - 1;
    if (r < 0) this.rUnlockSlow(r);
  }

  private rUnlockSlow(r: number): void {
    const i32 = this.i32;
    const at = this.at;
    if (r + 1 === 0 || r + 1 === -rwmutexMaxReaders) {
      Atomics.add(i32, at + readerCount, 1);
      throw new SyncError('sync: RUnlock of unlocked RWMutex');
    }
    // A writer is pending: the last reader it waits for wakes it.
    if (Atomics.add(i32, at + readerWait, -1) - 1 === 0) semRelease(i32, at + writerSem, 1);
  }

  /**
   * Locks for writing: blocks while other writers or readers hold the lock. Returns true if the previous
   * writer died holding the lock (with a registry; see Mutex.lock): the caller repairs what it guards.
   */
  lock(): boolean {
    // First, resolve competition with other writers.
    if (this.w.lock()) {
      if (this.inherit()) semAcquire(this.i32, this.at + writerSem);
      return true;
    }
    // Announce to readers there is a pending writer, then wait for the active ones.
    const r = Atomics.add(this.i32, this.at + readerCount, -rwmutexMaxReaders);
    if (r !== 0 && Atomics.add(this.i32, this.at + readerWait, r) + r !== 0) semAcquire(this.i32, this.at + writerSem);
    return false;
  }

  /** Locks for writing without blocking the thread; resolves to lock()'s answer. */
  async lockAsync(): Promise<boolean> {
    if (await this.w.lockAsync()) {
      if (this.inherit()) await semAcquireAsync(this.i32, this.at + writerSem);
      return true;
    }
    const r = Atomics.add(this.i32, this.at + readerCount, -rwmutexMaxReaders);
    if (r !== 0 && Atomics.add(this.i32, this.at + readerWait, r) + r !== 0) await semAcquireAsync(this.i32, this.at + writerSem);
    return false;
  }

  /**
   * We hold w, taken over from a writer that died holding it, somewhere in lock() or unlock(): carry on from
   * where it stopped. True if we must still wait on writerSem for readers inside to leave.
   */
  private inherit(): boolean {
    const i32 = this.i32;
    const at = this.at;
    const c = Atomics.load(i32, at + readerCount);
    if (c >= 0) {
      // It had not announced itself yet (or had finished unlock() but for w): announce, as lock() does.
      const r = Atomics.add(i32, at + readerCount, -rwmutexMaxReaders);
      return r !== 0 && Atomics.add(i32, at + readerWait, r) + r !== 0;
    }
    // It had announced itself: readerWait readers are still to leave; the last one releases writerSem. If
    // they have all left, the release it did not take may be there: take it, so writerSem stays balanced.
    // (It could also have died between announcing and adding to readerWait: then readerWait is short by the
    // readers inside, and we may go in while they finish. The window is two statements long.)
    if (Atomics.load(i32, at + readerWait) > 0) return true;
    const v = Atomics.load(i32, at + writerSem);
    if (v > 0) Atomics.compareExchange(i32, at + writerSem, v, v - 1);
    return false;
  }

  /** Locks for writing if nobody holds the lock (or waits for it as a writer). */
  tryLock(): boolean {
    if (!this.w.tryLock()) return false;
    if (Atomics.compareExchange(this.i32, this.at + readerCount, 0, -rwmutexMaxReaders) !== 0) {
      this.w.unlock();
      return false;
    }
    return true;
  }

  /** Unlocks a write lock; throws a SyncError if the lock is not held for writing. */
  unlock(): void {
    const i32 = this.i32;
    const at = this.at;
    if (Atomics.load(i32, at + readerCount) >= 0) throw new SyncError('sync: Unlock of unlocked RWMutex');
    // Announce to readers there is no active writer.
    const r = Atomics.add(i32, at + readerCount, rwmutexMaxReaders) + rwmutexMaxReaders;
    if (r >= rwmutexMaxReaders) {
      Atomics.add(i32, at + readerCount, -rwmutexMaxReaders);
      throw new SyncError('sync: Unlock of unlocked RWMutex');
    }
    // Unblock the readers that arrived while we held the lock.
    if (r > 0) semRelease(i32, at + readerSem, r);
    // Let other writers proceed.
    this.w.unlock();
  }

  /** A snapshot of the counters. */
  get state(): RWMutexState {
    const c = Atomics.load(this.i32, this.at + readerCount);
    return {
      readers: c < 0 ? c + rwmutexMaxReaders : c,
      writer: c < 0,
      readerWait: Atomics.load(this.i32, this.at + readerWait),
    };
  }

  /** The writers' mutex (its state shows queued writers and starvation mode). */
  get writerMutex(): Mutex {
    return this.w;
  }
}
