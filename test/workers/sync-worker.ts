// Worker for test/sync.test.ts and bench/sync.ts: attaches to the sync primitives it is given and runs one job
// (workerData.job), or, as a puppet, runs the operations the test sends it one message at a time.
//
// Every wait here that is not on the primitive under test has a deadline, so a bug makes the test fail
// instead of hanging (the test also terminates workers that do not answer in time).

import { parentPort, workerData } from 'node:worker_threads';
import { Mutex } from '../../src/sync/mutex.js';
import { RWMutex } from '../../src/sync/rwmutex.js';
import { WaitGroup } from '../../src/sync/waitgroup.js';
import { logCapacity, Mem } from './sync-shared.js';
import type { SyncJob } from './sync-shared.js';

const deadlineMs = 10_000;
let sink = 0;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function busy(n: number): void {
  let x = sink;
  for (let k = 0; k < n; k++) x = (x * 31 + k) | 0;
  sink = x;
}

/** Waits (with a deadline) until mem[i] >= n. */
function waitAtLeast(mem: Int32Array, i: number, n: number): void {
  const end = performance.now() + deadlineMs;
  for (;;) {
    const v = Atomics.load(mem, i);
    if (v >= n) return;
    const left = end - performance.now();
    if (left <= 0) throw new Error(`worker: mem[${i}] stayed at ${v}, expected ${n}, for ${deadlineMs} ms`);
    Atomics.wait(mem, i, v, left);
  }
}

/** All `workers` threads arrive, then all go. */
function barrier(mem: Int32Array, workers: number): void {
  Atomics.add(mem, Mem.ready, 1);
  Atomics.notify(mem, Mem.ready);
  waitAtLeast(mem, Mem.ready, workers);
}

const data = workerData as SyncJob;

function run(d: SyncJob): unknown {
  switch (d.job) {
    case 'counter': {
      const m = d.mutex === null ? null : Mutex.attach(d.mutex);
      const mem = d.mem;
      barrier(mem, d.workers);
      for (let i = 0; i < d.iters; i++) {
        m?.lock();
        const v = mem[Mem.counter]!; // plain, non-atomic read and write
        busy(d.spin);
        mem[Mem.counter] = v + 1;
        m?.unlock();
      }
      return { done: true };
    }
    case 'starve': {
      const m = Mutex.attach(d.mutex);
      const mem = d.mem;
      const record = (): void => {
        const n = mem[Mem.seq]!;
        if (n < logCapacity) mem[Mem.log + n] = m.state.starving ? 1 : 0;
        mem[Mem.seq] = n + 1;
      };
      barrier(mem, d.workers);
      if (d.role === 'holder') {
        // Hold the mutex for holdMs, let go, take it again at once: in normal mode this thread, running, wins
        // against a waiter still waking up, so waiters starve unless starvation mode hands the mutex over.
        let acquisitions = 0;
        for (let r = 0; r < d.rounds; r++) {
          m.lock();
          acquisitions++;
          record();
          sleep(d.holdMs);
          m.unlock();
        }
        Atomics.store(mem, Mem.stop, 1);
        return { acquisitions, maxWaitMs: 0 };
      }
      let acquisitions = 0;
      let maxWaitMs = 0;
      while (Atomics.load(mem, Mem.stop) === 0) {
        const t0 = performance.now();
        m.lock();
        maxWaitMs = Math.max(maxWaitMs, performance.now() - t0);
        acquisitions++;
        record();
        busy(200);
        m.unlock();
      }
      return { acquisitions, maxWaitMs };
    }
    case 'rw-pair': {
      // Two readers: each holds the read lock until it sees the other inside (with a deadline).
      const rw = RWMutex.attach(d.rw);
      rw.rLock();
      Atomics.add(d.mem, Mem.inside, 1);
      Atomics.notify(d.mem, Mem.inside);
      let both = true;
      try {
        waitAtLeast(d.mem, Mem.inside, 2);
      } catch {
        both = false;
      }
      rw.rUnlock();
      return { both };
    }
    case 'rw-mix': {
      const rw = RWMutex.attach(d.rw);
      const mem = d.mem;
      barrier(mem, d.workers);
      let maxReaders = 0;
      for (let i = 0; i < d.iters; i++) {
        if (d.role === 'writer') {
          rw.lock();
          if (Atomics.add(mem, Mem.writersInside, 1) !== 0 || Atomics.load(mem, Mem.readersInside) !== 0) Atomics.add(mem, Mem.violations, 1);
          const v = mem[Mem.dataA]! + 1;
          mem[Mem.dataA] = v;
          busy(50);
          mem[Mem.dataB] = v;
          Atomics.sub(mem, Mem.writersInside, 1);
          rw.unlock();
        } else {
          rw.rLock();
          const r = Atomics.add(mem, Mem.readersInside, 1) + 1;
          if (r > maxReaders) maxReaders = r;
          if (Atomics.load(mem, Mem.writersInside) !== 0 || mem[Mem.dataA] !== mem[Mem.dataB]) Atomics.add(mem, Mem.violations, 1);
          busy(50);
          Atomics.sub(mem, Mem.readersInside, 1);
          rw.rUnlock();
        }
      }
      return { maxReaders };
    }
    case 'wg-done': {
      const wg = WaitGroup.attach(d.wg);
      sleep(d.delayMs);
      Atomics.store(d.mem, d.slot, 1);
      wg.done();
      return { done: true };
    }
    case 'contend': {
      // For the benchmark: lock, work, unlock, workOut; each lock's wait in microseconds.
      const m = Mutex.attach(d.mutex);
      barrier(d.mem, d.workers);
      const waits = new Float64Array(d.iters);
      const t0 = performance.now();
      for (let i = 0; i < d.iters; i++) {
        const a = performance.now();
        m.lock();
        waits[i] = (performance.now() - a) * 1000;
        busy(d.work);
        m.unlock();
        busy(d.workOut);
      }
      return { ms: performance.now() - t0, waits };
    }
    case 'puppet':
      return undefined;
  }
}

