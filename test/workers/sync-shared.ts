// What test/sync.test.ts, bench/sync.ts and their worker (sync-worker.ts) agree on: the jobs and the words of
// the scratch memory they share.

export type SyncJob =
  | { job: 'counter'; mutex: unknown | null; mem: Int32Array; iters: number; workers: number; spin: number }
  | { job: 'starve'; role: 'holder' | 'hammer'; mutex: unknown; mem: Int32Array; rounds: number; holdMs: number; workers: number }
  | { job: 'rw-pair'; rw: unknown; mem: Int32Array }
  | { job: 'rw-mix'; role: 'reader' | 'writer'; rw: unknown; mem: Int32Array; iters: number; workers: number }
  | { job: 'wg-done'; wg: unknown; mem: Int32Array; slot: number; delayMs: number }
  | { job: 'contend'; mutex: unknown; mem: Int32Array; iters: number; workers: number; work: number; workOut: number }
  | { job: 'puppet'; mutex?: unknown; rw?: unknown; wg?: unknown; mem: Int32Array };

/** Words of `mem` the jobs use. */
export enum Mem {
  counter = 0,
  ready = 1,
  stop = 2,
  seq = 3,
  violations = 4,
  inside = 5,
  readersInside = 6,
  writersInside = 7,
  dataA = 8,
  dataB = 9,
  /** The starvation log: one entry per critical section, 1 when mutexStarving was set in it. */
  log = 16,
}
export const logCapacity = 1 << 14;

