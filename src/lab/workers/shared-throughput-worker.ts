// Worker of shared-throughput (driver: shared-throughput-run.ts). A pooled thread: it waits for jobs
// (postMessage), runs each one and answers with what it measured.
//
// A job: attach the contestant's map (or take the port to the main thread's served Map), meet the other threads
// at a barrier, then run ops until the run's deadline (the first thread past its deadline raises the stop word,
// every thread checks it every 256 ops). An op: an index drawn uniformly at random over the keys (xorshift32),
// then get(keys[index]) with probability readShare, else set(keys[index], random int32), an update: every key is
// present. One op in sampleEvery is timed (performance.now() around it, ns, hdr-histogram-js).
//
// Shared maps run a synchronous loop; the served Map is an asynchronous request/response loop over the port (one
// op per message, or 64 for served-map-batched, whose latency is a whole message's round trip).

import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { attachHmap } from './shared-throughput-hmap.js';
import { attachShareable, attachSharedMap, loadShareable, loadSharedMap } from './shared-throughput-npm.js';
import { RunMem, batchSize, seedState } from './shared-throughput-shared.js';
import type { ServedRequest, ThroughputJob, ThroughputReply } from './shared-throughput-shared.js';

const barrierDeadlineMs = 30_000;

/** All `threads` arrive, then all go (with a deadline, so a lost thread fails the run instead of hanging it). */
function barrier(mem: Int32Array, threads: number): void {
  Atomics.add(mem, RunMem.ready, 1);
  Atomics.notify(mem, RunMem.ready);
  const end = performance.now() + barrierDeadlineMs;
  for (;;) {
    const v = Atomics.load(mem, RunMem.ready);
    if (v >= threads) return;
    const left = end - performance.now();
    if (left <= 0) throw new Error(`shared-throughput worker: ${v} of ${threads} threads at the barrier after ${barrierDeadlineMs} ms`);
    Atomics.wait(mem, RunMem.ready, v, left);
  }
}

/** [ns on a core, ns waiting in a run queue] of this thread so far (Linux), or [NaN, NaN]. */
function sched(): [number, number] {
  try {
    const f = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return [Number(f[0]), Number(f[1])];
  } catch {
    return [NaN, NaN];
  }
}

const newHist = (): hdr.Histogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });

/** A contestant as the loop sees it: ops by key index. get returns whether the key was found. */
interface Ops {
  get(i: number): boolean;
  set(i: number, v: number): void;
}

/** local-map: this worker's own Map of keys[i] -> i, kept from one job to the next while the keys are the same. */
let local: { n: number; first: number; last: number; m: Map<number, number> } | null = null;

function localMap(keys: Int32Array): Map<number, number> {
  const n = keys.length;
  if (local !== null && local.n === n && local.first === keys[0] && local.last === keys[n - 1]) return local.m;
  local = null;
  const m = new Map<number, number>();
  for (let i = 0; i < n; i++) m.set(keys[i]!, i);
  local = { n, first: keys[0]!, last: keys[n - 1]!, m };
  return m;
}

async function opsFor(job: ThroughputJob): Promise<Ops> {
  const keys = job.keys;
  switch (job.contestant) {
    case 'hmap':
    case 'hmap-none': {
      const m = attachHmap(job.handle);
      return { get: (i) => m.get(keys[i]!) !== undefined, set: (i, v) => void m.set(keys[i]!, v) };
    }
    case 'sharedmap': {
      const C = await loadSharedMap();
      if (typeof C === 'string') throw new Error(C);
      const m = attachSharedMap(C, job.handle);
      // sharedmap takes string keys only: String(k), made once here (before the barrier, not timed).
      const strs = Array.from(keys, String);
      return { get: (i) => m.get(strs[i]!) !== undefined, set: (i, v) => m.set(strs[i]!, v) };
    }
    case 'shareable-map': {
      const C = await loadShareable();
      if (typeof C === 'string') throw new Error(C);
      const m = attachShareable(C, job.handle);
      return {
        get: (i) => m.get(keys[i]!) !== undefined,
        set: () => {
          throw new Error('shareable-map does not support updates');
        },
      };
    }
    case 'local-map': {
      const m = localMap(keys);
      return { get: (i) => m.get(keys[i]!) !== undefined, set: (i, v) => void m.set(keys[i]!, v) };
    }
    default:
      throw new Error(`shared-throughput worker: ${job.contestant} is not a shared map`);
  }
}

