// Mutex: Go's sync.Mutex (src/sync/mutex.go) over words of a SharedArrayBuffer, for worker_threads.
//
// Words (Mutex.words = 16, one 64-byte cache line when the index is a multiple of 16):
//
//   0      state: mutexLocked (1) | mutexWoken (2) | mutexStarving (4) as in Go, plus mutexAbandoned (8),
//          waiters << 4 and the holder's registry tag << 18 (crash recovery, below)
//   1      owner: threadId + 1 of the holder (0: none or unknown); informational
//   2, 3   reserved
//   4..15  the FIFO semaphore (sema.ts) Go's runtime_SemacquireMutex / runtime_Semrelease stand for
//
// lock() and unlock() follow mutex.go line by line: a CAS fast path; otherwise spin a little while the mutex
// is locked in normal mode (setting mutexWoken so unlock does not wake anyone needlessly), then count
// ourselves as a waiter and sleep on the semaphore. Normal mode lets a running thread barge in ahead of a
// woken waiter; a waiter that has waited more than 1 ms (starvationThresholdNs) sets mutexStarving, and from
// then on unlock hands the mutex to the waiter at the head of the queue, newcomers queue without trying,
// until a waiter that waited less than 1 ms or the last waiter switches back to normal mode.
//
// Where this departs from Go, and why:
// - The semaphore is built here (sema.ts): tickets for FIFO order, a front lane for Go's lifo requeue.
// - Go's spin (runtime_canSpin: up to 4 rounds of 30 PAUSE instructions, only on a multicore machine with
//   other Ps running) becomes up to 4 rounds of up to 200 Atomics.load of the state word, ending a round early
//   when the locked bit clears; only when the machine has more than one CPU. lockAsync does not spin.
// - unlock() drops mutexLocked with a CAS loop instead of an atomic add, so unlocking an unlocked mutex throws
//   a SyncError and leaves the state untouched (Go's add-then-check corrupts it, and Go dies anyway).
// - Handoff cannot yield the CPU to the woken waiter (Go's semrelease(handoff=true) does); the OS wakes it.
// - starvation: false (an option, for ablation) never enters starvation mode: pure barging.
// - lockAsync() (not in Go) is lock() with Atomics.waitAsync, for threads that must not block their event loop
//   (a browser's main thread cannot Atomics.wait at all; Node's main thread can but should not for long).
//
// Crash recovery (Mutex.over(i32, i, { registry }), registry.ts): a thread that dies holding the mutex must
// not block the others forever, and the thread that gets it next must learn that, to repair what it guards.
// - The state word: mutexLocked 1, mutexWoken 2, mutexStarving 4, mutexAbandoned 8, waiters in bits 4..17
//   (at most 16383, else SyncError 'sync: too many waiters'), the holder's registry tag in bits 18..31. The
//   locking CAS writes the tag with mutexLocked (also the fast path: CAS 0 -> mutexLocked | tag, the same one
//   instruction as before), so there is no moment when the mutex is held by nobody known. Unlocking clears
//   both in one CAS. Word 1 (threadId + 1) stays informational.
// - Waiters sleep at most checkMs (default 100) at a time; fifoAcquireTimed keeps their ticket (or front-lane
//   place) across timeouts. On each timeout, and once before the first sleep, a waiter looks at the tag: if
//   the registry says that thread is dead (registry.watch marks a worker dead on its 'exit' event), it
//   unlocks on its behalf with one CAS (clearing mutexLocked and the tag, setting mutexAbandoned) and wakes
//   the next waiter as unlock does. Whoever locks next clears mutexAbandoned with its locking CAS and lock()
//   returns true. The waiter that noticed keeps its place in the queue: no FIFO order is given up.
// - A waiter that dies queued, a spinner that dies with mutexWoken set, an unlocker that dies between
//   dropping mutexLocked and waking someone: each loses a wakeup. A waiter that sees the mutex unlocked and no
//   token released by the semaphore for 2 * checkMs clears mutexWoken and wakes the next waiter itself
//   (checkStall); if the waiter count is 0 (the dead unlocker took the last unit), it releases a token to its
//   own lane. A dead waiter's ticket costs the queue one such stall; its unit in the waiter count is
//   consumed by the wakeup granted to it. If the woken thread was alive after all (not run for 2 * checkMs),
//   the cost is a spurious wakeup: in normal mode every taker still has to win the CAS on mutexLocked.
// - That is why a registry-bound mutex never enters starvation mode: a handoff gives the mutex to a thread
//   that may be dead, and a lost handoff can only be told from a slow one by time; repairing a slow one by
//   handing off again would give the mutex to two threads. Normal mode keeps the FIFO order of the sleepers
//   but lets running threads barge in (Go's throughput mode; unbounded tail in theory).
// - The semaphore's internal lock (sema.ts) is taken from a holder that keeps it over lockStealMs (1 s).
// Recovery time after a holder dies: the 'exit' event (about a millisecond after terminate() returns) plus at
// most checkMs until a waiter looks; after a queued waiter dies: up to 3 * checkMs per dead ticket.

