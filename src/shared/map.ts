// The shared HashMap: the Map-compatible API over a SharedTable (table.ts), one subclass per key kind as in
// ../map.ts. Keys and values go to and from the table as int32 word pairs.
//
// Semantics beyond Map's, with concurrency 'locked' (the default):
// - get, has, set, delete, getOrInsert and increment are linearizable: each takes effect at one instant,
//   whatever other threads do. get and has take no lock.
// - update and getOrInsertComputed call the user's function outside any lock, then apply its result only if
//   the key's value is still the one the function saw (update retries otherwise, so its function may run
//   more than once; getOrInsertComputed returns the value another thread inserted first).
// - Iteration (forEach, keys, values, entries, deleteIf) is weakly consistent, like Java's ConcurrentHashMap:
//   every entry present and unchanged for the whole iteration is seen exactly once; entries added, changed or
//   removed meanwhile may or may not be.

import type { Worker } from 'node:worker_threads';
import { hash1, hash2, hashString } from '../hash.js';
import { bigint64Words, describe, float64Words, isBigInt64, isInt32, isUint32, rejectKind, scratchHigh } from '../kinds/kinds.js';
import type { KeyKind, ValueKind } from '../kinds/kinds.js';
import { ValueRep } from '../table/layout.js';
import { LatencyHistogram, defaultSampleEvery, sampledOps } from '../metrics.js';
import type { HashMapMetrics, LatencySink, LatencySnapshot, MetricsOptions, SampledOp } from '../metrics.js';
import { Mc, SharedTable, maxStringUnits } from './table.js';
import type { SharedTableHandle } from './table.js';

/** Key and value kinds a shared map accepts (objects cannot be shared). */
export const sharedKinds = ['int32', 'uint32', 'float64', 'bigint64', 'string'] as const;
export type SharedKind = (typeof sharedKinds)[number];
export const concurrencies = ['locked', 'none'] as const;
export type Concurrency = (typeof concurrencies)[number];

/** What share() returns: structured-cloneable (SharedArrayBuffers inside), for HashMap.attach in another thread. */
export interface SharedHashMapHandle {
  readonly kind: 'hmap.SharedHashMap';
  readonly key: SharedKind;
  readonly value: SharedKind;
  readonly table: SharedTableHandle;
}

/** Counters only shared maps have (HashMapMetrics.shared), summed over every thread. */
export interface SharedMapMetrics {
  /** Stripe lock acquisitions by writers, iteration and readers' fallback; and those that had to wait. */
  lockAcquisitions: number;
  contendedAcquisitions: number;
  /** Waits that entered starvation mode: always 0, since registry-bound mutexes never starve (sync/mutex.ts). */
  starvationWaits: number;
  /** Optimistic reads that saw a writer or a header change and tried again; reads that fell back to the lock. */
  readRetries: number;
  lockedReads: number;
  /** Old chains evacuated by writers for their own key, and by writers helping the growth along. */
  ownEvacuations: number;
  helpedEvacuations: number;
}

/** m.metrics() of a shared map: counters sum every thread's work; latency is this thread's samples. */
export interface SharedHashMapMetrics extends HashMapMetrics {
  shared: SharedMapMetrics;
}

export interface SharedOptions {
  key: SharedKind;
  value: SharedKind;
  capacity: number;
  seed: number;
  loadFactor: number;
  concurrency: Concurrency;
  maxBytes: number;
  /** Turn metrics on (for every thread) from the start. */
  metrics?: boolean | MetricsOptions;
}

function newLatency(): Record<SampledOp, LatencyHistogram> {
  return { get: new LatencyHistogram(), has: new LatencyHistogram(), set: new LatencyHistogram(), delete: new LatencyHistogram(), upsert: new LatencyHistogram() };
}

const vf64 = new Float64Array(1);
const vb64 = new BigInt64Array(vf64.buffer);
const vw32 = new Int32Array(vf64.buffer);

type IterMode = 0 | 1 | 2;

