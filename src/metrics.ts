// Metrics of one map: counters of what its callers did, gauges of its table, and a sampled latency histogram.
//
// Off by default, and close to free when off. Every map of a key kind has the same class and hidden class, metered
// or not: a metered subclass (the first design) made call sites that saw both kinds of map polymorphic, and slowed
// plain gets by a quarter once a process had one metered map. Instead every counted method of map.ts starts with
// `if (this._meter) return meterX(this, ...)` (`_meter` is a Smi field: 0 off, 1 on, 2 on and the next call is
// the one to time): off, one field load and a test; on, meterX (below) counts and times one call in
// `sampleEvery` (a countdown per map). The numeric gets, the hottest calls, test `_meter > 1` instead, look the
// key up inline and count with countGet, inlined too; only their timed calls go to meterGet. set does the same
// with countSet.
// `new HashMap({ ..., metrics: true })` or instrument() (otel.ts) turns them on; `m.metrics()` reads them,
// OpenTelemetry or not.
//
// Counting rules: a get or has that finds the key is a hit, otherwise a miss (for value kind 'any', a get that
// returns undefined asks has() to tell a stored undefined from a miss); a set, getOrInsert, getOrInsertComputed,
// update or increment that adds the key is an insert, one that finds it an update (getOrInsert and
// getOrInsertComputed of a present key are hits); delete and deleteIf count the entries removed; clear counts
// one clear. Growth counters come from the table itself (table/hmap.ts), so they count every growth. Map calls
// made inside an upsert's or deleteIf's callback are part of that operation and are not counted on their own.

import type { Hmap } from './table/hmap.js';

/** Operations whose latency is sampled. */
export const sampledOps = ['get', 'has', 'set', 'delete', 'upsert'] as const;
export type SampledOp = (typeof sampledOps)[number];

/** Upper bounds of the latency histogram's buckets, in nanoseconds (the last bucket is unbounded). */
export const latencyBoundsNs: readonly number[] = [
  50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
  10_000_000,
];

/** A latency histogram: counts per bucket of latencyBoundsNs (counts[i]: latency <= bounds[i]; the last: above). */
export interface LatencySnapshot {
  count: number;
  sumNs: number;
  minNs: number;
  maxNs: number;
  boundsNs: readonly number[];
  counts: number[];
}

/** What m.metrics() returns: every counter and gauge of the map. */
export interface HashMapMetrics {
  /** Whether the map counts (metrics: true, or instrument()). Gauges are read from the table either way. */
  enabled: boolean;
  /** Lookups (get, has, and getOrInsert* of a present key) that found the key, and that did not. */
  hits: number;
  misses: number;
  /** Keys added, and stored values replaced, by set and the upserts. */
  inserts: number;
  updates: number;
  /** Entries removed by delete and deleteIf (not clear). */
  deletes: number;
  /** clear() calls. */
  clears: number;
  /** Growths started since the map was created: doublings and same-size growths. */
  doublings: number;
  sameSizeGrowths: number;
  /** Old buckets evacuated since the map was created. */
  evacuatedBuckets: number;
  /** Gauges: live entries, log2 of the bucket count, buckets, overflow buckets, entries per bucket, bytes held. */
  count: number;
  B: number;
  buckets: number;
  overflowBuckets: number;
  loadFactor: number;
  bytes: number;
  /** 1 while a growth is under way, else 0; and the share of its old buckets evacuated (0 when not growing). */
  growing: number;
  evacuationProgress: number;
  /** One operation in sampleEvery is timed. */
  sampleEvery: number;
  /** Sampled latency per operation. */
  latency: Record<SampledOp, LatencySnapshot>;
}

export interface MetricsOptions {
  /** Time one operation in this many (an integer in [1, 2^20]). Default 1024 (defaultSampleEvery). */
  sampleEvery?: number;
}

/**
 * One operation in this many is timed unless `sampleEvery` says otherwise. A timed call reads the clock twice
 * (performance.now(), about 60 ns each here) and records into a histogram: about 150 ns in cache. At 1e6 keys it
 * costs more than that, because gets overlap their cache misses and a timed call breaks the overlap: with one
 * get in 64 timed, metered gets ran at 0.91x of unmetered ones in one process, at one in 256 0.94x, at one in
 * 1024 0.98x, the same as never timing (0.98x: the counting alone); npm run bench:metrics -- --sample-every n,
 * 2026-11-23. Later runs at 1024 gave 0.87x-0.94x: the in-process method resolves no finer than that. One in
 * 1024 still gives a map doing 100,000 operations a second about 100 samples a second.
 */