import { checkRegion, handleWords, now, selfOwner, SyncError } from './common.js';
import { availableParallelism } from 'node:os';
import { ThreadRegistry, tagBits } from './registry.js';
import type { ThreadRegistryHandle } from './registry.js';
import { fifoAcquire, fifoAcquireAsync, fifoAcquireTimed, fifoAcquireTimedAsync, fifoQueued, fifoRelease, fifoReleaseLane, fifoReleases, fifoWords } from './sema.js';

const mutexLocked = 1;
const mutexWoken = 2;
const mutexStarving = 4;
/** The holder died holding the mutex; whoever locks it next is told (lock() returns true) and clears it. */
const mutexAbandoned = 8;
const mutexWaiterShift = 4;
const waiterMask = (1 << (32 - tagBits - mutexWaiterShift)) - 1;
const waiterOne = 1 << mutexWaiterShift;
/** The holder's registry tag sits in the top tagBits bits, written by the CAS that locks. */
const tagShift = 32 - tagBits;
const tagMask = -1 << tagShift;
const waiters = (s: number): number => (s >>> mutexWaiterShift) & waiterMask;
/** Go's starvationThresholdNs = 1e6, in milliseconds. */
const starvationThresholdMs = 1;

const owner = 1;
const sema = 4;
const words = sema + fifoWords;

const spinRounds = 4;
const spinLoads = 200;
const multicore = availableParallelism() > 1;

/** Options for a Mutex. */
export interface MutexOptions {
  /**
   * Enter starvation mode when a waiter has waited more than 1 ms (default true, as in Go). false keeps the
   * mutex in normal mode (a running thread may always barge ahead of woken waiters): better throughput, an
   * unbounded tail; for measurements.
   */
  starvation?: boolean;
  /**
   * Bind the mutex to a thread registry (crash recovery): the calling thread joins it, the holder's tag goes
   * into the state word with the locking CAS, and waiters wake every checkMs to see whether the holder died
   * (registry.watch), then take the mutex over: lock() returns true to the thread that gets it next.
   */
  registry?: ThreadRegistry;
  /** With a registry: how often (ms) a waiter checks whether the holder is dead. Default 100. */
  checkMs?: number;
}

/** The structured-cloneable description of a mutex, for Mutex.attach in another thread. */
export interface MutexHandle {
  readonly kind: 'hmap.Mutex';
  readonly sab: SharedArrayBuffer;
  /** Index of the mutex's first word in an Int32Array over sab. */
  readonly index: number;
  readonly starvation: boolean;
  readonly registry?: ThreadRegistryHandle;
  readonly checkMs?: number;
}

/** A snapshot of a mutex's words (racy by nature; for tests, diagnostics and benchmarks). */
export interface MutexState {
  locked: boolean;
  woken: boolean;
  starving: boolean;
  /** The last holder died holding it, and nobody has locked it since. */
  abandoned: boolean;
  /** Threads counted as waiting in the state word. */
  waiters: number;
  /** The holder's threadId, or -1 when unlocked or unknown. */
  owner: number;
  /** The raw state word. */
  word: number;
}

let given: { i32: Int32Array; index: number } | null = null;

