// ThreadRegistry: which threads using a set of shared locks are alive, in shared memory, so that a mutex whose
// holder died can be taken over (mutex.ts, "Crash recovery").
//
// Words (ThreadRegistry.words(slots) = 4 + 4 * slots):
//
//   0        slots (written by the creator; attach checks it)
//   1        next: where join() starts looking for a free slot (round robin, so a slot's epoch advances slowly)
//   2        the last mutex id handed out (mutexes bound to the registry number themselves from here)
//   3        reserved
//   then per slot, 4 words:
//   +0       epoch << 2 | state: state 0 free, 1 alive, 2 dead, 3 claiming (join in progress); epoch 1..255
//   +1       threadId of the thread in the slot
//   +2, +3   reserved (a queued waiter's mutex id and ticket: not used yet)
//
// A thread joins once per registry (the first Mutex/RWMutex bound to the registry that it creates or attaches
// joins for it) and gets a tag: epoch << 6 | slot, 14 bits, never 0. A mutex bound to the registry stores its
// holder's tag in its state word with the same CAS that locks it, so there is no moment when the mutex is
// locked but its holder unknown. The holder is dead iff its slot's word is no longer (epoch << 2 | alive):
// marked dead, left, or reused (join bumps the epoch when it takes a slot).
//
// How death is learnt: a thread cannot announce its own death (worker.terminate() runs no JavaScript in the
// worker; process.exit() and an uncaught exception skip finally blocks of the code holding the lock). The
// thread that spawned the worker learns it: Node emits 'exit' on the Worker object once the worker thread has
// stopped, for every way it can stop (terminate(), process.exit(), an uncaught exception, returning). So
// registry.watch(worker) in the spawning thread marks the worker's slot dead on 'exit'. Limits: a worker that
// nobody watches is never seen dead (its locks stay held, as before); the watcher must outlive the worker (a
// worker spawned by a worker that dies first is not watched any more); a thread that stops without 'exit'
// (the whole process dying) takes every waiter with it, so nothing is lost. No heartbeat or lease: a thread
// busy in a long computation holding a lock is alive, and is never taken for dead.
//
// Epochs are 8 bits (1..255) and join() takes slots round robin, so a slot comes back to the same epoch after
// 64 * 255 joins; a mutex abandoned by a dead holder and not touched by anyone through that many joins would
// then look held by the new thread in that slot (and stay held until that thread dies or leaves).

import { checkRegion, handleWords } from './common.js';
import { threadId } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';

const header = 4;
const slotWords = 4;
const free = 0;
const alive = 1;
const dead = 2;
const claiming = 3;
const maxEpoch = 255;
/** Tag bits: slot in the low 6, epoch in the next 8. */
export const tagBits = 14;
const slotBits = 6;
const maxSlots = 1 << slotBits;

/** The structured-cloneable description of a registry, for ThreadRegistry.attach in another thread. */
export interface ThreadRegistryHandle {
  readonly kind: 'hmap.ThreadRegistry';
  readonly sab: SharedArrayBuffer;
  readonly index: number;
}

/** One slot's view, for diagnostics and tests. */
export interface RegistrySlot {
  slot: number;
  state: 'free' | 'alive' | 'dead' | 'claiming';
  epoch: number;
  threadId: number;
}

let given: { i32: Int32Array; index: number } | null = null;

/**
 * Registered threads of a group that shares locks, and which of them are alive (see the file's header). Locks
 * created or attached with { registry } join the calling thread; whoever spawns a worker calls watch(worker).
 */
export class ThreadRegistry {
  /** Int32 words a registry of `slots` threads takes (ThreadRegistry.over). */
  static words(slots = maxSlots): number {
    return header + slotWords * slots;
  }

  readonly slots: number;
  private readonly i32: Int32Array;
  private readonly at: number;

  /** A new registry with room for `slots` threads (1..64) in its own SharedArrayBuffer. */
  constructor(slots = maxSlots) {
    if (given !== null) {
      this.i32 = given.i32;
      this.at = given.index;
      given = null;
      const n = Atomics.load(this.i32, this.at);
      if (n === 0) Atomics.compareExchange(this.i32, this.at, 0, slots);
    } else {
      if (!Number.isInteger(slots) || slots < 1 || slots > maxSlots) throw new RangeError(`hmap: ThreadRegistry slots must be 1..${maxSlots}`);
      this.i32 = new Int32Array(new SharedArrayBuffer(ThreadRegistry.words(slots) * 4));
      this.at = 0;
      this.i32[0] = slots;
    }
    this.slots = Atomics.load(this.i32, this.at);
  }

  /** The registry in words [index, index + ThreadRegistry.words(slots)) of a shared Int32Array (zeroed). */
  static over(i32: Int32Array, index: number, slots = maxSlots): ThreadRegistry {
    if (!Number.isInteger(slots) || slots < 1 || slots > maxSlots) throw new RangeError(`hmap: ThreadRegistry slots must be 1..${maxSlots}`);
    checkRegion(i32, index, ThreadRegistry.words(slots), 'ThreadRegistry.over');
    given = { i32, index };
    try {
      return new ThreadRegistry(slots);
    } finally {
      given = null;
    }
  }

