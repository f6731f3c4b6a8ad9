// Semaphores over words of a shared Int32Array: what Go's runtime gives its sync package (runtime_Semacquire,
// runtime_SemacquireMutex, runtime_Semrelease in runtime/sema.go), built on Atomics.wait / Atomics.notify.
//
// Two kinds:
//
// - A counting semaphore in one word (semAcquire / semRelease), for RWMutex's reader and writer semaphores.
//   Its count is anonymous: whoever decrements it first takes it (Go's cansemacquire does the same), which is
//   all RWMutex needs (its counters, not the semaphore, say who may go).
//
// - A FIFO semaphore (fifoAcquire / fifoRelease, fifoWords words), for Mutex, whose starvation mode hands the
//   lock to the oldest waiter. Atomics.notify(i32, i, 1) does wake the waiter that has waited longest on that
//   word (ECMA-262, "WaiterList Records": AddWaiter appends to [[Waiters]], RemoveWaiters takes the first n),
//   but that is not enough: a thread that has counted itself as a waiter but not yet reached Atomics.wait could
//   take the count meant for a sleeper, and a thread that enters Atomics.wait late sits behind younger ones.
//   So the order is kept in the words, not in the engine's list: a waiter takes a ticket (tail++) and may go
//   once grants has passed its ticket; a release admits the next ticket (grants++). Ticket t sleeps on ring
//   word t mod 4 and a release bumps and notifies only the ring word of the ticket it admits, so a release
//   wakes one thread, not every waiter (tickets 4 apart share a word and simply sleep again).
//
//   Go's SemacquireMutex(lifo=true) queues a waiter that was woken and lost the race at the front of the
//   queue. Tickets cannot go to the front, so those waiters use a front lane: frontWaiting counts them,
//   frontGrants holds tokens for them, and a release serves the front lane before the ticket line. Like Go's
//   semaRoot, a small lock (a futex word: 0 free, 1 held, 2 held with sleepers) makes "is the front lane
//   empty? then admit the next ticket" one step against a waiter joining the front lane; a joiner that finds
//   a ticket admitted that nobody holds yet (a release came first) takes that ticket instead of waiting. So
//   every token can be taken by some waiter, which the mutex's accounting needs: unlock releases one token per
//   waiter it stops counting, and whoever takes it is the woken one.
//
// Tickets and grants wrap around 2^32; "grants has passed t" is ((grants - t) | 0) > 0, right while fewer than
// 2^31 tickets are outstanding.

// FIFO semaphore words, relative to its first word.
const tail = 0;
const grants = 1;
const frontWaiting = 2;
const frontGrants = 3;
const lockWord = 4;
/** Tokens released so far (wraps): lets a waiter see that no release has happened for a while. */
const releases = 5;
const ring = 8;
const ringMask = 3;

/** Words a FIFO semaphore takes. */
export const fifoWords = 12;

/** False once Atomics.wait has thrown: a thread that may not block (a browser's main thread) spins instead. */
let canBlock = true;

/**
 * A thread holding the semaphore's lock longer than this (ms) is taken for dead (terminated inside
 * fifoRelease or joinFront, which hold it for a few instructions) and the lock is taken from it.
 */
const lockStealMs = 1000;

