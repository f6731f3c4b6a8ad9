// Worker for the lab's mutex-fairness experiment (../experiments/mutex-fairness.ts). A pooled thread: it waits
// for jobs (postMessage), runs each one synchronously and answers with what it measured, until told to stop.
//
// A job: attach the mutex, meet the other threads at a barrier, then loop until the run's deadline (the first
// thread past its deadline raises the stop word, every thread checks it):
//
//   contend, waiter: t0 = now; lock(); t1 = now; [section: `inside` busy steps, bookkeeping]; unlock();
//                    record t1 - t0 (the lock's wait, ns, hdr-histogram-js); `outside` busy steps; sleep
//   greedy:          lock(); [section: busy `busyUs` and/or sleep `sleepUs`, bookkeeping, record the wait];
//                    unlock(); lock() at once
//
// The bookkeeping inside the critical section is plain reads and writes of the shared words (the mutex orders
// them): sections counted in lock order, and the starvation flag read from the mutex's state at the start and
// at the end of every section, to count sections run in starvation mode and the times the mode was entered.

import { parentPort } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { Mutex } from '../../sync/mutex.js';
import { FairMem } from './mutex-fairness-shared.js';
import type { FairJob, FairReply } from './mutex-fairness-shared.js';

let sink = 0;

function busy(n: number): void {
  let x = sink;
  for (let k = 0; k < n; k++) x = (x * 31 + k) | 0;
  sink = x;
}

const barrierDeadlineMs = 10_000;

/** All `threads` arrive, then all go (with a deadline, so a lost thread fails the run instead of hanging it). */
function barrier(mem: Int32Array, threads: number): void {
  Atomics.add(mem, FairMem.ready, 1);
  Atomics.notify(mem, FairMem.ready);
  const end = performance.now() + barrierDeadlineMs;
  for (;;) {
    const v = Atomics.load(mem, FairMem.ready);
    if (v >= threads) return;
    const left = end - performance.now();
    if (left <= 0) throw new Error(`mutex-fairness worker: ${v} of ${threads} threads at the barrier after ${barrierDeadlineMs} ms`);
    Atomics.wait(mem, FairMem.ready, v, left);
  }
}

/**
 * The bookkeeping of one critical section (the caller holds m): count it, and read the starvation flag at the
 * section's start (s0, before the work) and end (s1, read here).
 */
function account(m: Mutex, mem: Int32Array, s0: boolean, greedy: number): void {
  mem[FairMem.sections]!++;
  mem[FairMem.greedySections]! += greedy;
  const s1 = m.state.starving;
  if (s0 || s1) mem[FairMem.starvingSections]!++;
  if ((s1 && !s0) || (s0 && mem[FairMem.prevEnd] === 0)) mem[FairMem.entries]!++;
  mem[FairMem.prevEnd] = s1 ? 1 : 0;
}

export function runJob(job: FairJob): FairReply {
  const m = Mutex.attach(job.mutex);
  const mem = job.mem;
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  const inside = job.inside;
  const outside = job.outside;
  const sleepMs = job.sleepUs / 1000;
  const busyMs = job.busyUs / 1000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let locks = 0;
  let maxWaitNs = 0;
  barrier(mem, job.threads);
  const start = performance.now();
  const deadline = start + job.durationMs;
  let last = start;
  if (job.role === 'greedy') {
    // Unlock and lock again with nothing in between: the clock, the stop word and the wait's record are all
    // read inside the section.
    let t0 = performance.now();
    for (;;) {
      m.lock();
      const t1 = performance.now();
      const s0 = m.state.starving;
      busy(inside);
      if (busyMs > 0) while (performance.now() - t1 < busyMs);
      if (sleepMs > 0) Atomics.wait(nap, 0, 0, sleepMs);
      account(m, mem, s0, 1);
      const ns = (t1 - t0) * 1e6;
      h.recordValue(ns < 1 ? 1 : Math.round(ns));
      if (ns > maxWaitNs) maxWaitNs = ns;
      locks++;
      const t = performance.now();
      if (t >= deadline) Atomics.store(mem, FairMem.stop, 1);
      const stop = Atomics.load(mem, FairMem.stop) !== 0;
      last = t;
      t0 = performance.now();
      m.unlock();
      if (stop) break;
    }
  } else {
    while (Atomics.load(mem, FairMem.stop) === 0) {
      const t0 = performance.now();
      m.lock();
      const t1 = performance.now();
      const s0 = m.state.starving;
      busy(inside);
      account(m, mem, s0, 0);
      m.unlock();
      const ns = (t1 - t0) * 1e6;
      h.recordValue(ns < 1 ? 1 : Math.round(ns));
      if (ns > maxWaitNs) maxWaitNs = ns;
      locks++;
      busy(outside);
      if (sleepMs > 0) Atomics.wait(nap, 0, 0, sleepMs);
      last = performance.now();
      if (last >= deadline) Atomics.store(mem, FairMem.stop, 1);
    }
  }
  const hist = hdr.encodeIntoCompressedBase64(h);
  h.destroy();
  return { role: job.role, locks, elapsedMs: last - start, maxWaitNs, hist };
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (msg: { job?: FairJob; exit?: true }) => {
    if (msg.exit === true) {
      port.close();
      return;
    }
    try {
      port.postMessage({ ok: true, reply: runJob(msg.job!) });
    } catch (e) {
      port.postMessage({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  });
}