  /** The registry a handle from share() describes, in this thread. */
  static attach(handle: unknown): ThreadRegistry {
    const { i32, index } = handleWords(handle, 'hmap.ThreadRegistry', header, 'ThreadRegistry');
    const slots = Atomics.load(i32, index);
    if (slots < 1 || slots > maxSlots || index + ThreadRegistry.words(slots) > i32.length) {
      throw new TypeError('hmap: ThreadRegistry.attach needs a handle made by ThreadRegistry.share()');
    }
    return ThreadRegistry.over(i32, index, slots);
  }

  /** A structured-cloneable handle for ThreadRegistry.attach. */
  share(): ThreadRegistryHandle {
    return { kind: 'hmap.ThreadRegistry', sab: this.i32.buffer as SharedArrayBuffer, index: this.i32.byteOffset / 4 + this.at };
  }

  /** This thread's tag here, if it has joined (through any object over this memory), else -1. */
  private mine(): number {
    for (let s = 0; s < this.slots; s++) {
      const w = this.at + header + slotWords * s;
      const v = Atomics.load(this.i32, w);
      if ((v & 3) === alive && Atomics.load(this.i32, w + 1) === threadId) return ((v >>> 2) << slotBits) | s;
    }
    return -1;
  }

  /**
   * Registers the calling thread (once; later calls return the same tag): its tag, which locks bound to this
   * registry store as their holder. Throws a RangeError when every slot is taken by a live thread.
   */
  join(): number {
    const have = this.mine();
    if (have >= 0) return have;
    const i32 = this.i32;
    const n = this.slots;
    const start = Atomics.load(i32, this.at + 1) >>> 0;
    for (let k = 0; k < n; k++) {
      const s = (start + k) % n;
      const w = this.at + header + slotWords * s;
      const v = Atomics.load(i32, w);
      const st = v & 3;
      // A dead slot is as good as a free one: its epoch moves on, so its old tag stays dead.
      if (st !== free && st !== dead) continue;
      let e = (v >>> 2) + 1;
      if (e > maxEpoch) e = 1;
      if (Atomics.compareExchange(i32, w, v, (e << 2) | claiming) !== v) continue;
      Atomics.store(i32, w + 1, threadId);
      Atomics.store(i32, w, (e << 2) | alive);
      Atomics.store(i32, this.at + 1, (s + 1) % n);
      return (e << slotBits) | s;
    }
    throw new RangeError(`hmap: ThreadRegistry is full (${n} live threads)`);
  }

  /**
   * Unregisters the calling thread. Locks it still holds then count as held by a dead thread (taken over by
   * the next one to wait for them).
   */
  leave(): void {
    const tag = this.mine();
    if (tag < 0) return;
    const w = this.at + header + slotWords * (tag & (maxSlots - 1));
    Atomics.compareExchange(this.i32, w, ((tag >>> slotBits) << 2) | alive, ((tag >>> slotBits) << 2) | free);
  }

  /** Whether the thread with this tag is registered and alive. */
  isAlive(tag: number): boolean {
    const s = tag & (maxSlots - 1);
    if (s >= this.slots) return false;
    return Atomics.load(this.i32, this.at + header + slotWords * s) === (((tag >>> slotBits) << 2) | alive);
  }

  /** Marks the thread with Node threadId `id` dead (if it joined): the locks it holds can be taken over. */
  markDead(id: number): boolean {
    const i32 = this.i32;
    let found = false;
    for (let s = 0; s < this.slots; s++) {
      const w = this.at + header + slotWords * s;
      for (;;) {
        const v = Atomics.load(i32, w);
        const st = v & 3;
        if ((st !== alive && st !== claiming) || Atomics.load(i32, w + 1) !== id) break;
        if (Atomics.compareExchange(i32, w, v, (v & ~3) | dead) === v) {
          found = true;
          break;
        }
      }
    }
    return found;
  }

  /**
   * Marks the worker dead in this registry when it stops (its 'exit' event: terminate(), process.exit(), an
   * uncaught exception, or the end of its script). Call it in the thread that spawns the worker, right after
   * new Worker(...). Returns the worker.
   */
  watch<W extends Worker>(worker: W): W {
    const id = worker.threadId;
    worker.once('exit', () => {
      this.markDead(id);
    });
    return worker;
  }

  /** A fresh id for a mutex bound to this registry (never 0). */
  nextMutexId(): number {
    for (;;) {
      const v = Atomics.add(this.i32, this.at + 2, 1) + 1;
      if (v !== 0) return v;
    }
  }

  /** The slots' states (racy snapshot). */
  get snapshot(): RegistrySlot[] {
    const names = ['free', 'alive', 'dead', 'claiming'] as const;
    const out: RegistrySlot[] = [];
    for (let s = 0; s < this.slots; s++) {
      const w = this.at + header + slotWords * s;
      const v = Atomics.load(this.i32, w);
      out.push({ slot: s, state: names[v & 3]!, epoch: v >>> 2, threadId: Atomics.load(this.i32, w + 1) });
    }
    return out;
  }

  /** The threadId of the thread with this tag, if it is in its slot (alive or dead), else -1. */
  threadIdOf(tag: number): number {
    const s = tag & (maxSlots - 1);
    if (s >= this.slots) return -1;
    const w = this.at + header + slotWords * s;
    const v = Atomics.load(this.i32, w);
    return v >>> 2 === tag >>> slotBits && (v & 3) !== free ? Atomics.load(this.i32, w + 1) : -1;
  }
}