/**
 * A mutual exclusion lock shared by threads: Go's sync.Mutex over 16 words of a SharedArrayBuffer. Not
 * reentrant, not tied to a thread: any thread may unlock a mutex another one locked.
 */
export class Mutex {
  /** Int32 words a mutex takes (Mutex.over). */
  static readonly words = words;

  private readonly i32: Int32Array;
  private readonly at: number;
  private readonly starvation: boolean;
  private readonly registry: ThreadRegistry | null;
  private readonly checkMs: number;
  /** mutexLocked | this thread's registry tag << tagShift: what the locking CAS writes. */
  private readonly lockedWord: number;
  private readonly tag: number;
  private readonly check: (front: boolean) => void;
  /** Stall watch (registry mutexes): the semaphore's release count when first seen, and when. */
  private stallReleases = 0;
  private stallSince = -1;

  /** A new unlocked mutex in its own SharedArrayBuffer. */
  constructor(options: MutexOptions = {}) {
    if (given !== null) {
      this.i32 = given.i32;
      this.at = given.index;
      given = null;
    } else {
      this.i32 = new Int32Array(new SharedArrayBuffer(words * 4));
      this.at = 0;
    }
    this.registry = options.registry ?? null;
    // Bound to a registry, the mutex stays in normal mode (see "Crash recovery" above).
    this.starvation = options.starvation !== false && this.registry === null;
    this.checkMs = options.checkMs ?? 100;
    if (!(this.checkMs > 0)) throw new RangeError('hmap: Mutex checkMs must be > 0');
    this.tag = this.registry === null ? 0 : this.registry.join();
    this.lockedWord = mutexLocked | (this.tag << tagShift);
    this.check = (front: boolean): void => this.checkHolder(front);
  }

  /**
   * The mutex in words [index, index + Mutex.words) of a shared Int32Array (all zero: unlocked), for
   * structures that keep their locks in their own memory. Every thread must use the same options.
   */
  static over(i32: Int32Array, index: number, options?: MutexOptions): Mutex {
    checkRegion(i32, index, words, 'Mutex.over');
    given = { i32, index };
    try {
      return new Mutex(options);
    } finally {
      given = null;
    }
  }

  /** The mutex a handle from share() describes, in this thread. */
  static attach(handle: unknown): Mutex {
    const { i32, index } = handleWords(handle, 'hmap.Mutex', words, 'Mutex');
    return Mutex.over(i32, index, Mutex.optionsOf(handle as MutexHandle));
  }

  /** The options a handle carries (the registry attached in this thread). */
  static optionsOf(h: { starvation?: boolean; registry?: ThreadRegistryHandle; checkMs?: number }): MutexOptions {
    const o: MutexOptions = { starvation: h.starvation !== false };
    if (h.registry !== undefined) o.registry = ThreadRegistry.attach(h.registry);
    if (h.checkMs !== undefined) o.checkMs = h.checkMs;
    return o;
  }

  /** A structured-cloneable handle: postMessage it or pass it in workerData, then Mutex.attach it. */
  share(): MutexHandle {
    const h: { -readonly [K in keyof MutexHandle]: MutexHandle[K] } = {
      kind: 'hmap.Mutex',
      sab: this.i32.buffer as SharedArrayBuffer,
      index: this.i32.byteOffset / 4 + this.at,
      starvation: this.starvation,
    };
    if (this.registry !== null) {
      h.registry = this.registry.share();
      h.checkMs = this.checkMs;
    }
    return h;
  }

  /**
   * Locks the mutex, blocking the thread (Atomics.wait) while another holds it. Returns true if the previous
   * holder died holding it (only with a registry): what it guards may be half-updated, the caller repairs it.
   */
  lock(): boolean {
    const i32 = this.i32;
    const at = this.at;
    if (Atomics.compareExchange(i32, at, 0, this.lockedWord) === 0) {
      i32[at + owner] = selfOwner;
      return false;
    }
    return this.lockSlow();
  }