/** The shared map. Made by `new HashMap({ ..., shared: true })` or `HashMap.attach(handle)`. */
export abstract class SharedHashMap<K, V> {
  /** @internal */ readonly _t: SharedTable;
  readonly keyKind: SharedKind;
  readonly valueKind: SharedKind;
  /** @internal */ readonly _vk: number;
  /** Always true: this map lives in shared memory. */
  readonly shared = true;
  /** @internal */ _w0 = 0;
  /** @internal */ _w1 = 0;
  /** @internal */ _v0 = 0;
  /** @internal */ _v1 = 0;
  /** @internal This thread's latency sampling: one call in _sampleEvery is timed (when the map counts). */
  _sampleEvery = defaultSampleEvery;
  /** @internal */ _countdown = defaultSampleEvery;
  /** @internal */ _latency: Record<SampledOp, LatencyHistogram> | null = null;
  /** @internal */ _sinks: LatencySink[] = [];

  constructor(t: SharedTable, key: SharedKind, value: SharedKind) {
    this._t = t;
    this.keyKind = key;
    this.valueKind = value;
    this._vk = t.vk;
  }

  /** 'locked' or 'none'. */
  get concurrency(): Concurrency {
    return this._t.locked ? 'locked' : 'none';
  }

  /** @internal Checks the key, leaves its words in _w0/_w1 and returns its hash. */
  abstract _key(key: unknown): number;
  /** @internal The key whose words are (w0, w1). */
  abstract _keyOf(w0: number, w1: number): K;

  /** @internal Checks the value and leaves its words in _v0/_v1. */
  _value(value: unknown): void {
    switch (this._vk) {
      case ValueRep.int32:
        if (!isInt32(value)) rejectKind('int32', 'value', value);
        this._v0 = value | 0;
        this._v1 = 0;
        return;
      case ValueRep.uint32:
        if (!isUint32(value)) rejectKind('uint32', 'value', value);
        this._v0 = value | 0;
        this._v1 = 0;
        return;
      case ValueRep.float64:
        if (typeof value !== 'number') rejectKind('float64', 'value', value);
        vf64[0] = value;
        this._v0 = vw32[0]!;
        this._v1 = vw32[1]!;
        return;
      case ValueRep.bigint64:
        if (!isBigInt64(value)) rejectKind('bigint64', 'value', value);
        vb64[0] = value;
        this._v0 = vw32[0]!;
        this._v1 = vw32[1]!;
        return;
      default:
        if (typeof value !== 'string') rejectKind('string', 'value', value);
        if (value.length > maxStringUnits) throw new RangeError(`hmap: shared maps hold strings of up to ${maxStringUnits} code units; this value has ${value.length}`);
        this._t.vs = value;
    }
  }

  /** @internal The value whose words are (v0, v1). */
  _valueOf(v0: number, v1: number): V {
    switch (this._vk) {
      case ValueRep.int32:
        return v0 as V;
      case ValueRep.uint32:
        return (v0 >>> 0) as V;
      case ValueRep.float64:
        vw32[0] = v0;
        vw32[1] = v1;
        return vf64[0] as V;
      case ValueRep.bigint64:
        vw32[0] = v0;
        vw32[1] = v1;
        return vb64[0] as V;
      default:
        return this._t.vstr as V; // decoded by the probe that read (v0, v1)
    }
  }

  /** @internal A value as group() gives it: words, or a string already decoded. */
  _iterValue(a: unknown, b: number): V {
    return this._vk === ValueRep.string ? (a as V) : this._valueOf(a as number, b);
  }

  get size(): number {
    return this._t.count();
  }

  /** @internal Whether this call is one to time (metrics on: one in _sampleEvery). */
  _tick(): boolean {
    if (--this._countdown > 0) return false;
    this._countdown = this._sampleEvery;
    return true;
  }

  /** @internal Records a timed call that started at t0 (performance.now()). */
  _sample(op: SampledOp, t0: number): void {
    const ns = (performance.now() - t0) * 1e6;
    (this._latency ??= newLatency())[op].record(ns);
    for (const s of this._sinks) s(op, ns);
  }