/** The semaphore's internal lock, held for a few instructions: spin, then sleep (or spin on if we may not). */
function lockSema(i32: Int32Array, at: number): void {
  let c = Atomics.compareExchange(i32, at, 0, 1);
  if (c === 0) return;
  for (let k = 0; k < 100 && c !== 0; k++) c = Atomics.compareExchange(i32, at, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(i32, at, 2);
  const start = performance.now();
  while (c !== 0) {
    if (canBlock) {
      try {
        Atomics.wait(i32, at, 2, 50);
      } catch {
        canBlock = false;
      }
    }
    c = Atomics.exchange(i32, at, 2);
    // Nobody holds it that long alive: its holder died in the middle of a few-instruction section. Both users
    // leave the words consistent at every step but one (fifoRelease between frontWaiting-- and frontGrants++,
    // which loses one wakeup: the mutex's stall check makes up for it).
    if (c !== 0 && performance.now() - start > lockStealMs) return;
  }
}

function unlockSema(i32: Int32Array, at: number): void {
  if (Atomics.exchange(i32, at, 0) === 2) Atomics.notify(i32, at, 1);
}

/**
 * Joins the front lane; true if it took an admitted ticket nobody held instead (then there is nothing to wait
 * for). Never blocks for long: the semaphore's lock is held for a few instructions.
 */
function joinFront(i32: Int32Array, at: number): boolean {
  lockSema(i32, at + lockWord);
  for (;;) {
    const t = Atomics.load(i32, at + tail);
    if (((Atomics.load(i32, at + grants) - t) | 0) <= 0) break;
    if (Atomics.compareExchange(i32, at + tail, t, t + 1) === t) {
      unlockSema(i32, at + lockWord);
      return true;
    }
  }
  Atomics.add(i32, at + frontWaiting, 1);
  unlockSema(i32, at + lockWord);
  return false;
}

/** Waits for a token of the FIFO semaphore at i32[at]; `front` queues ahead of the ticket line (Go's lifo). */
export function fifoAcquire(i32: Int32Array, at: number, front: boolean): void {
  if (front) {
    if (joinFront(i32, at)) return;
    for (;;) {
      const v = Atomics.load(i32, at + frontGrants);
      if (v > 0) {
        if (Atomics.compareExchange(i32, at + frontGrants, v, v - 1) === v) return;
        continue;
      }
      Atomics.wait(i32, at + frontGrants, v);
    }
  }
  const t = Atomics.add(i32, at + tail, 1);
  const slot = at + ring + (t & ringMask);
  for (;;) {
    const seq = Atomics.load(i32, slot);
    if (((Atomics.load(i32, at + grants) - t) | 0) > 0) return;
    Atomics.wait(i32, slot, seq);
  }
}

/** fifoAcquire without blocking the thread: sleeps with Atomics.waitAsync. */
export async function fifoAcquireAsync(i32: Int32Array, at: number, front: boolean): Promise<void> {
  if (front) {
    if (joinFront(i32, at)) return;
    for (;;) {
      const v = Atomics.load(i32, at + frontGrants);
      if (v > 0) {
        if (Atomics.compareExchange(i32, at + frontGrants, v, v - 1) === v) return;
        continue;
      }
      const r = Atomics.waitAsync(i32, at + frontGrants, v);
      if (r.async) await r.value;
    }
  }
  const t = Atomics.add(i32, at + tail, 1);
  const slot = at + ring + (t & ringMask);
  for (;;) {
    const seq = Atomics.load(i32, slot);
    if (((Atomics.load(i32, at + grants) - t) | 0) > 0) return;
    const r = Atomics.waitAsync(i32, slot, seq);
    if (r.async) await r.value;
  }
}

/**
 * fifoAcquire that wakes every `ms` milliseconds while it waits and calls onTimeout(front) (which may release
 * tokens, for instance on behalf of a dead holder; `front` says which lane the caller waits in), then goes
 * back to waiting with the same ticket or place in the front lane: a timeout never costs a waiter its turn.
 * onTimeout also runs once before the first sleep.
 */
export function fifoAcquireTimed(i32: Int32Array, at: number, front: boolean, ms: number, onTimeout: (front: boolean) => void): void {
  let due = 0; // when onTimeout runs next (0: now)
  if (front) {
    if (joinFront(i32, at)) return;
    for (;;) {
      const v = Atomics.load(i32, at + frontGrants);
      if (v > 0) {
        if (Atomics.compareExchange(i32, at + frontGrants, v, v - 1) === v) return;
        continue;
      }
      const left = due - performance.now();
      if (left <= 0) {
        onTimeout(true);
        due = performance.now() + ms;
        continue;
      }
      Atomics.wait(i32, at + frontGrants, v, left);
    }
  }
  const t = Atomics.add(i32, at + tail, 1);
  const slot = at + ring + (t & ringMask);
  for (;;) {
    const seq = Atomics.load(i32, slot);
    if (((Atomics.load(i32, at + grants) - t) | 0) > 0) return;
    const left = due - performance.now();
    if (left <= 0) {
      onTimeout(false);
      due = performance.now() + ms;
      continue;
    }
    Atomics.wait(i32, slot, seq, left);
  }
}

/** fifoAcquireTimed without blocking the thread. */
export async function fifoAcquireTimedAsync(i32: Int32Array, at: number, front: boolean, ms: number, onTimeout: (front: boolean) => void): Promise<void> {
  let due = 0;
  if (front) {
    if (joinFront(i32, at)) return;
    for (;;) {
      const v = Atomics.load(i32, at + frontGrants);
      if (v > 0) {
        if (Atomics.compareExchange(i32, at + frontGrants, v, v - 1) === v) return;
        continue;
      }
      const left = due - performance.now();
      if (left <= 0) {
        onTimeout(true);
        due = performance.now() + ms;
        continue;
      }
      const r = Atomics.waitAsync(i32, at + frontGrants, v, left);
      if (r.async) await r.value;
    }
  }
  const t = Atomics.add(i32, at + tail, 1);
  const slot = at + ring + (t & ringMask);
  for (;;) {
    const seq = Atomics.load(i32, slot);
    if (((Atomics.load(i32, at + grants) - t) | 0) > 0) return;
    const left = due - performance.now();
    if (left <= 0) {
      onTimeout(false);
      due = performance.now() + ms;
      continue;
    }
    const r = Atomics.waitAsync(i32, slot, seq, left);
    if (r.async) await r.value;
  }
}

/** Releases one token: to the front lane if a requeued waiter is there, else to the oldest ticket. */
export function fifoRelease(i32: Int32Array, at: number): void {
  lockSema(i32, at + lockWord);
  releaseLocked(i32, at, Atomics.load(i32, at + frontWaiting) > 0);
}

/**
 * Releases one token to a given lane (front: the front lane, else the oldest ticket), for a waiter in that lane
 * that finds a wakeup lost (Mutex.checkStall): a releaser died after the mutex's accounting gave the token away
 * and before this semaphore released it, so fifoRelease's choice of lane (by frontWaiting, which the dead
 * releaser may have decremented already) could miss the waiter. A front-lane token also takes one from
 * frontWaiting when it is above 0; a token nobody is there to take is taken by a later waiter of that lane at
 * once (a spurious wakeup, which the mutex tolerates).
 */
export function fifoReleaseLane(i32: Int32Array, at: number, front: boolean): void {
  lockSema(i32, at + lockWord);
  releaseLocked(i32, at, front);
}

/** The release itself, the semaphore's lock held (it lets the lock go before waking anyone). */
function releaseLocked(i32: Int32Array, at: number, front: boolean): void {
  if (front) {
    if (Atomics.load(i32, at + frontWaiting) > 0) Atomics.sub(i32, at + frontWaiting, 1);
    Atomics.add(i32, at + frontGrants, 1);
    Atomics.add(i32, at + releases, 1);
    unlockSema(i32, at + lockWord);
    Atomics.notify(i32, at + frontGrants, 1);
    return;
  }
  const g = Atomics.add(i32, at + grants, 1);
  Atomics.add(i32, at + releases, 1);
  unlockSema(i32, at + lockWord);
  const slot = at + ring + (g & ringMask);
  Atomics.add(i32, slot, 1);
  Atomics.notify(i32, slot);
}

/** How many tokens the FIFO semaphore has released (wraps around 2^32). */
export function fifoReleases(i32: Int32Array, at: number): number {
  return Atomics.load(i32, at + releases);
}

/** Waiting tickets, requeued waiters: a snapshot for diagnostics. */
export function fifoQueued(i32: Int32Array, at: number): { line: number; front: number } {
  const line = (Atomics.load(i32, at + tail) - Atomics.load(i32, at + grants)) | 0;
  return { line: Math.max(0, line), front: Atomics.load(i32, at + frontWaiting) };
}

/** Takes one from the counting semaphore at i32[at], sleeping while it is 0. */
export function semAcquire(i32: Int32Array, at: number): void {
  for (;;) {
    const v = Atomics.load(i32, at);
    if (v > 0) {
      if (Atomics.compareExchange(i32, at, v, v - 1) === v) return;
      continue;
    }
    Atomics.wait(i32, at, v);
  }
}

/** semAcquire without blocking the thread. */
export async function semAcquireAsync(i32: Int32Array, at: number): Promise<void> {
  for (;;) {
    const v = Atomics.load(i32, at);
    if (v > 0) {
      if (Atomics.compareExchange(i32, at, v, v - 1) === v) return;
      continue;
    }
    const r = Atomics.waitAsync(i32, at, v);
    if (r.async) await r.value;
  }
}

/** Adds n to the counting semaphore at i32[at] and wakes up to n sleepers. */
export function semRelease(i32: Int32Array, at: number, n: number): void {
  Atomics.add(i32, at, n);
  Atomics.notify(i32, at, n);
}