/** What the loop over a shared map needs from this module (passed in: each contestant runs its own copy of it). */
interface LoopDeps {
  barrier(mem: Int32Array, threads: number): void;
  newHist(): hdr.Histogram;
  encode(h: hdr.Histogram): string;
  seedState(seed: number): number;
  /** RunMem.stop. */
  stopWord: number;
  sched(): [number, number];
}

/**
 * The synchronous loop over a shared map. It refers to nothing but its arguments and globals, so that each
 * contestant gets a fresh copy (loopFor): the pool's threads run every contestant in turn, and one shared copy's
 * call sites (ops.get, ops.set) would carry every earlier contestant's type feedback.
 */
export function runShared(job: ThroughputJob, ops: Ops, deps: LoopDeps): ThroughputReply {
  const n = job.keys.length;
  const mem = job.mem;
  const stopWord = deps.stopWord;
  const threshold = Math.floor(job.readShare * 4294967296);
  const every = Math.max(1, job.sampleEvery | 0);
  const h = deps.newHist();
  let s = deps.seedState(job.seed);
  let count = 0;
  let gets = 0;
  let hits = 0;
  let sets = 0;
  let maxNs = 0;
  let untilSample = every;
  deps.barrier(mem, job.threads);
  const s0 = deps.sched();
  const start = performance.now();
  const deadline = start + job.durationMs;
  let last = start;
  for (;;) {
    for (let j = 0; j < 256; j++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const i = ((s >>> 0) / 4294967296) * n | 0;
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const read = s >>> 0 < threshold;
      if (--untilSample === 0) {
        untilSample = every;
        const t0 = performance.now();
        if (read) {
          if (ops.get(i)) hits++;
        } else ops.set(i, s);
        const ns = (performance.now() - t0) * 1e6;
        h.recordValue(ns < 1 ? 1 : Math.round(ns));
        if (ns > maxNs) maxNs = ns;
      } else if (read) {
        if (ops.get(i)) hits++;
      } else ops.set(i, s);
      if (read) gets++;
      else sets++;
    }
    count += 256;
    last = performance.now();
    if (last >= deadline) Atomics.store(mem, stopWord, 1);
    if (Atomics.load(mem, stopWord) !== 0) break;
  }
  const s1 = deps.sched();
  const hist = deps.encode(h);
  h.destroy();
  return { ops: count, gets, hits, sets, elapsedMs: last - start, hist, maxNs, cpuMs: (s1[0] - s0[0]) / 1e6, runqueueMs: (s1[1] - s0[1]) / 1e6 };
}

const deps: LoopDeps = { barrier, newHist, encode: (h) => hdr.encodeIntoCompressedBase64(h), seedState, stopWord: RunMem.stop, sched };
const loops = new Map<string, typeof runShared>();

/** This contestant's own copy of runShared. */
function loopFor(contestant: string): typeof runShared {
  let f = loops.get(contestant);
  if (f === undefined) {
    f = new Function(`return ${String(runShared)}`)() as typeof runShared;
    loops.set(contestant, f);
  }
  return f;
}

