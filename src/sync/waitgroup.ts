// WaitGroup: Go's sync.WaitGroup (src/sync/waitgroup.go) over words of a SharedArrayBuffer.
//
// Words (WaitGroup.words = 4):
//
//   0   counter
//   1   generation: incremented each time the counter drops to zero; waiters sleep on it
//   2,3 reserved
//
// Go packs the counter and a waiter count into one 64-bit word and releases its semaphore once per waiter.
// Atomics.notify can wake every sleeper on a word at once, so waiters here need no count: they sleep on the
// generation word, and the add() that brings the counter to zero bumps it and notifies everyone. A waiter that
// saw the counter non-zero returns once the generation moves, even if the counter has been raised again by
// then (Go's "WaitGroup is reused before previous Wait has returned" would panic there).
//
// add() updates the counter with a CAS loop, so a negative counter throws a SyncError and leaves it unchanged
// (Go panics after the fact).

import { checkRegion, handleWords, SyncError } from './common.js';

const counter = 0;
const generation = 1;
const words = 4;

/** The structured-cloneable description of a WaitGroup, for WaitGroup.attach in another thread. */
export interface WaitGroupHandle {
  readonly kind: 'hmap.WaitGroup';
  readonly sab: SharedArrayBuffer;
  readonly index: number;
}

let given: { i32: Int32Array; index: number } | null = null;

/** Waits for a collection of threads (or tasks) to finish: add(n) before starting them, done() in each, wait(). */
export class WaitGroup {
  /** Int32 words a WaitGroup takes (WaitGroup.over). */
  static readonly words = words;

  private readonly i32: Int32Array;
  private readonly at: number;

  /** A new WaitGroup (counter 0) in its own SharedArrayBuffer. */
  constructor() {
    if (given !== null) {
      this.i32 = given.i32;
      this.at = given.index;
      given = null;
    } else {
      this.i32 = new Int32Array(new SharedArrayBuffer(words * 4));
      this.at = 0;
    }
  }

  /** The WaitGroup in words [index, index + WaitGroup.words) of a shared Int32Array. */
  static over(i32: Int32Array, index: number): WaitGroup {
    checkRegion(i32, index, words, 'WaitGroup.over');
    given = { i32, index };
    try {
      return new WaitGroup();
    } finally {
      given = null;
    }
  }

  /** The WaitGroup a handle from share() describes, in this thread. */
  static attach(handle: unknown): WaitGroup {
    const { i32, index } = handleWords(handle, 'hmap.WaitGroup', words, 'WaitGroup');
    return WaitGroup.over(i32, index);
  }

  /** A structured-cloneable handle for WaitGroup.attach. */
  share(): WaitGroupHandle {
    return { kind: 'hmap.WaitGroup', sab: this.i32.buffer as SharedArrayBuffer, index: this.i32.byteOffset / 4 + this.at };
  }

  /**
   * Adds delta (an integer, may be negative) to the counter; when it reaches zero, every waiter is released.
   * Throws a SyncError if the counter would go negative (the counter is left as it was).
   */
  add(delta: number): void {
    if (!Number.isInteger(delta)) throw new TypeError(`hmap: WaitGroup.add needs an integer, got ${String(delta)}`);
    const i32 = this.i32;
    const at = this.at;
    let v = Atomics.load(i32, at + counter);
    for (;;) {
      const nv = v + delta;
      if (nv < 0) throw new SyncError('sync: negative WaitGroup counter');
      if (nv > 0x7fffffff) throw new RangeError('hmap: WaitGroup counter above 2^31 - 1');
      const seen = Atomics.compareExchange(i32, at + counter, v, nv);
      if (seen === v) {
        if (nv === 0 && v !== 0) {
          Atomics.add(i32, at + generation, 1);
          Atomics.notify(i32, at + generation);
        }
        return;
      }
      v = seen;
    }
  }

  /** Decrements the counter by one. */
  done(): void {
    this.add(-1);
  }

  /** Blocks the thread until the counter is zero. */
  wait(): void {
    const i32 = this.i32;
    const at = this.at;
    const g = Atomics.load(i32, at + generation);
    while (Atomics.load(i32, at + counter) !== 0 && Atomics.load(i32, at + generation) === g) {
      Atomics.wait(i32, at + generation, g);
    }
  }

  /** Resolves when the counter is zero, without blocking the thread. */
  async waitAsync(): Promise<void> {
    const i32 = this.i32;
    const at = this.at;
    const g = Atomics.load(i32, at + generation);
    while (Atomics.load(i32, at + counter) !== 0 && Atomics.load(i32, at + generation) === g) {
      const r = Atomics.waitAsync(i32, at + generation, g);
      if (r.async) await r.value;
    }
  }

  /** The counter now. */
  get count(): number {
    return Atomics.load(this.i32, this.at + counter);
  }
}
