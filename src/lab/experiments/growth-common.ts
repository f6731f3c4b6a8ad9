// Shared by the growth experiments (growth-pauses, growth-work, presize): the per-operation timed insert loop,
// timeline downsampling for charts, percentiles of recorded latencies, a log of V8 garbage collections (to say
// which slow operations a collection overlapped), and a read-only census of the tables a fill allocates.
//
// Latencies are recorded per operation into a Float64Array (milliseconds, performance.now() differences) and only
// turned into histograms after the loop, so the timed loop does no work besides the set() and two clock reads.

import { PerformanceObserver } from 'node:perf_hooks';
import type { Series } from '../types.js';
import { Latency, type Percentiles } from '../measure.js';

/** Anything with Map's set (HashMap or Map with number keys and values). */
export interface Settable {
  set(key: number, value: number): unknown;
}

/**
 * Inserts keys[from..to) with value = index, timing each set() on its own: out[i] gets its duration and starts[i]
 * its start, both in milliseconds from `clock` (performance.now). Pass it through fresh() once per implementation:
 * it refers to nothing outside its parameters, so each copy gets its own type feedback.
 */
export function timedFill(
  m: Settable,
  keys: Int32Array,
  from: number,
  to: number,
  out: Float64Array,
  starts: Float64Array,
  clock: () => number,
): void {
  for (let i = from; i < to; i++) {
    const k = keys[i]!;
    const t0 = clock();
    m.set(k, i);
    const t1 = clock();
    starts[i] = t0;
    out[i] = t1 - t0;
  }
}

/** Inserts keys[from..to) with value = index, untimed (for total-time measurements; pass through fresh()). */
export function plainFill(m: Settable, keys: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) m.set(keys[i]!, i);
}

function windowSize(n: number, maxWindows: number): number {
  if (!(maxWindows >= 1)) throw new RangeError(`downsample: maxPoints must be >= 1 (got ${maxWindows})`);
  return Math.max(1, Math.ceil(n / Math.floor(maxWindows)));
}

/**
 * Per-window maximum, for latency timelines: splits ys[from..to) into at most maxPoints windows of equal length
 * and returns, for each window, the point [x0 + i, ys[i] * scale] of its largest value (the first one on ties), so
 * every spike keeps its exact position and height. Points are in increasing x. Short inputs come back whole.
 */
export function windowMax(
  ys: ArrayLike<number>,
  maxPoints: number,
  opts: { from?: number; to?: number; x0?: number; scale?: number } = {},
): Array<[number, number]> {
  const from = opts.from ?? 0;
  const to = opts.to ?? ys.length;
  const x0 = opts.x0 ?? 0;
  const scale = opts.scale ?? 1;
  const w = windowSize(to - from, maxPoints);
  const out: Array<[number, number]> = [];
  for (let s = from; s < to; s += w) {
    const e = Math.min(to, s + w);
    let bi = s;
    for (let i = s + 1; i < e; i++) if (ys[i]! > ys[bi]!) bi = i;
    out.push([x0 + bi - from, ys[bi]! * scale]);
  }
  return out;
}

/**
 * Per-window minimum and maximum, for step-like timelines (bytes held, counters): splits ys[from..to) into
 * windows so that at most maxPoints points come out, and returns each window's minimum and maximum in index order
 * (one point when they are equal in value), so both peaks and drops survive. Points are in increasing x; the
 * first and last values of the range are always kept.
 */
export function windowMinMax(
  ys: ArrayLike<number>,
  maxPoints: number,
  opts: { from?: number; to?: number; x0?: number; scale?: number } = {},
): Array<[number, number]> {
  const from = opts.from ?? 0;
  const to = opts.to ?? ys.length;
  const x0 = opts.x0 ?? 0;
  const scale = opts.scale ?? 1;
  if (!(maxPoints >= 4)) throw new RangeError(`downsample: windowMinMax needs maxPoints >= 4 (got ${maxPoints})`);
  if (to - from <= maxPoints) {
    const out: Array<[number, number]> = [];
    for (let i = from; i < to; i++) out.push([x0 + i - from, ys[i]! * scale]);
    return out;
  }
  // Two points per window, plus the first and last values: 2 * windows + 2 <= maxPoints.
  const windows = Math.floor((maxPoints - 2) / 2);
  const w = windowSize(to - from, windows);
  const out: Array<[number, number]> = [];
  const push = (i: number): void => {
    const last = out[out.length - 1];
    if (last === undefined || last[0] < x0 + i - from) out.push([x0 + i - from, ys[i]! * scale]);
  };
  push(from);
  for (let s = from; s < to; s += w) {
    const e = Math.min(to, s + w);
    let lo = s;
    let hi = s;
    for (let i = s + 1; i < e; i++) {
      if (ys[i]! < ys[lo]!) lo = i;
      if (ys[i]! > ys[hi]!) hi = i;
    }
    if (ys[lo] === ys[hi]) push(s);
    else if (lo < hi) {
      push(lo);
      push(hi);
    } else {
      push(hi);
      push(lo);
    }
  }
  push(to - 1);
  return out;
}

/** A series of per-window max latencies in microseconds from per-op milliseconds, floored at 1 ns for log axes. */
export function latencySeries(label: string, ms: Float64Array, maxPoints: number, opts: { from?: number; to?: number; x0?: number } = {}): Series {
  return { label, points: windowMax(ms, maxPoints, { ...opts, scale: 1e3 }).map(([x, y]) => [x, Math.max(y, 1e-3)]) };
}