export const defaultSampleEvery = 1024;

export class LatencyHistogram {
  readonly counts = new Float64Array(latencyBoundsNs.length + 1);
  count = 0;
  sumNs = 0;
  minNs = Infinity;
  maxNs = 0;

  record(ns: number): void {
    let i = 0;
    while (i < latencyBoundsNs.length && ns > latencyBoundsNs[i]!) i++;
    this.counts[i]!++;
    this.count++;
    this.sumNs += ns;
    if (ns < this.minNs) this.minNs = ns;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  snapshot(): LatencySnapshot {
    return {
      count: this.count,
      sumNs: this.sumNs,
      minNs: this.count === 0 ? 0 : this.minNs,
      maxNs: this.maxNs,
      boundsNs: latencyBoundsNs,
      counts: Array.from(this.counts),
    };
  }
}

/** Receives every sampled latency (otel.ts records them into an OpenTelemetry histogram). */
export type LatencySink = (op: SampledOp, ns: number) => void;

/** The counters of one metered map. */
export class MetricsState {
  hits = 0;
  misses = 0;
  inserts = 0;
  updates = 0;
  deletes = 0;
  clears = 0;
  readonly sampleEvery: number;
  /** Calls left until the next timed one (a timed call that throws leaves it at 0 or below: the next is timed). */
  countdown: number;
  readonly latency: Record<SampledOp, LatencyHistogram> = {
    get: new LatencyHistogram(),
    has: new LatencyHistogram(),
    set: new LatencyHistogram(),
    delete: new LatencyHistogram(),
    upsert: new LatencyHistogram(),
  };
  sinks: LatencySink[] = [];

  constructor(sampleEvery: number) {
    this.sampleEvery = sampleEvery;
    this.countdown = sampleEvery;
  }

  /** Records a sampled latency, in nanoseconds. */
  sample(op: SampledOp, ns: number): void {
    this.latency[op].record(ns);
    for (const s of this.sinks) s(op, ns);
  }
}

/** Validates `metrics` options (true, false, undefined or { sampleEvery }); returns the state to use or null. */
export function metricsStateFor(option: unknown): MetricsState | null {
  if (option === undefined || option === false) return null;
  if (option === true) return new MetricsState(defaultSampleEvery);
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new TypeError(`hmap: option metrics must be true, false or { sampleEvery }, got ${typeof option === 'object' ? 'null' : typeof option}`);
  }
  for (const name of Object.keys(option)) {
    if (name !== 'sampleEvery') throw new TypeError(`hmap: unknown metrics option '${name}' (known: sampleEvery)`);
  }
  const every = (option as MetricsOptions).sampleEvery;
  if (every === undefined) return new MetricsState(defaultSampleEvery);
  if (typeof every !== 'number') throw new TypeError(`hmap: metrics.sampleEvery must be a number, got ${typeof every}`);
  if (!Number.isInteger(every) || every < 1 || every > 2 ** 20) {
    throw new RangeError(`hmap: metrics.sampleEvery must be an integer in [1, 1048576], got ${every}`);
  }
  return new MetricsState(every);
}

/** The snapshot m.metrics() returns. */
export function snapshotMetrics(h: Hmap, s: MetricsState | null): HashMapMetrics {
  const old = h.oldbuckets;
  const latency = {} as Record<SampledOp, LatencySnapshot>;
  for (const op of sampledOps) latency[op] = s === null ? new LatencyHistogram().snapshot() : s.latency[op].snapshot();
  return {
    enabled: s !== null,
    hits: s?.hits ?? 0,
    misses: s?.misses ?? 0,
    inserts: s?.inserts ?? 0,
    updates: s?.updates ?? 0,
    deletes: s?.deletes ?? 0,
    clears: s?.clears ?? 0,
    doublings: h.doublings,
    sameSizeGrowths: h.sameSizeGrowths,
    evacuatedBuckets: h.evacuatedTotal,
    count: h.count,
    B: h.B,
    buckets: h.buckets.nb,
    overflowBuckets: h.buckets.novf + (old === null ? 0 : old.novf),
    loadFactor: h.count / h.buckets.nb,
    bytes: h.bytes,
    growing: old === null ? 0 : 1,
    evacuationProgress: old === null ? 0 : h.evacuated / old.nb,
    sampleEvery: s?.sampleEvery ?? 0,
    latency,
  };
}