  /**
   * Locks the mutex if that needs no waiting; false if it is held (or handed to a waiter), and false if its
   * last holder died holding it (lock() takes it at once then, and says so).
   */
  tryLock(): boolean {
    const i32 = this.i32;
    const at = this.at;
    const old = Atomics.load(i32, at);
    if ((old & (mutexLocked | mutexStarving | mutexAbandoned)) !== 0) return false;
    // There may be a waiter, but we are running now and can take the mutex before it wakes up.
    if (Atomics.compareExchange(i32, at, old, old | this.lockedWord) !== old) return false;
    i32[at + owner] = selfOwner;
    return true;
  }

  /** Unlocks the mutex; throws a SyncError if it is not locked. */
  unlock(): void {
    const i32 = this.i32;
    const at = this.at;
    const held = i32[at + owner]!;
    i32[at + owner] = 0;
    if (Atomics.compareExchange(i32, at, this.lockedWord, 0) === this.lockedWord) return;
    this.unlockSlow(held);
  }

  /**
   * Locks the mutex without blocking the thread: resolves once this thread holds it. Mixes freely with lock()
   * in other threads (and in this one, as long as this thread does not block on a mutex it holds).
   */
  lockAsync(): Promise<boolean> {
    const i32 = this.i32;
    const at = this.at;
    if (Atomics.compareExchange(i32, at, 0, this.lockedWord) === 0) {
      i32[at + owner] = selfOwner;
      return Promise.resolve(false);
    }
    return this.lockSlowAsync();
  }

  /** A snapshot of the mutex's words. */
  get state(): MutexState {
    const word = Atomics.load(this.i32, this.at);
    let o = Atomics.load(this.i32, this.at + owner);
    if (this.registry !== null && word >>> tagShift !== 0) o = this.registry.threadIdOf(word >>> tagShift) + 1;
    return {
      locked: (word & mutexLocked) !== 0,
      woken: (word & mutexWoken) !== 0,
      starving: (word & mutexStarving) !== 0,
      abandoned: (word & mutexAbandoned) !== 0,
      waiters: waiters(word),
      owner: o === 0 || (word & mutexLocked) === 0 ? -1 : o - 1,
      word,
    };
  }

  /** Waiters asleep or about to sleep on the semaphore (ticket line and front lane); for diagnostics. */
  get queued(): { line: number; front: number } {
    return fifoQueued(this.i32, this.at + sema);
  }

  /**
   * A waiter's periodic look at the holder (registry mutexes): if the registry says the thread whose tag is
   * in the state word is dead, unlock on its behalf, leaving mutexAbandoned for the next holder to see.
   */
  private checkHolder(front: boolean): void {
    const i32 = this.i32;
    const at = this.at;
    let old = Atomics.load(i32, at);
    if ((old & mutexLocked) === 0) {
      this.checkStall(old, front);
      return;
    }
    this.stallSince = -1;
    for (;;) {
      if ((old & mutexLocked) === 0) return;
      const tag = old >>> tagShift;
      if (tag === 0 || this.registry!.isAlive(tag)) return;
      const nw = (old & ~(mutexLocked | tagMask)) | mutexAbandoned;
      const seen = Atomics.compareExchange(i32, at, old, nw);
      if (seen === old) {
        Atomics.store(i32, at + owner, 0);
        this.wake(nw);
        return;
      }
      old = seen;
    }
  }

  /**
   * The mutex is unlocked, we wait for it (`front`: in the front lane): if no token has been released for
   * 2 * checkMs, the wakeup meant for us was lost (a dead waiter took it, a dead spinner left mutexWoken set, an
   * unlocker died before waking anyone): clear mutexWoken and wake the next waiter, as unlock would. If the
   * waiter count is 0 although we wait, the unit it lost was ours: an unlocker took the right to wake (count
   * down, mutexWoken set) and died before releasing the token. Then release a token to our own lane without
   * touching the count (regression: a survivor of test/shared-workers.test.ts slept forever in the ticket line
   * of a stripe lock whose count was 0, found with test/stacks.ts and gdb on 2026-11-23). Wrong only when a
   * woken thread or an unlocker is alive but has not run for 2 * checkMs, and then it costs a spurious wakeup
   * (normal mode: whoever wakes still has to win the CAS on mutexLocked).
   */
  private checkStall(old: number, front: boolean): void {
    const r = fifoReleases(this.i32, this.at + sema);
    const t = now();
    if (this.stallSince < 0 || r !== this.stallReleases) {
      this.stallReleases = r;
      this.stallSince = t;
      return;
    }
    if (t - this.stallSince < 2 * this.checkMs) return;
    this.stallSince = -1;
    if (waiters(old) === 0) {
      fifoReleaseLane(this.i32, this.at + sema, front);
      return;
    }
    const nw = old & ~mutexWoken;
    if (Atomics.compareExchange(this.i32, this.at, old, nw) === old) this.wake(nw);
  }