  /** @internal Adds one to this thread's counter i when the map counts. */
  _count(i: number): void {
    const t = this._t;
    if (t.mt !== null) t.mt[t.mb + i]!++;
  }

  get(key: K): V | undefined {
    return this._t.mt === null ? this._get(key) : this._timed('get', () => this._get(key));
  }

  has(key: K): boolean {
    return this._t.mt === null ? this._has(key) : this._timed('has', () => this._has(key));
  }

  set(key: K, value: V): this {
    return this._t.mt === null ? this._set(key, value) : this._timed('set', () => this._set(key, value));
  }

  delete(key: K): boolean {
    return this._t.mt === null ? this._delete(key) : this._timed('delete', () => this._delete(key));
  }

  /** Returns the key's value, inserting `value` first if the key is absent (atomically). */
  getOrInsert(key: K, value: V): V {
    return this._t.mt === null ? this._getOrInsert(key, value) : this._timed('upsert', () => this._getOrInsert(key, value));
  }

  /**
   * Returns the key's value; if absent, calls `callback(key)` (outside any lock) and inserts its result unless
   * another thread inserted the key meanwhile, in which case that value is returned.
   */
  getOrInsertComputed(key: K, callback: (key: K) => V): V {
    return this._t.mt === null ? this._getOrInsertComputed(key, callback) : this._timed('upsert', () => this._getOrInsertComputed(key, callback));
  }

  /**
   * Sets the key to `updater(current, key)` (current undefined when absent) and returns it. The updater runs
   * outside any lock; its result is stored only if the key still holds what it was given, else it runs again.
   */
  update(key: K, updater: (value: V | undefined, key: K) => V): V {
    return this._t.mt === null ? this._update(key, updater) : this._timed('upsert', () => this._update(key, updater));
  }

  /**
   * Adds `delta` (default 1, or 1n for bigint64 values) to the key's value, an absent key counting as 0, and
   * returns the new value, atomically. A result outside the value kind throws a RangeError and changes nothing.
   */
  increment(key: K, delta?: V & (number | bigint)): V {
    return this._t.mt === null ? this._increment(key, delta) : this._timed('upsert', () => this._increment(key, delta));
  }

  /** @internal Runs f for a metered map: timed when this call is one of the sampled ones. */
  _timed<T>(op: SampledOp, f: () => T): T {
    if (!this._tick()) return f();
    const t0 = performance.now();
    try {
      return f();
    } finally {
      this._sample(op, t0);
    }
  }

  /** @internal */
  _get(key: K): V | undefined {
    const t = this._t;
    const found = t.read(this._key(key), this._w0, this._w1);
    if (t.mt !== null) t.mt[t.mb + (found ? Mc.hits : Mc.misses)]!++;
    return found ? this._valueOf(t.v0, t.v1) : undefined;
  }

  /** @internal */
  _has(key: K): boolean {
    const t = this._t;
    const found = t.read(this._key(key), this._w0, this._w1);
    if (t.mt !== null) t.mt[t.mb + (found ? Mc.hits : Mc.misses)]!++;
    return found;
  }

  /** @internal */
  _set(key: K, value: V): this {
    const hash = this._key(key);
    this._value(value);
    this._count(this._put(hash, false) ? Mc.updates : Mc.inserts);
    return this;
  }

  /**
   * @internal Writes (_w0, _w1) -> (_v0, _v1) under the key's stripe; onlyIfAbsent keeps a present value.
   * Returns whether the key was present (its value words then in t.v0/t.v1, read before any change).
   */
  _put(hash: number, onlyIfAbsent: boolean): boolean {
    const t = this._t;
    const s = hash & 63;
    const w0 = this._w0;
    const w1 = this._w1;
    let found: boolean;
    t.beginWrite(s);
    try {
      found = t.findForWrite(hash, w0, w1);
      if (found) {
        if (!onlyIfAbsent) t.storeHit(s, this._v0, this._v1);
      } else {
        t.insert(s, hash, w0, w1, this._v0, this._v1);
      }
    } finally {
      t.endWrite(s);
    }
    if (t.old !== null) t.growWork();
    return found;
  }

