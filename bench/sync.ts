// node build/bench/sync.js [--iters N] [--work N] [--work-out N] [--workers N]: the sync primitives' costs.
//
//   uncontended   lock()+unlock() and tryLock()+unlock() in one thread, ns per pair; lockAsync()+unlock()
//   contended     `workers` threads (default 2) each doing `iters` rounds of lock, `work` loop steps, unlock,
//                 `work-out` steps (default: as many as inside): total locks/s, and each lock()'s wait in
//                 microseconds (p50, p99, p99.9, max, hdr-histogram-js), with starvation mode (Go's default) and
//                 with { starvation: false }. --work-out 0 is the case starvation mode exists for: the holder
//                 takes the lock again at once, ahead of a waiter that is still waking up.
//   holder        one thread holds the lock 2 ms at a time (asleep) and takes it again at once, 100 times; two
//                 threads lock and unlock meanwhile: their longest wait, with and without starvation mode
//
// Numbers depend heavily on the machine (cores, other load); say which when quoting them.

import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { Mutex, ThreadRegistry } from '../src/sync/index.js';
import { C, crashMemWords } from '../test/workers/sync-crash-shared.js';
import type { CrashJob } from '../test/workers/sync-crash-shared.js';
import { logCapacity, Mem } from '../test/workers/sync-shared.js';
import type { SyncJob } from '../test/workers/sync-shared.js';

export interface SyncBenchOptions {
  iters: number;
  work: number;
  workOut: number;
  workers: number;
}

export interface ContendedRow {
  starvation: boolean;
  workers: number;
  locksPerSec: number;
  p50us: number;
  p99us: number;
  p999us: number;
  maxUs: number;
  /** Locks that waited at all (> 1 us). */
  waitedShare: number;
}

export interface HolderRow {
  starvation: boolean;
  /** Critical sections in the run, and how many ran in starvation mode. */
  sections: number;
  starvingSections: number;
  /** The two other threads' longest lock() wait, ms. */
  maxWaitMs: number[];
  runMs: number;
}

export interface SyncBenchResult {
  cpus: number;
  lockUnlockNs: number;
  tryLockUnlockNs: number;
  lockAsyncUnlockNs: number;
  /** lock()+unlock() of a registry-bound mutex (crash recovery on), ns per pair. */
  registryLockUnlockNs: number;
  /** A holder terminated with 2 waiters queued (checkMs 100): ms from terminate() to each getting in. */
  recovery: { terminateMs: number; firstMs: number; secondMs: number }[];
  contended: ContendedRow[];
  holder: HolderRow[];
}

const workerUrl = new URL('../test/workers/sync-worker.js', import.meta.url);
const crashUrl = new URL('../test/workers/sync-crash-worker.js', import.meta.url);

async function recovery(): Promise<{ terminateMs: number; firstMs: number; secondMs: number }> {
  const reg = new ThreadRegistry();
  const m = new Mutex({ registry: reg, checkMs: 100 });
  const mem = new Int32Array(new SharedArrayBuffer(crashMemWords * 4));
  const spawn = (d: CrashJob): Worker => reg.watch(new Worker(crashUrl, { workerData: d }));
  const holder = spawn({ job: 'hold', mutex: m.share(), mem, die: 'terminate' });
  while (Atomics.load(mem, C.holding) === 0) await new Promise((r) => setTimeout(r, 1));
  const ws = [0, 1].map(() => spawn({ job: 'wait', mutex: m.share(), mem, holdMs: 0 }));
  const got = ws.map((w) => new Promise<{ at: number }>((resolve) => w.once('message', resolve)));
  while (m.state.waiters < 2) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, Math.random() * 100)); // anywhere in the waiters' check period
  const t0 = performance.timeOrigin + performance.now();
  await holder.terminate();
  const terminateMs = performance.timeOrigin + performance.now() - t0;
  const at = (await Promise.all(got)).map((r) => r.at - t0).sort((a, b) => a - b);
  return { terminateMs, firstMs: at[0]!, secondMs: at[1]! };
}

function nsPer(n: number, f: () => void): number {
  f(); // warm up
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < 5; r++) f();
  return Number(process.hrtime.bigint() - t0) / (5 * n);
}

async function contended(starvation: boolean, o: SyncBenchOptions): Promise<ContendedRow> {
  const m = new Mutex({ starvation });
  const mem = new Int32Array(new SharedArrayBuffer(64 * 4));
  const runs = Array.from(
    { length: o.workers },
    () =>
      new Promise<{ ms: number; waits: Float64Array }>((resolve, reject) => {
        const data: SyncJob = { job: 'contend', mutex: m.share(), mem, iters: o.iters, workers: o.workers, work: o.work, workOut: o.workOut };
        const w = new Worker(workerUrl, { workerData: data });
        w.once('message', (r: { ms: number; waits: Float64Array }) => {
          w.postMessage('bye');
          resolve(r);
        });
        w.once('error', reject);
      }),
  );
  const results = await Promise.all(runs);
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e9, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  let waited = 0;
  let n = 0;
  for (const r of results) {
    for (const us of r.waits) {
      h.recordValue(Math.max(1, Math.round(us)));
      if (us > 1) waited++;
      n++;
    }
  }
  const ms = Math.max(...results.map((r) => r.ms));
  if (Atomics.load(mem, Mem.ready) !== o.workers || m.state.word !== 0) throw new Error('bench: mutex not idle after the run');
  return {
    starvation,
    workers: o.workers,
    locksPerSec: n / (ms / 1000),
    p50us: h.getValueAtPercentile(50),
    p99us: h.getValueAtPercentile(99),
    p999us: h.getValueAtPercentile(99.9),
    maxUs: h.maxValue,
    waitedShare: waited / n,
  };
}