/** What the meterX functions need of a map (HashMapImpl in map.ts). */
interface Meterable<K, V> {
  readonly _h: Hmap;
  readonly _vk: number;
  _metrics: MetricsState | null;
  /** 1 while metrics are on, 0 when off and while a counted call runs the plain code. */
  _meter: number;
  get(key: K): V | undefined;
  has(key: K): boolean;
  set(key: K, value: V): unknown;
  delete(key: K): boolean;
  getOrInsert(key: K, value: V): V;
  getOrInsertComputed(key: K, callback: (key: K) => V): V;
  update(key: K, updater: (value: V | undefined, key: K) => V): V;
  increment(key: K, delta?: V & (number | bigint)): V;
  deleteIf(predicate: (value: V, key: K) => unknown): number;
}

/** ValueRep.side (table/layout.ts): values of kind 'any', where a stored undefined looks like a miss. */
const sideValues = 5;

/** The counted operations. */
const enum Op {
  get,
  has,
  set,
  delete,
  getOrInsert,
  getOrInsertComputed,
  update,
  increment,
  deleteIf,
}

const sampledOp: readonly SampledOp[] = ['get', 'has', 'set', 'delete', 'upsert', 'upsert', 'upsert', 'upsert', 'upsert'];

/**
 * Counted calls: every counted method of a map starts with `if (this._meter) return meterX(this, ...args)`. The
 * meterX function runs the plain method (the same method, with `_meter` at 0 until it returns or throws, so the map
 * calls an upsert's callback or deleteIf's predicate makes are part of the operation and count nothing), then
 * counts its result and, once in sampleEvery calls, its time. A call that throws counts nothing and leaves the
 * countdown at 0 or below, so the next call is timed.
 *
 * Why this shape, measured on Node 20 (V8 11.3) with TurboFan's inlining trace. A loop's inlining budget is 920
 * bytes of bytecode, and a candidate that already has optimized code of its own (a hot get usually does) is
 * charged its bytecode plus everything that code inlined, times 1.2. Int32KeyMap.get (78 bytes) with the table
 * code it inlines (680) fits by 10 bytes: a 33-byte `if (this._meter !== 0) return meter(this, op, key,
 * undefined)` made user loops call get instead of inlining it (plain gets 7% slower, metrics off), and
 * per-operation meter functions small enough to inline took the budget as soon as a loop saw a metered map.
 * So (1) the counted methods' test costs few bytes: a truthiness test and a call with the method's own
 * arguments, no extra ones (map.ts keeps its key rejections out of line to pay for it); (2) the meterX functions
 * are closures of one function literal whose bytecode is over V8's max_inlined_bytecode_size (460; 746 here):
 * TurboFan never inlines them, the caller's code holds a call, and their own optimized code inlines the plain
 * methods. test/anchors.test.ts checks both on the inlining trace.
 *
 * The numeric gets then shrank their table code (hash1 written out, valueAt's allocating kinds out of line:
 * 680 -> 508 bytes), which paid for counting inline (countGet): Int32KeyMap.get is 118 bytes, 626 with what it
 * inlines, 690 with countGet once a loop has seen a metered map. The word-wise tophash probe (table/access.ts)
 * then took most of the room back: 683 bytes with what get inlines, 747 with countGet, charged 896 of 920. A metered get out of line (the call, _meter
 * toggled around the plain get) cost 0.81x of the build before metrics at 1e6 keys, where gets overlap their
 * cache misses and a call in the loop halves that overlap; inline it costs 0.94x (bench:metrics, paired).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Counted = (m: Meterable<any, any>, key?: unknown, x?: unknown) => unknown;

function counted<K, V>(op: Op): Counted {
  return function meter(m: Meterable<K, V>, key?: unknown, x?: unknown): unknown {
    const s = m._metrics!;
    if (op === Op.get) {
      // The hottest, on its own path with the least work.
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      let v: V | undefined;
      m._meter = 0;
      try {
        v = m.get(key as K);
      } finally {
        m._meter = armed(m._metrics!);
      }
      if (v !== undefined || (m._vk === sideValues && plainHas(m, key as K))) s.hits++;
      else s.misses++;
      if (t0 >= 0) sampled(m, s, 'get', t0);
      return v;
    }
    const h = m._h;
    if (op === Op.deleteIf) {
      // Not timed. A throwing predicate stops deleteIf; what it deleted before stays deleted, and counted.
      const before = h.count;
      m._meter = 0;
      try {
        return m.deleteIf(key as (value: V, key: K) => unknown);
      } finally {
        m._meter = armed(m._metrics!);
        s.deletes += before - h.count;
      }
    }
    const t0 = --s.countdown <= 0 ? performance.now() : -1;
    const before = h.count;
    let result: unknown;
    m._meter = 0;
    try {
      // Each case counts after the plain call returned: a call that throws counts nothing.
      switch (op) {
        case Op.has:
          if ((result = m.has(key as K))) s.hits++;
          else s.misses++;
          break;
        case Op.set:
          m.set(key as K, x as V);
          if (h.count !== before) s.inserts++;
          else s.updates++;
          result = m;
          break;
        case Op.delete:
          if ((result = m.delete(key as K))) s.deletes++;
          break;
        case Op.getOrInsert:
          result = m.getOrInsert(key as K, x as V);
          if (h.count !== before) s.inserts++;
          else s.hits++;
          break;
        case Op.getOrInsertComputed:
          result = m.getOrInsertComputed(key as K, x as (key: K) => V);
          // The callback may itself change the map: count by the key's presence, as the caller sees it.
          if (h.count > before) s.inserts++;
          else s.hits++;
          break;
        case Op.update:
          result = m.update(key as K, x as (value: V | undefined, key: K) => V);
          if (h.count > before) s.inserts++;
          else s.updates++;
          break;
        default:
          result = m.increment(key as K, x as V & (number | bigint));
          if (h.count !== before) s.inserts++;
          else s.updates++;
      }
    } finally {
      m._meter = armed(m._metrics!);
    }
    if (t0 >= 0) sampled(m, s, sampledOp[op]!, t0);
    return result;
  } as Counted;
}

export const meterGet = counted(Op.get);

/**
 * What a plain get does when metrics are on and the call is not one to time (`_meter` is 1): it has looked the
 * key up, inline, and counts the result here. Small, so TurboFan inlines it into get (and get into the caller's
 * loop): a metered get keeps the plain get's code and its overlap of cache misses, and pays a field test and an
 * increment (meterGet, a call, only for the one get in sampleEvery that is timed).
 */