  /** @internal */
  _delete(key: K): boolean {
    const hash = this._key(key);
    const t = this._t;
    const s = hash & 63;
    let found: boolean;
    t.beginWrite(s);
    try {
      found = t.findForWrite(hash, this._w0, this._w1);
      if (found) t.deleteHit(s, hash);
    } finally {
      t.endWrite(s);
    }
    if (t.old !== null) t.growWork();
    if (found) this._count(Mc.deletes);
    return found;
  }

  clear(): void {
    this._t.clear();
    this._count(Mc.clears);
  }

  /** Returns the key's value, inserting `value` first if the key is absent (atomically). */
  /** @internal */
  _getOrInsert(key: K, value: V): V {
    const hash = this._key(key);
    this._value(value);
    const t = this._t;
    const found = this._put(hash, true);
    this._count(found ? Mc.hits : Mc.inserts);
    return found ? this._valueOf(t.v0, t.v1) : value;
  }

  /**
   * Returns the key's value; if absent, calls `callback(key)` (outside any lock) and inserts its result unless
   * another thread inserted the key meanwhile, in which case that value is returned.
   */
  /** @internal */
  _getOrInsertComputed(key: K, callback: (key: K) => V): V {
    const hash = this._key(key);
    if (typeof callback !== 'function') {
      throw new TypeError(`hmap: getOrInsertComputed callback must be a function, got ${describe(callback)}`);
    }
    const w0 = this._w0;
    const w1 = this._w1;
    const t = this._t;
    if (t.read(hash, w0, w1)) {
      this._count(Mc.hits);
      return this._valueOf(t.v0, t.v1);
    }
    const value = callback(key);
    this._value(value);
    this._key(key); // the callback may have used the map: the key's words (or string) again
    const found = this._put(hash, true);
    this._count(found ? Mc.hits : Mc.inserts);
    return found ? this._valueOf(t.v0, t.v1) : value;
  }

  /**
   * Sets the key to `updater(current, key)` (current undefined when absent) and returns it. The updater runs
   * outside any lock; its result is stored only if the key still holds what it was given, else it runs again.
   */
  /** @internal */
  _update(key: K, updater: (value: V | undefined, key: K) => V): V {
    const hash = this._key(key);
    if (typeof updater !== 'function') {
      throw new TypeError(`hmap: update updater must be a function, got ${describe(updater)}`);
    }
    const w0 = this._w0;
    const w1 = this._w1;
    const t = this._t;
    const s = hash & 63;
    for (;;) {
      const had = t.read(hash, w0, w1);
      const o0 = t.v0;
      const o1 = t.v1;
      const value = updater(had ? this._valueOf(o0, o1) : undefined, key);
      this._value(value);
      this._key(key); // the updater may have used the map
      let done = false;
      t.beginWrite(s);
      try {
        const now = t.findForWrite(hash, w0, w1);
        if (now === had && (!now || (t.v0 === o0 && t.v1 === o1))) {
          if (now) t.storeHit(s, this._v0, this._v1);
          else t.insert(s, hash, w0, w1, this._v0, this._v1);
          done = true;
        }
      } finally {
        t.endWrite(s);
      }
      if (t.old !== null) t.growWork();
      if (done) {
        this._count(had ? Mc.updates : Mc.inserts);
        return value;
      }
    }
  }