async function holder(starvation: boolean): Promise<HolderRow> {
  const m = new Mutex({ starvation });
  const mem = new Int32Array(new SharedArrayBuffer((Mem.log + logCapacity) * 4));
  const run = (role: 'holder' | 'hammer'): Promise<{ acquisitions: number; maxWaitMs: number }> =>
    new Promise((resolve, reject) => {
      const data: SyncJob = { job: 'starve', role, mutex: m.share(), mem, rounds: 100, holdMs: 2, workers: 3 };
      const w = new Worker(workerUrl, { workerData: data });
      w.once('message', (r: { acquisitions: number; maxWaitMs: number }) => {
        w.postMessage('bye');
        resolve(r);
      });
      w.once('error', reject);
    });
  const t0 = performance.now();
  const r = await Promise.all([run('holder'), run('hammer'), run('hammer')]);
  const runMs = performance.now() - t0;
  const n = Math.min(mem[Mem.seq]!, logCapacity);
  let starving = 0;
  for (let i = 0; i < n; i++) starving += mem[Mem.log + i]!;
  return { starvation, sections: mem[Mem.seq]!, starvingSections: starving, maxWaitMs: [r[1].maxWaitMs, r[2].maxWaitMs], runMs };
}

export async function benchSync(o: SyncBenchOptions = { iters: 200_000, work: 50, workOut: 50, workers: 2 }): Promise<SyncBenchResult> {
  const m = new Mutex();
  const n = 1_000_000;
  const lockUnlockNs = nsPer(n, () => {
    for (let i = 0; i < n; i++) {
      m.lock();
      m.unlock();
    }
  });
  const rm = new Mutex({ registry: new ThreadRegistry() });
  const registryLockUnlockNs = nsPer(n, () => {
    for (let i = 0; i < n; i++) {
      rm.lock();
      rm.unlock();
    }
  });
  const tryLockUnlockNs = nsPer(n, () => {
    for (let i = 0; i < n; i++) {
      if (m.tryLock()) m.unlock();
    }
  });
  const na = 100_000;
  await m.lockAsync();
  m.unlock();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < na; i++) {
    await m.lockAsync();
    m.unlock();
  }
  const lockAsyncUnlockNs = Number(process.hrtime.bigint() - t0) / na;
  const rec = [];
  for (let i = 0; i < 5; i++) rec.push(await recovery());
  const rows: ContendedRow[] = [];
  for (const starvation of [true, false, true, false]) rows.push(await contended(starvation, o));
  const holders: HolderRow[] = [];
  for (const starvation of [true, false, true, false]) holders.push(await holder(starvation));
  return { cpus: availableParallelism(), lockUnlockNs, tryLockUnlockNs, lockAsyncUnlockNs, registryLockUnlockNs, recovery: rec, contended: rows, holder: holders };
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const work = arg('work', 50);
  const o = { iters: arg('iters', 200_000), work, workOut: arg('work-out', work), workers: arg('workers', 2) };
  const r = await benchSync(o);
  console.log(`sync bench, ${r.cpus} CPUs, node ${process.version}`);
  console.log(`uncontended: lock+unlock ${r.lockUnlockNs.toFixed(1)} ns, tryLock+unlock ${r.tryLockUnlockNs.toFixed(1)} ns, await lockAsync+unlock ${r.lockAsyncUnlockNs.toFixed(1)} ns`);
  console.log(`uncontended, registry-bound (crash recovery on): lock+unlock ${r.registryLockUnlockNs.toFixed(1)} ns`);
  console.log('recovery: a holder terminated with 2 waiters queued (checkMs 100), ms from terminate() to the waiters getting in');
  console.table(r.recovery.map((x) => ({ 'terminate() ms': +x.terminateMs.toFixed(1), 'first in ms': +x.firstMs.toFixed(1), 'second in ms': +x.secondMs.toFixed(1) })));
  console.log(`contended: ${o.workers} workers x ${o.iters} locks, ${o.work} loop steps inside the lock, ${o.workOut} outside`);
  console.table(
    r.contended.map((c) => ({
      starvation: c.starvation,
      'locks/s': Math.round(c.locksPerSec),
      'waited %': +(100 * c.waitedShare).toFixed(1),
      'p50 us': c.p50us,
      'p99 us': c.p99us,
      'p99.9 us': c.p999us,
      'max us': c.maxUs,
    })),
  );  console.log('holder: one thread holds the lock 2 ms, 100 times, retaking it at once; two threads lock/unlock meanwhile');
  console.table(
    r.holder.map((h) => ({
      starvation: h.starvation,
      'critical sections': h.sections,
      'in starvation mode': h.starvingSections,
      'others max wait ms': h.maxWaitMs.map((x) => x.toFixed(1)).join(', '),
      'run ms': Math.round(h.runMs),
    })),
  );
}
