// What Mutex, RWMutex and WaitGroup share: the error class, checks on the words they are given, and the
// calling thread's owner id.

import { threadId } from 'node:worker_threads';

/**
 * Misuse of a sync primitive, with Go's message ('sync: unlock of unlocked mutex', 'sync: RUnlock of unlocked
 * RWMutex', 'sync: Unlock of unlocked RWMutex', 'sync: negative WaitGroup counter', 'sync: inconsistent mutex
 * state'). Go makes these fatal; here the primitive's words are left as they were before the call, so the
 * error can be caught.
 */
export class SyncError extends Error {
  override name = 'SyncError';
}

/**
 * The calling thread's owner id, recorded in a mutex it holds: Node's threadId + 1 (the main thread is 1, a
 * worker is its Worker's threadId + 1, never reused in a process), so 0 means no owner.
 */
export const selfOwner = threadId + 1;

/** Checks that words [index, index + words) of i32 exist and are shared; what names the primitive. */
export function checkRegion(i32: unknown, index: unknown, words: number, what: string): asserts i32 is Int32Array {
  if (!(i32 instanceof Int32Array) || !(i32.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(`hmap: ${what} needs an Int32Array over a SharedArrayBuffer`);
  }
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index + words > i32.length) {
    throw new RangeError(`hmap: ${what} needs words ${String(index)}..${String(index)}+${words} of an Int32Array of ${i32.length}`);
  }
}

/** The Int32Array a handle from share() describes, or a TypeError naming the class. */
export function handleWords(handle: unknown, kind: string, words: number, what: string): { i32: Int32Array; index: number } {
  const h = handle as { kind?: unknown; sab?: unknown; index?: unknown };
  if (
    typeof h !== 'object' ||
    h === null ||
    h.kind !== kind ||
    !(h.sab instanceof SharedArrayBuffer) ||
    typeof h.index !== 'number' ||
    !Number.isInteger(h.index) ||
    h.index < 0 ||
    (h.index + words) * 4 > h.sab.byteLength
  ) {
    throw new TypeError(`hmap: ${what}.attach needs a handle made by ${what}.share()`);
  }
  return { i32: new Int32Array(h.sab), index: h.index };
}

/** Milliseconds, with microsecond resolution. */
export const now = (): number => performance.now();
