// What the shared-throughput driver (shared-throughput-run.ts, used by the lab experiment
// ../experiments/shared-throughput.ts and by bench/shared.ts) and its worker (shared-throughput-worker.ts) agree
// on: the contestants, the mixes, the jobs, the replies, the words of a run's shared memory.

import type { MessagePort } from 'node:worker_threads';

/**
 * The maps measured:
 *   hmap                 hmap's shared HashMap ({ shared: true }, concurrency 'locked', the default)
 *   hmap-none            the same with concurrency 'none' (one writer at a time): 1 worker, or 2 on the read-only mix
 *   served-map           a Map in the main thread, served to the workers by postMessage, one request/response per op
 *   served-map-batched   the same Map, 64 ops per request message (a reference: callers rarely batch like this)
 *   sharedmap            npm `sharedmap` (SharedArrayBuffer, string keys: String(k); values stored as strings)
 *   shareable-map        npm `shared-memory-datastructures` ShareableMap (SharedArrayBuffer; no updates, deletes or
 *                        locks: read-only mix only)
 *   local-map            a reference, not a shared map: each worker its own private Map of the same keys (no
 *                        sharing, no locks: what the machine's cores and memory allow 2 threads on this workload)
 */
export type ContestantName = 'hmap' | 'hmap-none' | 'served-map' | 'served-map-batched' | 'sharedmap' | 'shareable-map' | 'local-map';

export const contestantNames: readonly ContestantName[] = ['hmap', 'hmap-none', 'served-map', 'served-map-batched', 'sharedmap', 'shareable-map', 'local-map'];

export const contestantLabels: Record<ContestantName, string> = {
  hmap: "hmap shared (concurrency 'locked')",
  'hmap-none': "hmap shared (concurrency 'none')",
  'served-map': 'Map served by postMessage (1 op/message)',
  'served-map-batched': 'Map served by postMessage (64 ops/message)',
  sharedmap: 'npm sharedmap (string keys)',
  'shareable-map': 'npm shared-memory-datastructures',
  'local-map': 'reference: a private Map in each worker (not shared)',
};

/** Read-only (100% get, the only mix every contestant supports), read-heavy (90% get / 10% set), write-heavy (50/50). */
export type Mix = 'read-only' | 'read-heavy' | 'write-heavy';

export const mixNames: readonly Mix[] = ['read-heavy', 'write-heavy', 'read-only'];

/** The share of gets in each mix; the rest are set(k, v) of a present key (an update). */
export const readShare: Record<Mix, number> = { 'read-only': 1, 'read-heavy': 0.9, 'write-heavy': 0.5 };

export const mixLabels: Record<Mix, string> = {
  'read-only': 'read-only (100% get)',
  'read-heavy': 'read-heavy (90% get / 10% set)',
  'write-heavy': 'write-heavy (50% get / 50% set)',
};

/** Ops per request message of served-map-batched. */
export const batchSize = 64;

/** Words of a run's shared memory. */
export enum RunMem {
  /** Threads arrived at the barrier. */
  ready = 0,
  /** Set by the first thread past its deadline; everyone stops. */
  stop = 1,
  words = 4,
}

export interface ThroughputJob {
  contestant: ContestantName;
  /** What the worker attaches to: the map's handle (hmap), the map object (sharedmap), its buffers (shareable-map). */
  handle: unknown;
  /** The map's keys (over a SharedArrayBuffer): every key is present; ops pick an index uniformly at random. */
  keys: Int32Array;
  mem: Int32Array;
  threads: number;
  /** Share of gets, 0..1. */
  readShare: number;
  durationMs: number;
  /** Time one op in this many (the others run untimed); served-map-batched times every message. */
  sampleEvery: number;
  seed: number;
  /** served-map and served-map-batched: this worker's end of the channel to the main thread's server. */
  port?: MessagePort;
}

export interface ThroughputReply {
  ops: number;
  gets: number;
  /** Gets that found their key (every key is present: hits must equal gets). */
  hits: number;
  sets: number;
  /** From the barrier to this thread's last op. */
  elapsedMs: number;
  /** hdr-histogram-js, compressed base64: sampled latencies in ns (served-map-batched: a message's round trip). */
  hist: string;
  /** The longest sampled latency, ns (exact). */
  maxNs: number;
  /**
   * This thread's time on a core and waiting for one (in a run queue) during the run, ms, from Linux's
   * /proc/thread-self/schedstat (NaN elsewhere): a shared machine's other load shows up as run-queue time.
   */
  cpuMs: number;
  runqueueMs: number;
}

/** A request of served-map: [op, key, value] with op 0 = get, 1 = set. */
export type ServedRequest = [number, number, number];

/** 32-bit xorshift state from a seed (never 0). */
export function seedState(seed: number): number {
  const s = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0x2545f491;
  return s === 0 ? 1 : s;
}
