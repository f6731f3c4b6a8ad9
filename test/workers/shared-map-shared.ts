// What test/shared-map.test.ts, test/shared-workers.test.ts and their worker (shared-map-worker.ts) agree on:
// the shared map's API as the tests see it, the jobs, the self-checking value encodings and the layout of the
// progress words a worker keeps in a shared Int32Array.

import { HashMap } from '../../src/index.js';
import type { SharedHashMap } from '../../src/index.js';

export { ConcurrentWriteError } from '../../src/index.js';

// ---------------------------------------------------------------------------------------------------------------
// The shared map's API (issue 5), as the tests use it.

export type NumericKind = 'int32' | 'uint32' | 'float64' | 'bigint64';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SharedMap = SharedHashMap<any, any>;

/** HashMap.attach, for a handle of any type (the tests also pass non-handles). */
export function attach(handle: unknown): SharedMap {
  return HashMap.attach(handle as Parameters<typeof HashMap.attach>[0]);
}

export const concurrentWritesMessage = 'hmap: concurrent map writes';

// ---------------------------------------------------------------------------------------------------------------
// Self-checking values: a value carries its key (16 bits of it), its version and a mix of both, so a torn read
// (halves of two writes), a value read from another key's slot or a made-up value is caught.

/** 32-bit mix of key and version. */
export function mix(key: number, version: number): number {
  let x = Math.imul(key ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(version + 0x632be5ab, 0xc2b2ae35);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return x >>> 0;
}

/** High word: version (14 bits: no NaN or infinity as a double, positive as an int64) and the key's low 16 bits. */
function hiWord(key: number, version: number): number {
  return ((version & 0x3fff) << 16) | (key & 0xffff);
}

export function encodeBig(key: number, version: number): bigint {
  return (BigInt(hiWord(key, version)) << 32n) | BigInt(mix(key, version));
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function encodeF64(key: number, version: number): number {
  u32[0] = mix(key, version); // little-endian: [0] is the low word
  u32[1] = hiWord(key, version);
  return f64[0]!;
}

/** The version a value encodes for key, or -1 if it is not a value written for key (torn, foreign, garbage). */
export function decode(key: number, v: unknown): number {
  let hi: number;
  let lo: number;
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 1n << 63n) return -1;
    hi = Number(v >> 32n);
    lo = Number(v & 0xffffffffn);
  } else if (typeof v === 'number') {
    f64[0] = v;
    lo = u32[0]!;
    hi = u32[1]!;
  } else return -1;
  if ((hi & 0xffff) !== (key & 0xffff) || hi >>> 30 !== 0) return -1;
  const version = hi >>> 16;
  return mix(key, version) === lo ? version : -1;
}

export function encode(kind: 'bigint64' | 'float64', key: number, version: number): bigint | number {
  return kind === 'bigint64' ? encodeBig(key, version) : encodeF64(key, version);
}

// ---------------------------------------------------------------------------------------------------------------
// The writers-and-readers schedule: writer w owns the keys k in [0, keys) with k % writers === w; in round r it
// takes the keys below roundLimit(r), which doubles every round (so the table doubles every round, while the
// readers read), and deletes k if gone(k, r), else writes version r (with set, update or getOrInsert). The
// last round takes every key: the final contents follow from the schedule alone.

/** Round r's keys are those below this; the last round's limit is `keys`. */
export function roundLimit(keys: number, rounds: number, r: number): number {
  return Math.max(64, Math.floor(keys / 2 ** (rounds - 1 - r)));
}

/** The version key k has after round r (-1: absent), or -1 before round 0. */
export function versionAfter(k: number, keys: number, rounds: number, r: number): number {
  if (r < 0 || k >= roundLimit(keys, rounds, r)) return -1; // limits grow: below round r's, in every later one
  return gone(k, r) ? -1 : r;
}

export function gone(key: number, round: number): boolean {
  return mix(key, round + 1000) % 5 === 0;
}

/** The version of key after `rounds` rounds, or -1 for absent. */
export function finalVersion(key: number, rounds: number): number {
  const r = rounds - 1;
  return gone(key, r) ? -1 : r;
}

// ---------------------------------------------------------------------------------------------------------------
// Control words (an Int32Array over a SharedArrayBuffer) common to the jobs.

export const enum Ctl {
  /** Set by the test: stop looping. */
  stop = 0,
  /** Workers that have attached and are about to start. */
  ready = 1,
  /** Set by the test to release the workers together. */
  go = 2,
  /** ConcurrentWriteErrors caught (job 'none'). */
  detected = 3,
  /** Writers done (job 'write'). */
  writersDone = 4,
  words = 16,
}

// Crash job: per worker id, a record of `crashStride` words after Ctl.words.
export const crashCounters = 16;
export const crashOwnKeys = 48;
export const enum Rec {
  /** The operation in flight: 0 none, 1 increment, 2 set, 3 delete. */
  kind = 0,
  /** Its key index (counter index or own key index). */
  key = 1,
  /** For set: the value. */
  value = 2,
  /** The worker is running its loop. */
  started = 3,
  /** Increments acknowledged, per counter. */
  acked = 4,
  /** Per own key: the last acknowledged value + 1, 0 for absent. */
  own = acked + crashCounters,
}
export const crashStride = Rec.own + crashOwnKeys;
export const crashMaxWorkers = 96;
export const crashWords = Ctl.words + crashStride * crashMaxWorkers;

/** Chaos job: keys in [chaosBase, chaosBase + chaosKeys). */
export const chaosBase = 10_000;
export const chaosKeys = 3000;

export function crashRecord(id: number): number {
  return Ctl.words + id * crashStride;
}

/** The key of worker id's own key j (counters are keys 0..crashCounters-1). */
export function ownKey(id: number, j: number): number {
  return 1_000_000 + id * 1000 + j;
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs.

export type Job =
  | { job: 'count'; handle: unknown; ctl: Int32Array; id: number; ops: number; keys: number; big: boolean; seed: number; mixed?: boolean }
  | { job: 'write'; handle: unknown; ctl: Int32Array; id: number; writers: number; keys: number; rounds: number; vkind: 'bigint64' | 'float64' }
  | { job: 'read'; handle: unknown; ctl: Int32Array; id: number; keys: number; writers: number; vkind: 'bigint64' | 'float64'; seed: number }
  | { job: 'none'; handle: unknown; ctl: Int32Array; id: number; keys: number; ms: number; detections: number }
  | { job: 'crash'; handle: unknown; ctl: Int32Array; id: number; seed: number }
  | { job: 'chaos'; handle: unknown; ctl: Int32Array; id: number; seed: number }
  | { job: 'inspect'; handle: unknown };

export interface CountResult {
  /** Per key, the sum of this worker's increments. */
  sums: number[];
  growing: number;
}
export interface ReadResult {
  gets: number;
  iterations: number;
  /** Reads done before every writer had finished. */
  getsWhileWriting: number;
  itersWhileWriting: number;
  entriesSeen: number;
  errors: string[];
}
export interface NoneResult {
  writes: number;
  detected: number;
  /** Errors other than ConcurrentWriteError, or a ConcurrentWriteError with the wrong message. */
  other: string[];
  /** The writer's keys and values after the writes that returned. */
  model: Array<[number, number]>;
}
export interface InspectResult {
  size: number;
  entries: Array<[unknown, unknown]>;
  verifyError: string | null;
}

/** xorshift32 in [0, n). */
export function rng(seed: number): (n: number) => number {
  let x = seed | 0 || 1;
  return (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}