/**
 * The k-th slowest latency for k = 1, 2, 5, 10, 20, 50, ... up to the number of ops: points [k, microseconds],
 * for a log-log tail chart. `ms` is not modified.
 */
export function tailSeries(label: string, ms: Float64Array, from = 0, to = ms.length): Series {
  const sorted = ms.slice(from, to).sort();
  const n = sorted.length;
  const points: Array<[number, number]> = [];
  for (let d = 1; d <= n; d *= 10) {
    for (const f of [1, 2, 5]) {
      const k = d * f;
      if (k > n) break;
      points.push([k, Math.max(sorted[n - k]! * 1e3, 1e-3)]);
    }
  }
  return { label, points };
}

/** Percentiles (nanoseconds, hdr-histogram, 3 significant digits) of the per-op milliseconds ms[i] where keep(i). */
export function percentilesOf(ms: Float64Array, from = 0, to = ms.length, keep?: (i: number) => boolean): Percentiles {
  const h = new Latency();
  try {
    for (let i = from; i < to; i++) if (keep === undefined || keep(i)) h.recordMs(ms[i]!);
    return h.percentiles();
  } finally {
    h.destroy();
  }
}

/** Indexes of the k largest values of ms[from..to), largest first (the earlier index first on ties). */
export function slowest(ms: Float64Array, k: number, from = 0, to = ms.length): number[] {
  const top: number[] = [];
  if (k <= 0) return top;
  for (let i = from; i < to; i++) {
    const v = ms[i]!;
    if (top.length === k) {
      if (v <= ms[top[k - 1]!]!) continue;
      top.pop();
    }
    let j = top.length;
    top.push(i);
    while (j > 0 && ms[top[j - 1]!]! < v) {
      top[j] = top[j - 1]!;
      j--;
    }
    top[j] = i;
  }
  return top;
}

/** How many of ms[from..to) exceed thresholdMs. */
export function countAbove(ms: Float64Array, thresholdMs: number, from = 0, to = ms.length): number {
  let n = 0;
  for (let i = from; i < to; i++) if (ms[i]! > thresholdMs) n++;
  return n;
}

export interface GcEvent {
  /** performance.now() milliseconds. */
  start: number;
  duration: number;
  /** 'minor' (scavenge), 'major' (mark-compact), 'incremental', 'weakcb' or a number. */
  kind: string;
}

const gcKinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/**
 * Records V8 garbage collections (perf_hooks 'gc' entries, same clock as performance.now()) while it is open.
 * Entries are delivered asynchronously: `await log.flush()` after the measured code, before reading them.
 */
export class GcLog {
  readonly events: GcEvent[] = [];
  private readonly obs: PerformanceObserver;

  constructor() {
    this.obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const detail = (e as unknown as { detail?: { kind?: number } }).detail;
        const kind = detail?.kind ?? 0;
        this.events.push({ start: e.startTime, duration: e.duration, kind: gcKinds[kind] ?? String(kind) });
      }
    });
    this.obs.observe({ entryTypes: ['gc'] });
  }

  /** Lets pending entries arrive (the observer's callback runs on a later turn of the event loop). */
  async flush(): Promise<void> {
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
  }

  /** The collections that overlap [start, start + duration] (milliseconds). */
  overlapping(start: number, duration: number): GcEvent[] {
    const end = start + duration;
    return this.events.filter((g) => g.start <= end && g.start + g.duration >= start);
  }

  clear(): void {
    this.events.length = 0;
  }

  close(): void {
    this.obs.disconnect();
  }
}

/** Read-only view of what the census below needs from a HashMap's header and tables. */
export interface TableLike {
  readonly segs: ReadonlyArray<{ readonly byteLength: number }>;
  readonly nb: number;
}
export interface HeaderLike {
  readonly buckets: TableLike;
  readonly oldbuckets: TableLike | null;
  readonly doublings: number;
  readonly sameSizeGrowths: number;
}

/**
 * The tables a fill allocates, observed from outside: call observe() after every operation (and once before the
 * first); a table is counted once, when first seen, and its ArrayBuffers (main segments and overflow chunks) and
 * bytes are read when it stops being the current table or at finish(), since overflow chunks are added while it is
 * current. Only the map's own fields are read; nothing is changed. A table created and replaced within one
 * operation would be missed: with incremental growth every growth outlives the operation that starts it.
 */
export class TableCensus {
  tables = 0;
  arrayBuffers = 0;
  bytesAllocated = 0;
  private current: TableLike | null = null;

  constructor(private readonly h: () => HeaderLike) {
    this.observe();
  }

  observe(): void {
    const t = this.h().buckets;
    if (t === this.current) return;
    this.close();
    this.current = t;
    this.tables++;
  }

  private close(): void {
    const t = this.current;
    if (t === null) return;
    this.arrayBuffers += t.segs.length;
    for (const s of t.segs) this.bytesAllocated += s.byteLength;
    this.current = null;
  }

  /** Ends the census: counts the current table's ArrayBuffers. */
  finish(): { tables: number; arrayBuffers: number; bytesAllocated: number } {
    this.close();
    return { tables: this.tables, arrayBuffers: this.arrayBuffers, bytesAllocated: this.bytesAllocated };
  }
}