  /**
   * Adds `delta` (default 1, or 1n for bigint64 values) to the key's value, an absent key counting as 0, and
   * returns the new value, atomically. A result outside the value kind throws a RangeError and changes nothing.
   */
  /** @internal */
  _increment(key: K, delta?: V & (number | bigint)): V {
    const hash = this._key(key);
    if (this._vk === ValueRep.string) {
      throw new TypeError(`hmap: increment needs a numeric value kind (int32, uint32, float64, bigint64); this map's values are 'string'`);
    }
    const big = this._vk === ValueRep.bigint64;
    const d = delta === undefined ? (big ? 1n : 1) : delta;
    if (typeof d !== (big ? 'bigint' : 'number')) {
      throw new TypeError(`hmap: increment delta must be a ${big ? 'bigint' : 'number'} for ${this.valueKind} values, got ${describe(delta)}`);
    }
    const t = this._t;
    const s = hash & 63;
    const w0 = this._w0;
    const w1 = this._w1;
    let value: V;
    t.beginWrite(s);
    try {
      const found = t.findForWrite(hash, w0, w1);
      const old = found ? this._valueOf(t.v0, t.v1) : undefined;
      value = (big ? ((old as bigint | undefined) ?? 0n) + (d as bigint) : ((old as number | undefined) ?? 0) + (d as number)) as V;
      try {
        this._value(value);
      } catch {
        throw new RangeError(`hmap: increment of ${describe(key)} by ${describe(d)} gives ${describe(value)}, outside the ${this.valueKind} value kind`);
      }
      if (found) t.storeHit(s, this._v0, this._v1);
      else t.insert(s, hash, w0, w1, this._v0, this._v1);
      if (t.mt !== null) t.mt[t.mb + (found ? Mc.updates : Mc.inserts)]!++;
    } finally {
      t.endWrite(s);
    }
    if (t.old !== null) t.growWork();
    return value;
  }

  /** Deletes every entry for which `predicate(value, key)` is truthy (weakly consistent); returns how many. */
  deleteIf(predicate: (value: V, key: K) => unknown): number {
    if (typeof predicate !== 'function') {
      throw new TypeError(`hmap: deleteIf predicate must be a function, got ${describe(predicate)}`);
    }
    let n = 0;
    for (const [k, v] of this.entries()) if (predicate(v, k) && this.delete(k)) n++;
    return n;
  }

  forEach(callback: (value: V, key: K, map: this) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') {
      throw new TypeError(`hmap: forEach callback must be a function, got ${describe(callback)}`);
    }
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  /** @internal Weakly consistent iteration, a hash group (one stripe lock) at a time. */
  *_iterate(mode: IterMode): Generator<unknown, undefined, undefined> {
    const t = this._t;
    t.refresh();
    const B0 = t.B;
    const seq = t.clearSeq;
    const buf: unknown[] = [];
    for (let g = 0; g < 1 << B0; g++) {
      if (t.clearSeq !== seq || !t.group(g, B0, buf)) return undefined;
      for (let i = 0; i < buf.length; i += 4) {
        if (mode === 0) yield this._keyOf(buf[i] as number, buf[i + 1] as number);
        else if (mode === 1) yield this._iterValue(buf[i + 2], buf[i + 3] as number);
        else yield [this._keyOf(buf[i] as number, buf[i + 1] as number), this._iterValue(buf[i + 2], buf[i + 3] as number)];
      }
    }
    return undefined;
  }

  keys(): IterableIterator<K> {
    return this._iterate(0) as IterableIterator<K>;
  }

  values(): IterableIterator<V> {
    return this._iterate(1) as IterableIterator<V>;
  }

  entries(): IterableIterator<[K, V]> {
    return this._iterate(2) as IterableIterator<[K, V]>;
  }

  declare [Symbol.iterator]: () => IterableIterator<[K, V]>;

  get [Symbol.toStringTag](): string {
    return 'HashMap';
  }

  /** The table's shape (racy snapshot): buckets, overflow, growth progress and bytes of bucket memory. */
  stats(): { count: number; B: number; buckets: number; overflowBuckets: number; loadFactor: number; growing: boolean; sameSizeGrow: boolean; oldBuckets: number; evacuated: number; bytes: number } {
    const s = this._t.stats();
    return { ...s, loadFactor: s.count / s.buckets };
  }