  private lockSlow(): boolean {
    let tookOver = false;
    const i32 = this.i32;
    const at = this.at;
    let waitStart = 0;
    let starving = false;
    let awoke = false;
    let iter = 0;
    let old = Atomics.load(i32, at);
    for (;;) {
      // Don't spin in starvation mode: ownership is handed off to waiters, we could not take it anyway.
      if ((old & (mutexLocked | mutexStarving)) === mutexLocked && multicore && iter < spinRounds) {
        // Set mutexWoken so unlock does not wake another waiter while we are about to take the mutex.
        if (
          !awoke &&
          (old & mutexWoken) === 0 &&
          waiters(old) !== 0 &&
          Atomics.compareExchange(i32, at, old, old | mutexWoken) === old
        ) {
          awoke = true;
        }
        for (let k = 0; k < spinLoads; k++) if ((Atomics.load(i32, at) & mutexLocked) === 0) break;
        iter++;
        old = Atomics.load(i32, at);
        continue;
      }
      let nw = old;
      // Don't try to take a starving mutex: newcomers queue. (Go ORs mutexLocked in when it is already set
      // too; here that would mix our tag into the holder's.)
      if ((old & (mutexLocked | mutexStarving)) === 0) nw = (nw | this.lockedWord) & ~mutexAbandoned;
      else {
        if (waiters(old) === waiterMask) throw new SyncError('sync: too many waiters');
        nw += waiterOne;
      }
      // Switch to starvation mode, unless the mutex is unlocked now (unlock expects a starving mutex to have
      // waiters, which would not be the case).
      if (starving && (old & mutexLocked) !== 0) nw |= mutexStarving;
      if (awoke) {
        // We were woken (or set mutexWoken while spinning): reset the flag either way.
        // With a registry, a stall repair may have cleared it (and woken another waiter) while we were slow.
        if ((nw & mutexWoken) === 0) {
          if (this.registry === null) throw new SyncError('sync: inconsistent mutex state');
        } else nw &= ~mutexWoken;
      }
      const seen = Atomics.compareExchange(i32, at, old, nw);
      if (seen !== old) {
        old = seen;
        continue;
      }
      if ((old & (mutexLocked | mutexStarving)) === 0) {
        // Locked with the CAS.
        tookOver = (old & mutexAbandoned) !== 0;
        break;
      }
      // Waited before: queue at the front.
      const front = waitStart !== 0;
      if (waitStart === 0) waitStart = now();
      if (this.registry === null) fifoAcquire(i32, at + sema, front);
      else fifoAcquireTimed(i32, at + sema, front, this.checkMs, this.check);
      if (this.starvation) starving = starving || now() - waitStart > starvationThresholdMs;
      old = Atomics.load(i32, at);
      if ((old & mutexStarving) !== 0) {
        // Handed off to us in starvation mode: mutexLocked is not set and we are still counted as a waiter.
        if ((old & (mutexLocked | mutexWoken)) !== 0 || waiters(old) === 0 || old >>> tagShift !== 0) {
          throw new SyncError('sync: inconsistent mutex state');
        }
        let delta = this.lockedWord - waiterOne;
        if ((old & mutexAbandoned) !== 0) {
          delta -= mutexAbandoned;
          tookOver = true;
        }
        // Exit starvation mode if we did not starve or are the last waiter (two threads could otherwise go
        // lock-step in starvation mode forever).
        if (!starving || waiters(old) === 1) delta -= mutexStarving;
        Atomics.add(i32, at, delta);
        break;
      }
      awoke = true;
      iter = 0;
    }
    i32[at + owner] = selfOwner;
    return tookOver;
  }

