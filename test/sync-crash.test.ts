// Crash recovery of the sync primitives (src/sync/registry.ts, "Crash recovery" in src/sync/mutex.ts): real
// worker threads die holding a registry-bound lock, or while queued for it, and the others carry on.
//
// No wait can hang the run: every worker result is awaited with a deadline (then the test fails), and the
// main thread never blocks on a lock under test.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Mutex, RWMutex, ThreadRegistry } from '../src/sync/index.js';
import { fifoRelease } from '../src/sync/sema.js';
import { C, crashMemWords } from './workers/sync-crash-shared.js';
import type { CrashJob } from './workers/sync-crash-shared.js';

const workerUrl = new URL('./workers/sync-crash-worker.js', import.meta.url);
const checkMs = 50;
/** The recovery bound the README states for a dead holder: the 'exit' event, then at most one check period. */
const holderBoundMs = checkMs + 400;
/** For a waiter that died queued: its lost wakeup is made up after 2 check periods without a release. */
const waiterBoundMs = 3 * checkMs + 400;

const live = new Set<Worker>();
after(async () => {
  await Promise.all([...live].map((w) => w.terminate()));
});

function mem(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(crashMemWords * 4));
}

function spawn(reg: ThreadRegistry, data: CrashJob): Worker {
  const w = reg.watch(new Worker(workerUrl, { workerData: data }));
  live.add(w);
  exits.set(
    w,
    new Promise<number>((resolve) =>
      w.once('exit', (code) => {
        live.delete(w);
        resolve(code);
      }),
    ),
  );
  w.on('error', (e) => errors.set(w, e)); // the 'throw' job dies on purpose
  return w;
}

/** The worker's one message, or a rejection after ms (or if it exits first). */
function message<T>(w: Worker, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no message in ${ms} ms`)), ms);
    w.once('message', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    w.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what}: exited (${code}) without a message${errors.has(w) ? `: ${String(errors.get(w))}` : ''}`));
    });
  });
}

const exits = new Map<Worker, Promise<number>>();
const errors = new Map<Worker, Error>();

function exited(w: Worker, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exits.get(w)!.finally(() => clearTimeout(timer)),
    new Promise<number>((_, reject) => (timer = setTimeout(() => reject(new Error(`worker did not exit in ${ms} ms`)), ms))),
  ]);
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const wallNow = (): number => performance.timeOrigin + performance.now();

describe('ThreadRegistry', () => {
  it('join/leave/markDead, tags, share/attach, full registry', () => {
    const reg = new ThreadRegistry(3);
    const tag = reg.join();
    assert.equal(reg.join(), tag, 'one join per thread');
    assert.ok(reg.isAlive(tag));
    assert.equal(reg.threadIdOf(tag), 0, 'the main thread');
    const again = ThreadRegistry.attach(structuredClone(reg.share()));
    assert.equal(again.join(), tag, 'the same memory, the same thread: the same tag');
    assert.equal(reg.markDead(0), true);
    assert.equal(reg.isAlive(tag), false);
    const tag2 = reg.join();
    assert.notEqual(tag2, tag, 'a new epoch (or slot)');
    reg.leave();
    assert.equal(reg.isAlive(tag2), false);
    assert.throws(() => ThreadRegistry.attach({ kind: 'hmap.ThreadRegistry' }), TypeError);
    assert.throws(() => new ThreadRegistry(65), RangeError);
  });
});