if (data.job === 'puppet') {
  const m = data.mutex === undefined ? null : Mutex.attach(data.mutex);
  const rw = data.rw === undefined ? null : RWMutex.attach(data.rw);
  const wg = data.wg === undefined ? null : WaitGroup.attach(data.wg);
  const mem = data.mem;
  parentPort!.on('message', (msg: { id: number; op: string; arg?: number }) => {
    let result: unknown = true;
    try {
      switch (msg.op) {
        case 'lock':
          m!.lock();
          break;
        case 'unlock':
          m!.unlock();
          break;
        case 'unlockAfter':
          // Sleep arg ms, flag the release in mem[stop], unlock.
          sleep(msg.arg!);
          Atomics.store(mem, Mem.stop, 1);
          m!.unlock();
          break;
        case 'tryLock':
          result = m!.tryLock();
          break;
        case 'rLock':
          rw!.rLock();
          result = Atomics.add(mem, Mem.seq, 1);
          break;
        case 'rUnlock':
          rw!.rUnlock();
          break;
        case 'rwLock':
          rw!.lock();
          result = Atomics.add(mem, Mem.seq, 1);
          break;
        case 'rwUnlock':
          rw!.unlock();
          break;
        case 'wgWait':
          wg!.wait();
          result = Atomics.load(mem, Mem.counter);
          break;
        case 'wgDone':
          wg!.done();
          break;
        default:
          throw new Error(`puppet: unknown op ${msg.op}`);
      }
      parentPort!.postMessage({ id: msg.id, ok: true, result });
    } catch (e) {
      parentPort!.postMessage({ id: msg.id, ok: false, error: { name: (e as Error).name, message: (e as Error).message } });
    }
  });
} else {
  // Stay alive until the parent has the result (it says so): a message posted by a worker that then exits
  // while the parent thread is blocked (in Atomics.wait) can be lost.
  parentPort!.once('message', () => parentPort!.close());
  parentPort!.postMessage(run(data));
}
