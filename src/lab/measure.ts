// Measurement helpers shared by the experiments: keys, garbage collection, latency histograms, timing and
// formatting. Nothing here is on hmap's own code paths.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as hdr from 'hdr-histogram-js';
import { fmix32 } from '../hash.js';

/**
 * A full garbage collection. Works without `node --expose-gc`: the flag is set at run time and `gc` is taken
 * from a fresh context, so `hmap lab` runs as a plain bin.
 */
export const gc: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** n distinct pseudo-random int32 keys: fmix32 is a bijection on 32 bits, so distinct inputs give distinct keys. */
export function makeKeys(n: number, salt: number, from = 0): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = fmix32((from + i) ^ salt) | 0;
  return a;
}

/** A small seeded PRNG (mulberry32): floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fresh copy of a function, so that each implementation measured gets its own call sites (and V8 its own
 * type feedback) instead of one polymorphic loop whose cost lands on whoever runs second.
 */
export function fresh<F extends (...args: never[]) => unknown>(f: F): F {
  return new Function(`return ${String(f)}`)() as F;
}

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** A latency histogram in nanoseconds (hdr-histogram-js, 3 significant digits, up to 100 s). */
export class Latency {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 1e11,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

  /** Records one duration given in milliseconds (performance.now() differences). */
  recordMs(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1e6)));
  }

  recordNs(ns: number): void {
    this.h.recordValue(Math.max(1, Math.round(ns)));
  }

  percentiles(): Percentiles {
    const h = this.h;
    return {
      count: h.totalCount,
      p50: h.getValueAtPercentile(50),
      p99: h.getValueAtPercentile(99),
      p999: h.getValueAtPercentile(99.9),
      max: h.maxValue,
      mean: h.mean,
    };
  }

  /** Frees the histogram. */
  destroy(): void {
    this.h.destroy();
  }
}

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export const now: () => number = performance.now.bind(performance);

/** Runs fn once and returns its duration in nanoseconds. */
export function timeNs(fn: () => void): number {
  const t0 = now();
  fn();
  return (now() - t0) * 1e6;
}

/** Median of a list of numbers (the list is sorted in place). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  xs.sort((a, b) => a - b);
  const m = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
}

/** Bytes of GC heap that building a structure keeps alive, per entry (full collections before and after). */
export function heapBytesPerEntry(n: number, build: () => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = build();
  gc();
  const after = process.memoryUsage().heapUsed;
  keepAlive(kept);
  return (after - before) / n;
}

/** The value last passed to keepAlive (held until the next call). */
export let lastKept: unknown;
/** Keeps a value reachable until here, so a measurement cannot be optimized away or collected early. */
export function keepAlive(x: unknown): void {
  lastKept = x;
}

export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} us` : `${Math.round(ns)} ns`;
}

export function fmtRate(opsPerSec: number): string {
  return opsPerSec >= 1e6 ? `${(opsPerSec / 1e6).toFixed(2)}M/s` : `${(opsPerSec / 1e3).toFixed(1)}K/s`;
}

/** 1e6 -> "1e6", 2500000 -> "2.5e6", 300 -> "300". */
export function fmtN(n: number): string {
  if (n < 1e4) return String(n);
  const e = Math.floor(Math.log10(n));
  const m = n / 10 ** e;
  return `${Number(m.toFixed(2))}e${e}`;
}

/** Rounds to a few significant digits for JSON and tables. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}

/**
 * Finishes a growth in progress by documented means (README: every `delete` while the map grows moves the old
 * chain it touches plus one more): deletes of a key that is absent, until the old array is dropped. Leaves the
 * entries unchanged. For maps with number keys; returns the number of deletes it took (0 when not growing).
 */
export function finishGrowth(m: {
  readonly _h: { oldbuckets: unknown };
  has(key: number): boolean;
  delete(key: number): boolean;
}): number {
  if (m._h.oldbuckets === null) return 0;
  let absent = 0x7fffffff;
  while (m.has(absent)) absent--;
  let n = 0;
  while (m._h.oldbuckets !== null) {
    if (m.delete(absent)) throw new Error('finishGrowth: the absent key was present');
    n++;
  }
  return n;
}