describe('Mutex: a holder dies', () => {
  it('terminated while holding: both waiters get in within the bound, exactly one is told it took over', async () => {
    const reg = new ThreadRegistry();
    const m = new Mutex({ registry: reg, checkMs });
    const mm = mem();
    const holder = spawn(reg, { job: 'hold', mutex: m.share(), mem: mm, die: 'terminate' });
    await until(() => Atomics.load(mm, C.holding) === 1, 'the holder to lock');
    const waiters = [0, 1].map(() => spawn(reg, { job: 'wait', mutex: m.share(), mem: mm, holdMs: 0 }));
    const got = waiters.map((w, i) => message<{ tookOver: boolean; at: number }>(w, 10_000, `waiter ${i}`));
    await until(() => Atomics.load(mm, C.started) === 2 && m.state.waiters === 2, 'both waiters to queue');
    await new Promise((r) => setTimeout(r, 3 * checkMs));
    assert.equal(Atomics.load(mm, C.counter), 0, 'nobody got in while the holder lived');
    const t0 = wallNow();
    await holder.terminate();
    const r = await Promise.all(got);
    const recovery = Math.max(...r.map((x) => x.at)) - t0;
    assert.deepEqual(r.map((x) => x.tookOver).sort(), [false, true]);
    assert.ok(recovery < holderBoundMs + 200, `recovered in ${recovery.toFixed(1)} ms`);
    assert.equal(mm[C.counter], 2);
    assert.equal(mm[C.dataB], mm[C.dataA], 'the taker repaired the half-done update');
    assert.equal(mm[C.violations], 0);
    await Promise.all(waiters.map((w) => exited(w, 5000)));
    assert.equal(m.lock(), false, 'nothing to report any more');
    m.unlock();
    assert.equal(m.state.word, 0);
  });

  for (const die of ['exit', 'throw'] as const) {
    it(`${die === 'exit' ? 'process.exit() in the worker' : 'an uncaught exception'} while holding: the waiter takes over`, async () => {
      const reg = new ThreadRegistry();
      const m = new Mutex({ registry: reg, checkMs });
      const mm = mem();
      const waiter = spawn(reg, { job: 'wait', mutex: m.share(), mem: mm, holdMs: 0 });
      const got = message<{ tookOver: boolean; at: number }>(waiter, 10_000, 'waiter');
      // The waiter may lock first; the holder then waits and dies later: either way, someone must report.
      const holder = spawn(reg, { job: 'hold', mutex: m.share(), mem: mm, die });
      const code = await exited(holder, 10_000);
      assert.notEqual(code, 0);
      const r = await got;
      assert.equal(mm[C.counter], 1);
      if (r.tookOver) assert.equal(mm[C.dataB], mm[C.dataA]);
      // The holder locked after the waiter: the main thread is the one told.
      const main = m.lock();
      assert.equal(main || r.tookOver, true, 'somebody was told the holder died');
      assert.equal(main && r.tookOver, false, 'only one was told');
      m.unlock();
      assert.equal(m.state.word, 0);
    });
  }

  it('lockAsync on the main thread is told too', async () => {
    const reg = new ThreadRegistry();
    const m = new Mutex({ registry: reg, checkMs });
    const mm = mem();
    const holder = spawn(reg, { job: 'hold', mutex: m.share(), mem: mm, die: 'terminate' });
    await until(() => Atomics.load(mm, C.holding) === 1, 'the holder to lock');
    const p = m.lockAsync();
    await holder.terminate();
    const t0 = performance.now();
    const r = await Promise.race([p, new Promise<'late'>((res) => setTimeout(() => res('late'), 5000))]);
    assert.equal(r, true);
    assert.ok(performance.now() - t0 < holderBoundMs + 200);
    m.unlock();
  });
});

describe('Mutex: a waiter dies', () => {
  it('terminated while queued: the queue still progresses', async () => {
    const reg = new ThreadRegistry();
    const m = new Mutex({ registry: reg, checkMs });
    const mm = mem();
    m.lock(); // the main thread holds it
    const doomed = spawn(reg, { job: 'wait', mutex: m.share(), mem: mm, holdMs: 0 });
    await until(() => m.state.waiters === 1, 'the doomed waiter to queue');
    const next = spawn(reg, { job: 'wait', mutex: m.share(), mem: mm, holdMs: 0 });
    const got = message<{ tookOver: boolean; at: number }>(next, 10_000, 'second waiter');
    await until(() => m.state.waiters === 2, 'the second waiter to queue');
    await doomed.terminate();
    const t0 = wallNow();
    m.unlock(); // the wakeup goes to the dead waiter's ticket
    const r = await got;
    assert.equal(r.tookOver, false);
    assert.ok(r.at - t0 < waiterBoundMs + 200, `the live waiter got in after ${(r.at - t0).toFixed(1)} ms`);
    assert.equal(mm[C.counter], 1);
  });
});

