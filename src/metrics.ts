// Metrics of one map: counters of what its callers did, gauges of its table, and a sampled latency histogram.
//
// Off by default, and free when off: a map with metrics is an instance of a metered subclass of its key kind's
// class (metered() below), whose methods count around the plain ones and time one call in `sampleEvery`; a map
// without metrics runs the plain class, whose code does not change. `new HashMap({ ..., metrics: true })` or
// instrument() (otel.ts) turns them on; `m.metrics()` reads them, OpenTelemetry or not.
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
  /** Time one operation in this many (an integer in [1, 2^20]). Default 64. */
  sampleEvery?: number;
}

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
  /** Inside an upsert or deleteIf: the set, get and delete calls the plain method makes are not counted again. */
  inner = false;

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
  if (option === true) return new MetricsState(64);
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new TypeError(`hmap: option metrics must be true, false or { sampleEvery }, got ${typeof option === 'object' ? 'null' : typeof option}`);
  }
  for (const name of Object.keys(option)) {
    if (name !== 'sampleEvery') throw new TypeError(`hmap: unknown metrics option '${name}' (known: sampleEvery)`);
  }
  const every = (option as MetricsOptions).sampleEvery;
  if (every === undefined) return new MetricsState(64);
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

/** The methods metered() wraps, as the plain classes define them. */
interface Plain<K, V> {
  readonly _h: Hmap;
  readonly _vk: number;
  _metrics: MetricsState | null;
  get size(): number;
  get(key: K): V | undefined;
  has(key: K): boolean;
  set(key: K, value: V): this;
  delete(key: K): boolean;
  clear(): void;
  getOrInsert(key: K, value: V): V;
  getOrInsertComputed(key: K, callback: (key: K) => V): V;
  update(key: K, updater: (value: V | undefined, key: K) => V): V;
  increment(key: K, delta?: V & (number | bigint)): V;
  deleteIf(predicate: (value: V, key: K) => unknown): number;
}

/** ValueRep.side (table/layout.ts): values of kind 'any', where a stored undefined looks like a miss. */
const sideValues = 5;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor<T> = abstract new (...args: any[]) => T;

/**
 * The metered subclass of a key kind's class. Each wrapped method counts (see the header) and, once every
 * sampleEvery calls, is timed with performance.now(); the plain method does the work.
 */
export function metered<K, V, C extends Ctor<Plain<K, V>>>(Base: C): C {
  abstract class Metered extends Base {
    override get(key: K): V | undefined {
      const s = this._metrics!;
      if (s.inner) return super.get(key);
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const v = super.get(key);
      if (v !== undefined || (this._vk === sideValues && super.has(key))) s.hits++;
      else s.misses++;
      if (t0 >= 0) sampled(s, 'get', t0);
      return v;
    }

    override has(key: K): boolean {
      const s = this._metrics!;
      if (s.inner) return super.has(key);
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const found = super.has(key);
      if (found) s.hits++;
      else s.misses++;
      if (t0 >= 0) sampled(s, 'has', t0);
      return found;
    }

    override set(key: K, value: V): this {
      const s = this._metrics!;
      if (s.inner) {
        super.set(key, value);
        return this;
      }
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const before = this._h.count;
      super.set(key, value);
      if (this._h.count !== before) s.inserts++;
      else s.updates++;
      if (t0 >= 0) sampled(s, 'set', t0);
      return this;
    }

    override delete(key: K): boolean {
      const s = this._metrics!;
      if (s.inner) return super.delete(key);
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const found = super.delete(key);
      if (found) s.deletes++;
      if (t0 >= 0) sampled(s, 'delete', t0);
      return found;
    }

    override clear(): void {
      super.clear();
      this._metrics!.clears++;
    }

    override getOrInsert(key: K, value: V): V {
      const s = this._metrics!;
      if (s.inner) return super.getOrInsert(key, value);
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const before = this._h.count;
      let v: V;
      s.inner = true;
      try {
        v = super.getOrInsert(key, value);
      } finally {
        s.inner = false;
      }
      if (this._h.count !== before) s.inserts++;
      else s.hits++;
      if (t0 >= 0) sampled(s, 'upsert', t0);
      return v;
    }

    override getOrInsertComputed(key: K, callback: (key: K) => V): V {
      const s = this._metrics!;
      if (s.inner) return super.getOrInsertComputed(key, callback);
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const before = this._h.count;
      let v: V;
      s.inner = true;
      try {
        v = super.getOrInsertComputed(key, callback);
      } finally {
        s.inner = false;
      }
      // The callback may itself change the map; count by the key's presence before and after, as the caller sees it.
      if (this._h.count > before) s.inserts++;
      else s.hits++;
      if (t0 >= 0) sampled(s, 'upsert', t0);
      return v;
    }

    override update(key: K, updater: (value: V | undefined, key: K) => V): V {
      const s = this._metrics!;
      if (s.inner) return super.update(key, updater);
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const before = this._h.count;
      let v: V;
      s.inner = true;
      try {
        v = super.update(key, updater);
      } finally {
        s.inner = false;
      }
      if (this._h.count > before) s.inserts++;
      else s.updates++;
      if (t0 >= 0) sampled(s, 'upsert', t0);
      return v;
    }

    override increment(key: K, delta?: V & (number | bigint)): V {
      const s = this._metrics!;
      if (s.inner) return super.increment(key, delta);
      const t0 = --s.countdown <= 0 ? performance.now() : -1;
      const before = this._h.count;
      let v: V;
      s.inner = true;
      try {
        v = super.increment(key, delta);
      } finally {
        s.inner = false;
      }
      if (this._h.count !== before) s.inserts++;
      else s.updates++;
      if (t0 >= 0) sampled(s, 'upsert', t0);
      return v;
    }

    override deleteIf(predicate: (value: V, key: K) => unknown): number {
      const s = this._metrics!;
      if (s.inner) return super.deleteIf(predicate);
      const before = this._h.count;
      s.inner = true;
      try {
        return super.deleteIf(predicate);
      } finally {
        s.inner = false;
        // A throwing predicate stops deleteIf; what it deleted before stays deleted, and counted.
        s.deletes += before - this._h.count;
      }
    }
  }
  return Metered;
}

function sampled(s: MetricsState, op: SampledOp, t0: number): void {
  s.countdown = s.sampleEvery;
  s.sample(op, Math.round((performance.now() - t0) * 1e6));
}