  /**
   * Every counter and gauge (HashMapMetrics, plus `shared`: lock, read-retry and evacuation counters).
   * Counters sum the work of every thread since metrics were turned on (in shared memory); latency holds this
   * thread's samples.
   */
  metrics(): SharedHashMapMetrics {
    const t = this._t;
    const st = t.stats();
    const g = t.growths;
    const latency = {} as Record<SampledOp, LatencySnapshot>;
    for (const op of sampledOps) latency[op] = this._latency === null ? new LatencyHistogram().snapshot() : this._latency[op].snapshot();
    return {
      enabled: t.metricsOn,
      hits: t.counter(Mc.hits),
      misses: t.counter(Mc.misses),
      inserts: t.counter(Mc.inserts),
      updates: t.counter(Mc.updates),
      deletes: t.counter(Mc.deletes),
      clears: t.counter(Mc.clears),
      doublings: g.doublings,
      sameSizeGrowths: g.sameSize,
      evacuatedBuckets: g.evacuated,
      count: st.count,
      B: st.B,
      buckets: st.buckets,
      overflowBuckets: st.overflowBuckets,
      loadFactor: st.count / st.buckets,
      bytes: st.bytes,
      growing: st.growing ? 1 : 0,
      evacuationProgress: st.growing ? st.evacuated / st.oldBuckets : 0,
      sampleEvery: t.metricsOn ? this._sampleEvery : 0,
      latency,
      shared: {
        lockAcquisitions: t.counter(Mc.lockAcquisitions),
        contendedAcquisitions: t.counter(Mc.contended),
        starvationWaits: 0,
        readRetries: t.counter(Mc.readRetries),
        lockedReads: t.counter(Mc.lockedReads),
        ownEvacuations: t.counter(Mc.ownEvacuations),
        helpedEvacuations: t.counter(Mc.helpedEvacuations),
      },
    };
  }

  /**
   * @internal Turns counting on for every thread using the map (instrument() calls it); sets this thread's
   * sampling; returns this thread's latency sinks.
   */
  _enableMetrics(options?: MetricsOptions): LatencySink[] {
    if (options !== undefined) {
      const every = options.sampleEvery ?? defaultSampleEvery;
      if (!(Number.isInteger(every) && every >= 1 && every <= 1 << 20)) {
        throw new RangeError(`hmap: metrics sampleEvery must be an integer in [1, ${1 << 20}], got ${describe(options.sampleEvery)}`);
      }
      this._sampleEvery = every;
      this._countdown = every;
    }
    this._t.enableMetrics();
    return this._sinks;
  }

  /** Checks every invariant with the map held exclusively (O(n)); throws an InvariantError naming the first broken. */
  verify(): void {
    this._t.verify();
  }

  /** A structured-cloneable handle: post it to a worker and call HashMap.attach(handle) there. */
  share(): SharedHashMapHandle {
    return { kind: 'hmap.SharedHashMap', key: this.keyKind, value: this.valueKind, table: this._t.share() };
  }

  /**
   * Crash recovery: call in the thread that spawns a worker using this map. When the worker stops (whatever
   * the way), locks it held are taken over by the next thread that needs them, which repairs the map.
   */
  watch<W extends Worker>(worker: W): W {
    return this._t.registry.watch(worker);
  }
}

Object.defineProperty(SharedHashMap.prototype, Symbol.iterator, {
  value: SharedHashMap.prototype.entries,
  writable: true,
  configurable: true,
  enumerable: false,
});

class SharedInt32Map<V> extends SharedHashMap<number, V> {
  override _key(key: unknown): number {
    if (!isInt32(key)) rejectKind('int32', 'key', key);
    const w0 = key | 0;
    this._w0 = w0;
    this._w1 = 0;
    return hash1(w0, this._t.seed);
  }
  override _keyOf(w0: number): number {
    return w0;
  }
}

class SharedUint32Map<V> extends SharedHashMap<number, V> {
  override _key(key: unknown): number {
    if (!isUint32(key)) rejectKind('uint32', 'key', key);
    const w0 = key | 0;
    this._w0 = w0;
    this._w1 = 0;
    return hash1(w0, this._t.seed);
  }
  override _keyOf(w0: number): number {
    return w0 >>> 0;
  }
}

class SharedFloat64Map<V> extends SharedHashMap<number, V> {
  override _key(key: unknown): number {
    if (typeof key !== 'number') rejectKind('float64', 'key', key);
    const w0 = float64Words(key);
    const w1 = scratchHigh();
    this._w0 = w0;
    this._w1 = w1;
    return hash2(w0, w1, this._t.seed);
  }
  override _keyOf(w0: number, w1: number): number {
    vw32[0] = w0;
    vw32[1] = w1;
    return vf64[0]!;
  }
}