describe('Mutex: an unlocker dies between taking the right to wake and waking (regression)', () => {
  // unlock() drops mutexLocked, then (wake) takes one waiter off the count and sets mutexWoken with one CAS,
  // then releases a token on the semaphore. A thread terminated between the two leaves the last waiter asleep
  // with a count of 0: before the fix, checkStall saw no waiter to wake and the waiter slept forever (a hang
  // of test/shared-workers.test.ts, 2 of 12 full runs). The dead unlocker's steps are played here on the
  // mutex's words, so the test is exact, not a race.
  const mutexLocked = 1;
  const mutexWoken = 2;
  const sema = 4; // the semaphore's first word (mutex.ts)
  const frontWaiting = sema + 2; // sema.ts

  /** A registry-bound mutex in our own words, held by this thread, and a worker queued for it in the ticket line. */
  async function queuedWaiter(): Promise<{ i32: Int32Array; m: Mutex; mm: Int32Array; w: Worker; held: number; got: Promise<{ tookOver: boolean; at: number }> }> {
    const reg = new ThreadRegistry();
    const i32 = new Int32Array(new SharedArrayBuffer(Mutex.words * 4));
    const m = Mutex.over(i32, 0, { registry: reg, checkMs });
    const mm = mem();
    m.lock();
    const held = Atomics.load(i32, 0); // mutexLocked | our tag
    assert.equal(held & 0xff, mutexLocked);
    const w = spawn(reg, { job: 'wait', mutex: m.share(), mem: mm, holdMs: 0 });
    const got = message<{ tookOver: boolean; at: number }>(w, 10_000, 'the waiter');
    await until(() => m.state.waiters === 1 && m.queued.line === 1, 'the waiter to queue');
    return { i32, m, mm, w, held, got };
  }

  /** The waiter got in (not told of a takeover) within the stall bound of t0, and left the mutex clean. */
  async function gotIn(q: Awaited<ReturnType<typeof queuedWaiter>>, t0: number): Promise<void> {
    const r = await q.got;
    assert.equal(r.tookOver, false);
    assert.ok(r.at - t0 < waiterBoundMs + 200, `the waiter got in after ${(r.at - t0).toFixed(1)} ms`);
    assert.equal(q.mm[C.counter], 1);
    await exited(q.w, 5000);
    assert.equal(q.m.state.word, 0, 'unlocked, nobody counted, mutexWoken cleared by the woken waiter');
  }

  it('the waiter in the ticket line gets in, within the stall bound', async () => {
    const q = await queuedWaiter();
    Atomics.store(q.i32, 0, mutexWoken); // unlocked, count 0, mutexWoken: the dead unlocker's CAS, no release
    await gotIn(q, wallNow());
  });

  it('the waiter in the front lane gets in, within the stall bound', async () => {
    const q = await queuedWaiter();
    // Woken, it finds the mutex taken by a barger (still us) and requeues in the front lane (Go's lifo).
    Atomics.store(q.i32, 0, q.held | mutexWoken);
    fifoRelease(q.i32, sema);
    await until(() => q.m.state.waiters === 1 && q.m.queued.front === 1, 'the waiter to requeue in the front lane');
    // An unlocker that dies inside the release: the count taken, frontWaiting taken, no token given.
    Atomics.store(q.i32, 0, mutexWoken);
    Atomics.sub(q.i32, frontWaiting, 1);
    await gotIn(q, wallNow());
  });
});

