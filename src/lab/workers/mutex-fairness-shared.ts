// What the mutex-fairness experiment (../experiments/mutex-fairness.ts) and its worker
// (mutex-fairness-worker.ts) agree on: the jobs, the replies, the words of a job's shared memory.

import type { MutexHandle } from '../../sync/mutex.js';

/** Words of a job's shared memory. */
export enum FairMem {
  /** Threads arrived at the barrier. */
  ready = 0,
  /** Set by the first thread past its deadline; everyone stops. */
  stop = 1,
  /** Critical sections run (in lock order). */
  sections = 2,
  /** Sections during which the mutex was seen in starvation mode (at their start or their end). */
  starvingSections = 3,
  /** Times starvation mode was seen to begin: set at a section's end but not its start, or set at a section's start but not at the previous one's end. */
  entries = 4,
  /** 1 when the previous section ended with the mutex in starvation mode. */
  prevEnd = 5,
  /** Sections run by the greedy thread. */
  greedySections = 6,
  /** The job's words. */
  words = 8,
}

/**
 * contend and waiter: lock, section, unlock, work and sleep outside (they differ only in their settings);
 * greedy: lock, section, unlock, lock again at once (its bookkeeping is done inside the section).
 */
export type FairRole = 'contend' | 'greedy' | 'waiter';

export interface FairJob {
  mutex: MutexHandle;
  mem: Int32Array;
  role: FairRole;
  /** Threads in the run (the barrier's count). */
  threads: number;
  durationMs: number;
  /** Busy-loop steps inside the critical section, and after unlock before the next lock. */
  inside: number;
  outside: number;
  /** The greedy thread: also spin on the clock inside its section until this many microseconds have passed. */
  busyUs: number;
  /** Then sleep this long (Atomics.wait), microseconds; 0: no sleep. The greedy thread sleeps inside its section, holding the mutex. */
  sleepUs: number;
}

export interface FairReply {
  role: FairRole;
  locks: number;
  /** From the barrier to this thread's last unlock. */
  elapsedMs: number;
  /** The longest single wait, ns (also in the histogram; kept exact). */
  maxWaitNs: number;
  /** hdr-histogram-js, compressed base64: every lock's wait in ns. */
  hist: string;
}