/** The request/response loop against the main thread's Map: one op per message, or batchSize (batched). */
export function runServed(job: ThroughputJob, batched: boolean): Promise<ThroughputReply> {
  const port = job.port as MessagePort | undefined;
  if (port === undefined) return Promise.reject(new Error('shared-throughput worker: a served job without a port'));
  const keys = job.keys;
  const n = keys.length;
  const mem = job.mem;
  const threshold = Math.floor(job.readShare * 4294967296);
  const every = batched ? 1 : Math.max(1, job.sampleEvery | 0);
  const h = newHist();
  let s = seedState(job.seed);
  let count = 0;
  let gets = 0;
  let hits = 0;
  let sets = 0;
  let maxNs = 0;
  let untilSample = every;
  let pendingRead = false;
  let t0 = 0;
  let timed = false;
  let start = 0;
  let deadline = 0;
  let last = 0;
  // Batched requests: [op, key, value] * batchSize in one Int32Array (op 0 = get, 1 = set); the reply is a
  // Float64Array of the gets' values (NaN: not found; sets: 0).
  const batch = new Int32Array(3 * batchSize);
  const next = (): void => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
  };
  const send = (): void => {
    if (--untilSample === 0) {
      untilSample = every;
      timed = true;
      t0 = performance.now();
    } else timed = false;
    if (batched) {
      for (let j = 0; j < batchSize; j++) {
        next();
        const i = ((s >>> 0) / 4294967296) * n | 0;
        next();
        const read = s >>> 0 < threshold;
        batch[3 * j] = read ? 0 : 1;
        batch[3 * j + 1] = keys[i]!;
        batch[3 * j + 2] = s;
      }
      port.postMessage(batch);
    } else {
      next();
      const i = ((s >>> 0) / 4294967296) * n | 0;
      next();
      pendingRead = s >>> 0 < threshold;
      const req: ServedRequest = [pendingRead ? 0 : 1, keys[i]!, s];
      port.postMessage(req);
    }
  };
  return new Promise((resolve, reject) => {
    let s0: [number, number] = [NaN, NaN];
    const finish = (): void => {
      const s1 = sched();
      port.off('message', onReply);
      port.close();
      const hist = hdr.encodeIntoCompressedBase64(h);
      h.destroy();
      resolve({ ops: count, gets, hits, sets, elapsedMs: last - start, hist, maxNs, cpuMs: (s1[0] - s0[0]) / 1e6, runqueueMs: (s1[1] - s0[1]) / 1e6 });
    };
    const onReply = (res: unknown): void => {
      const t = performance.now();
      if (timed) {
        const ns = (t - t0) * 1e6;
        h.recordValue(ns < 1 ? 1 : Math.round(ns));
        if (ns > maxNs) maxNs = ns;
      }
      if (batched) {
        const values = res as Float64Array;
        for (let j = 0; j < batchSize; j++) {
          if (batch[3 * j] === 0) {
            gets++;
            if (!Number.isNaN(values[j]!)) hits++;
          } else sets++;
        }
        count += batchSize;
      } else {
        if (pendingRead) {
          gets++;
          if (res !== undefined) hits++;
        } else sets++;
        count++;
      }
      last = t;
      if (t >= deadline) Atomics.store(mem, RunMem.stop, 1);
      if (Atomics.load(mem, RunMem.stop) !== 0) finish();
      else send();
    };
    try {
      port.on('message', onReply);
      barrier(mem, job.threads);
      s0 = sched();
      start = performance.now();
      deadline = start + job.durationMs;
      last = start;
      send();
    } catch (e) {
      reject(e);
    }
  });
}

export async function runJob(job: ThroughputJob): Promise<ThroughputReply> {
  if (job.contestant !== 'local-map') local = null;
  if (job.contestant === 'served-map' || job.contestant === 'served-map-batched') return runServed(job, job.contestant === 'served-map-batched');
  const ops = await opsFor(job);
  return loopFor(job.contestant)(job, ops, deps);
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (msg: { job?: ThroughputJob; exit?: true }) => {
    if (msg.exit === true) {
      port.close();
      return;
    }
    runJob(msg.job!).then(
      (reply) => port.postMessage({ ok: true, reply }),
      (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
    );
  });
}