describe('Mutex: random terminations', () => {
  it('workers loop lock/increment/unlock while others are terminated at random: survivors finish, the counter is exact', async () => {
    const reg = new ThreadRegistry();
    const m = new Mutex({ registry: reg, checkMs });
    const mm = mem();
    const workers = new Map<number, Worker>();
    let nextId = 0;
    const start = (): void => {
      const id = nextId++;
      workers.set(id, spawn(reg, { job: 'loop', mutex: m.share(), mem: mm, id }));
    };
    for (let i = 0; i < 4; i++) start();
    let killed = 0;
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const end = Date.now() + 4000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20 + rand() * 80));
      const ids = [...workers.keys()];
      const id = ids[Math.floor(rand() * ids.length)]!;
      const w = workers.get(id)!;
      workers.delete(id);
      await w.terminate();
      killed++;
      start();
    }
    const before = Atomics.load(mm, C.counter);
    Atomics.store(mm, C.stop, 1);
    const results = await Promise.all([...workers.values()].map((w, i) => message<{ repairs: number }>(w, 15_000, `survivor ${i}`)));
    assert.equal(results.length, 4);
    // The main thread checks the journal under the lock, repairing if the last holder died in the middle.
    const p = m.lockAsync();
    const tookOver = await Promise.race([p, new Promise<'late'>((res) => setTimeout(() => res('late'), 5000))]);
    assert.notEqual(tookOver, 'late');
    if (tookOver === true && mm[C.logActive] === 1) {
      mm[C.counter] = mm[C.logCounter]!;
      mm[C.per + mm[C.logWho]!] = mm[C.logPer]!;
      mm[C.logActive] = 0;
    }
    let sum = 0;
    for (let id = 0; id < nextId; id++) sum += mm[C.per + id]!;
    assert.equal(mm[C.logActive], 0);
    assert.equal(mm[C.counter], sum, 'every completed increment counted once, every half-done one rolled back');
    assert.equal(mm[C.violations], 0, 'never two holders');
    assert.ok(sum > before / 2 && sum > 100, `progress: ${sum} increments, ${killed} workers killed, ${mm[C.repairs]} repairs`);
    m.unlock();
    await Promise.all([...workers.values()].map((w) => exited(w, 5000)));
    // The state word: unlocked, not abandoned; waiters that died queued may still be counted (and a dead
    // waiter may have left mutexWoken set): they cost the next live waiter one stall check each, no more.
    const s = m.state;
    assert.equal(s.locked, false);
    assert.equal(s.abandoned, false);
    assert.ok(s.waiters <= killed, JSON.stringify(s));
    m.lock();
    const phantom = m.state.waiters;
    const late = spawn(reg, { job: 'wait', mutex: m.share(), mem: mm, holdMs: 0 });
    const got = message<{ tookOver: boolean; at: number }>(late, 10_000, 'a late waiter');
    await until(() => m.state.waiters > phantom, 'the late waiter to queue').catch((e: Error) => {
      const slots = reg.snapshot.reduce<Record<string, number>>((a, x) => ((a[x.state] = (a[x.state] ?? 0) + 1), a), {});
      throw new Error(`${e.message}: phantom ${phantom}, state ${JSON.stringify(m.state)}, queued ${JSON.stringify(m.queued)}, slots ${JSON.stringify(slots)}`);
    });
    const t0 = wallNow();
    m.unlock();
    const r = await got;
    assert.equal(r.tookOver, false);
    assert.ok(r.at - t0 < (phantom + 1) * waiterBoundMs + 200, `a late waiter got in after ${(r.at - t0).toFixed(1)} ms`);
  });
});

describe('RWMutex: a writer dies', () => {
  it('terminated holding the write lock: the next writer is told, readers get in afterwards', async () => {
    const reg = new ThreadRegistry();
    const rw = new RWMutex({ registry: reg, checkMs });
    const mm = mem();
    const holder = spawn(reg, { job: 'hold', rw: rw.share(), mem: mm, die: 'terminate' });
    await until(() => Atomics.load(mm, C.holding) === 1, 'the writer to lock');
    assert.equal(rw.tryRLock(), false, 'readers are kept out');
    const writer = spawn(reg, { job: 'wait', rw: rw.share(), mem: mm, holdMs: 0 });
    const got = message<{ tookOver: boolean; at: number }>(writer, 10_000, 'writer');
    await holder.terminate();
    const r = await got;
    assert.equal(r.tookOver, true);
    assert.equal(mm[C.dataB], mm[C.dataA]);
    await until(() => rw.tryRLock(), 'a reader to get in');
    rw.rUnlock();
    assert.deepEqual(rw.state, { readers: 0, writer: false, readerWait: 0 });
    assert.equal(rw.lock(), false);
    rw.unlock();
  });
});