  private async lockSlowAsync(): Promise<boolean> {
    let tookOver = false;
    const i32 = this.i32;
    const at = this.at;
    let waitStart = 0;
    let starving = false;
    let awoke = false;
    let old = Atomics.load(i32, at);
    for (;;) {
      let nw = old;
      if ((old & (mutexLocked | mutexStarving)) === 0) nw = (nw | this.lockedWord) & ~mutexAbandoned;
      else {
        if (waiters(old) === waiterMask) throw new SyncError('sync: too many waiters');
        nw += waiterOne;
      }
      if (starving && (old & mutexLocked) !== 0) nw |= mutexStarving;
      if (awoke) {
        // With a registry, a stall repair may have cleared it (and woken another waiter) while we were slow.
        if ((nw & mutexWoken) === 0) {
          if (this.registry === null) throw new SyncError('sync: inconsistent mutex state');
        } else nw &= ~mutexWoken;
      }
      const seen = Atomics.compareExchange(i32, at, old, nw);
      if (seen !== old) {
        old = seen;
        continue;
      }
      if ((old & (mutexLocked | mutexStarving)) === 0) {
        tookOver = (old & mutexAbandoned) !== 0;
        break;
      }
      const front = waitStart !== 0;
      if (waitStart === 0) waitStart = now();
      if (this.registry === null) await fifoAcquireAsync(i32, at + sema, front);
      else await fifoAcquireTimedAsync(i32, at + sema, front, this.checkMs, this.check);
      if (this.starvation) starving = starving || now() - waitStart > starvationThresholdMs;
      old = Atomics.load(i32, at);
      if ((old & mutexStarving) !== 0) {
        if ((old & (mutexLocked | mutexWoken)) !== 0 || waiters(old) === 0 || old >>> tagShift !== 0) {
          throw new SyncError('sync: inconsistent mutex state');
        }
        let delta = this.lockedWord - waiterOne;
        if ((old & mutexAbandoned) !== 0) {
          delta -= mutexAbandoned;
          tookOver = true;
        }
        if (!starving || waiters(old) === 1) delta -= mutexStarving;
        Atomics.add(i32, at, delta);
        break;
      }
      awoke = true;
    }
    i32[at + owner] = selfOwner;
    return tookOver;
  }

  private unlockSlow(held: number): void {
    const i32 = this.i32;
    const at = this.at;
    // Drop mutexLocked, refusing if it is not set.
    let old = Atomics.load(i32, at);
    for (;;) {
      if ((old & mutexLocked) === 0) {
        if (held !== 0) i32[at + owner] = held;
        throw new SyncError('sync: unlock of unlocked mutex');
      }
      const seen = Atomics.compareExchange(i32, at, old, old & ~(mutexLocked | tagMask));
      if (seen === old) break;
      old = seen;
    }
    this.wake(old & ~(mutexLocked | tagMask));
  }

  /** The second half of unlock: the mutex has just been unlocked into state `old`; wake a waiter if needed. */
  private wake(old: number): void {
    const i32 = this.i32;
    const at = this.at;
    if ((old & mutexStarving) === 0) {
      for (;;) {
        // No waiters, or one already woken or has taken the lock: nobody to wake. In starvation mode the
        // handoff chain is not ours (we did not see mutexStarving when we unlocked): get out of the way.
        if (waiters(old) === 0 || (old & (mutexLocked | mutexWoken | mutexStarving)) !== 0) return;
        // Take the right to wake someone.
        const nw = (old - waiterOne) | mutexWoken;
        const seen = Atomics.compareExchange(i32, at, old, nw);
        if (seen === old) {
          fifoRelease(i32, at + sema);
          return;
        }
        old = seen;
      }
    } else {
      // Starvation mode: hand the mutex to the next waiter. mutexLocked stays clear, the waiter sets it; the
      // mutex still counts as locked while mutexStarving is set, so newcomers do not take it.
      fifoRelease(i32, at + sema);
    }
  }
}