class SharedStringMap<V> extends SharedHashMap<string, V> {
  override _key(key: unknown): number {
    if (typeof key !== 'string') rejectKind('string', 'key', key);
    if (key.length > maxStringUnits) throw new RangeError(`hmap: shared maps hold strings of up to ${maxStringUnits} code units; this key has ${key.length}`);
    this._t.ks = key;
    return hashString(key, this._t.seed);
  }
  override _keyOf(w0: number): string {
    return w0 as unknown as string; // group() decoded it
  }
}

class SharedBigInt64Map<V> extends SharedHashMap<bigint, V> {
  override _key(key: unknown): number {
    if (!isBigInt64(key)) rejectKind('bigint64', 'key', key);
    const w0 = bigint64Words(key);
    const w1 = scratchHigh();
    this._w0 = w0;
    this._w1 = w1;
    return hash2(w0, w1, this._t.seed);
  }
  override _keyOf(w0: number, w1: number): bigint {
    vw32[0] = w0;
    vw32[1] = w1;
    return vb64[0]!;
  }
}

const classes = {
  int32: SharedInt32Map,
  uint32: SharedUint32Map,
  float64: SharedFloat64Map,
  bigint64: SharedBigInt64Map,
  string: SharedStringMap,
} as const;

const valueReps: Record<SharedKind, number> = { int32: ValueRep.int32, uint32: ValueRep.uint32, float64: ValueRep.float64, bigint64: ValueRep.bigint64, string: ValueRep.string };
const keyWords: Record<SharedKind, number> = { int32: 1, uint32: 1, float64: 2, bigint64: 2, string: 2 };
const keyCodes: Record<SharedKind, number> = { int32: 0, uint32: 1, float64: 2, bigint64: 3, string: 4 };

/** Checks that the kinds can be shared (TypeError naming the kind otherwise). */
export function checkSharedKinds(key: KeyKind, value: ValueKind): void {
  for (const [role, kind] of [['key', key], ['value', value]] as const) {
    if (!(sharedKinds as readonly string[]).includes(kind)) {
      throw new TypeError(
        kind === 'any'
          ? `hmap: a shared map cannot hold ${role}s of kind 'any' (objects cannot be shared between threads); use ${sharedKinds.join(', ')}`
          : `hmap: shared maps take ${role} kinds ${sharedKinds.join(', ')}, got '${kind}'`,
      );
    }
  }
}

export function createShared(o: SharedOptions): SharedHashMap<unknown, unknown> {
  const t = SharedTable.create({
    kw: keyWords[o.key],
    vk: valueReps[o.value],
    kk: keyCodes[o.key],
    hint: o.capacity,
    seed: o.seed,
    loadFactor: o.loadFactor,
    concurrency: o.concurrency,
    maxBytes: o.maxBytes,
  });
  const m = new classes[o.key](t, o.key, o.value) as SharedHashMap<unknown, unknown>;
  if (o.metrics !== undefined && o.metrics !== false) m._enableMetrics(o.metrics === true ? undefined : o.metrics);
  return m;
}

export function attachShared(handle: unknown): SharedHashMap<unknown, unknown> {
  const h = handle as SharedHashMapHandle;
  if (typeof h !== 'object' || h === null || h.kind !== 'hmap.SharedHashMap' || !(h.key in classes) || !(h.value in valueReps)) {
    throw new TypeError(`hmap: HashMap.attach needs a handle made by share() of a shared HashMap, got ${describe(handle)}`);
  }
  const t = SharedTable.attach(h.table);
  if (t.kw !== keyWords[h.key] || t.vk !== valueReps[h.value] || t.kk !== keyCodes[h.key]) throw new TypeError('hmap: HashMap.attach: the handle\'s kinds do not match its table');
  return new classes[h.key](t, h.key, h.value) as SharedHashMap<unknown, unknown>;
}