export function countGet<K, V>(m: Meterable<K, V>, v: unknown, key: K): void {
  const s = m._metrics!;
  if (v !== undefined) s.hits++;
  else countGetUndefined(m, s, key);
  if (--s.countdown <= 1) m._meter = 2;
}

/** countGet's twin for set (every key kind but string, whose set counts through meterSet). */
export function countSet<K, V>(m: Meterable<K, V>, inserted: boolean): void {
  const s = m._metrics!;
  if (inserted) s.inserts++;
  else s.updates++;
  if (--s.countdown <= 1) m._meter = 2;
}

/** A get that returned undefined: a miss, or (value kind 'any') a stored undefined, which is a hit. */
function countGetUndefined<K, V>(m: Meterable<K, V>, s: MetricsState, key: K): void {
  if (m._vk === sideValues && plainHas(m, key)) s.hits++;
  else s.misses++;
}

/**
 * The value of `_meter` while metrics are on, between calls: 2 when the next counted call is the one to time
 * (the countdown is at 1 or below: the call's decrement takes it to 0), else 1.
 */
export function armed(s: MetricsState): number {
  return s.countdown <= 1 ? 2 : 1;
}
export const meterHas = counted(Op.has);
export const meterSet = counted(Op.set);
export const meterDelete = counted(Op.delete);
export const meterGetOrInsert = counted(Op.getOrInsert);
export const meterGetOrInsertComputed = counted(Op.getOrInsertComputed);
export const meterUpdate = counted(Op.update);
export const meterIncrement = counted(Op.increment);
export const meterDeleteIf = counted(Op.deleteIf);

/** has() of a key get() found undefined for, not counted (for value kind 'any': a stored undefined is a hit). */
function plainHas<K, V>(m: Meterable<K, V>, key: K): boolean {
  m._meter = 0;
  try {
    return m.has(key);
  } finally {
    m._meter = armed(m._metrics!);
  }
}

function sampled<K, V>(m: Meterable<K, V>, s: MetricsState, op: SampledOp, t0: number): void {
  s.countdown = s.sampleEvery;
  m._meter = armed(s);
  s.sample(op, Math.round((performance.now() - t0) * 1e6));
}
