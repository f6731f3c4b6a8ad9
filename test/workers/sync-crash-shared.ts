// What test/sync-crash.test.ts, bench/sync.ts and their worker (sync-crash-worker.ts) agree on.

export type CrashJob =
  | { job: 'hold'; mutex?: unknown; rw?: unknown; mem: Int32Array; die: 'terminate' | 'exit' | 'throw' }
  | { job: 'wait'; mutex?: unknown; rw?: unknown; mem: Int32Array; holdMs: number }
  | { job: 'loop'; mutex: unknown; rw?: undefined; mem: Int32Array; id: number };

/** Words of mem. */
export enum C {
  holding = 0,
  counter = 1,
  stop = 2,
  inside = 3,
  violations = 4,
  /** The journal: active, counter before, who, who's count before. */
  logActive = 5,
  logCounter = 6,
  logWho = 7,
  logPer = 8,
  repairs = 9,
  started = 10,
  gate = 11,
  /** A half-done update for the 'hold' job: A written, B not. */
  dataA = 12,
  dataB = 13,
  /** Per-worker completed increments, by id. */
  per = 64,
}
export const crashMemWords = C.per + 1024;

