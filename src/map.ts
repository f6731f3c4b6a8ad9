// HashMap: the typed, Map-compatible API over the raw table (hashbrown's split: table/ knows layout and
// probing, this file knows JS values). Each key kind is its own subclass, so the hot methods' key handling
// (check, words, hash) is monomorphic per kind instead of branching on the kind on every call.

import { hash1, hash2, hashString } from './hash.js';
import {
  KeyKind,
  KeyType,
  ValueKind,
  ValueType,
  bigint64Words,
  describe,
  float64Words,
  isBigInt64,
  isInt32,
  isUint32,
  keyKinds,
  rejectKind,
  scratchHigh,
  valueKindCode,
  valueKinds,
  wordsOf,
} from './kinds/kinds.js';
import { mapaccess, mapaccess1Fast32, mapaccess1Fast64 } from './table/access.js';
import { hashAny, mapaccessAny, mapaccessAnySeg, mapassignAny, mapdeleteAny } from './table/anykeys.js';
import { mapassign, mapassignFast32 } from './table/assign.js';
import { mapdelete } from './table/delete.js';
import { growWork } from './table/grow.js';
import { GrowthMode, Hmap, growthModes } from './table/hmap.js';
import { MapIter, mapiternext } from './table/iterate.js';
import { Bucket, Layout, Segment, ValueRep } from './table/layout.js';
import { mapaccessStr, mapaccessStrForWrite, mapaccessStrSeg, mapassignStr, mapdeleteStr, storeStrValue } from './table/strings.js';
import { verify } from './table/verify.js';
import { totalmem } from 'node:os';
import { randomSeed } from './hash.js';
import { Concurrency, SharedHashMap, SharedHashMapHandle, SharedKind, SharedOptions, attachShared, checkSharedKinds, concurrencies, createShared } from './shared/map.js';
import {
  HashMapMetrics,
  LatencySink,
  MetricsOptions,
  MetricsState,
  meterDelete,
  meterDeleteIf,
  meterGet,
  countGet,
  countSet,
  armed,
  meterGetOrInsert,
  meterGetOrInsertComputed,
  meterHas,
  meterIncrement,
  meterSet,
  meterUpdate,
  metricsStateFor,
  snapshotMetrics,
} from './metrics.js';

export interface HashMapOptions<KN extends KeyKind = KeyKind, VN extends ValueKind = ValueKind> {
  /** Key kind: 'int32' | 'uint32' | 'float64' | 'bigint64' | 'string', or 'any' for every JS value (SameValueZero, as Map). */
  key: KN;
  /** Value kind: a key kind, or 'any' for any JS value (held in a side array). */
  value: VN;
  /** Entries to hold before the first growth, like Go's make(map, n). Default 0. */
  capacity?: number;
  /** Fixed 32-bit hash seed for reproducible layouts (tests, experiments). Default: random, re-drawn when the map empties. */
  seed?: number;
  /** Average entries per bucket that triggers doubling. Default 6.5 (Go's). For experiments. */
  loadFactor?: number;
  /** 'incremental' (default) or 'all-at-once': evacuate the whole table inside the growing call. For experiments. */
  growth?: GrowthMode;
  /** Count hits, misses, inserts, updates, deletes and sample latencies (m.metrics(), hmap/otel). Default false. */
  metrics?: boolean | MetricsOptions;
  /**
   * Put the map in shared memory, for many worker threads at once (share() / HashMap.attach). Key and value
   * kinds int32, uint32, float64, bigint64. Default false.
   */
  shared?: boolean;
  /**
   * Shared maps: 'locked' (default): every single-key operation is linearizable from any number of threads;
   * 'none': no locks, the caller synchronizes, and a second concurrent writer throws ConcurrentWriteError.
   */
  concurrency?: Concurrency;
  /** Shared maps: the most shared memory the map may take, in bytes (default: the machine's memory). */
  maxBytes?: number;
}

export interface HashMapStats {
  /** Entries. */
  count: number;
  /** log2 of the main bucket count. */
  B: number;
  /** Main buckets, 2^B. */
  buckets: number;
  /** Overflow buckets in use, old array included while growing. */
  overflowBuckets: number;
  /** count / buckets. */
  loadFactor: number;
  growing: boolean;
  sameSizeGrow: boolean;
  /** Buckets of the old array while growing, else 0. */
  oldBuckets: number;
  /** Old buckets evacuated so far in the current growth. */
  evacuated: number;
  /** Every ArrayBuffer byte the map holds: buckets and, for string kinds, arena chunks (old ones while growing). */
  bytes: number;
}

const optionNames = ['key', 'value', 'capacity', 'seed', 'loadFactor', 'growth', 'metrics', 'shared', 'concurrency', 'maxBytes'];
const construct = Symbol('hmap.construct');

interface Config {
  keyKind: KeyKind;
  valueKind: ValueKind;
  h: Hmap;
  metrics: MetricsState | null;
}

/** validateOptions' answer for a shared map. */
interface SharedConfig {
  shared: SharedOptions;
}

/** The smallest maxBytes of a shared map: its first table and room to grow a little. */
const minSharedBytes = 1 << 16;

/** What `new HashMap()` and `new HashMap(entries)` mean: Map's semantics, every key and value. */
const defaultOptions: HashMapOptions = { key: 'any', value: 'any' };

function isIterable(x: unknown): boolean {
  return x !== null && x !== undefined && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function validateOptions(options: unknown): Config | SharedConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `hmap: new HashMap(x) takes an iterable of [key, value] entries or options like { key: 'int32', value: 'float64' }, got ${describe(options)}`,
    );
  }
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!optionNames.includes(name)) {
      throw new TypeError(`hmap: unknown option ${JSON.stringify(name)}; options are ${optionNames.join(', ')}`);
    }
  }
  if (!keyKinds.includes(o.key as KeyKind)) {
    throw new TypeError(`hmap: option key must be one of ${keyKinds.join(', ')}, got ${describe(o.key)}`);
  }
  if (!valueKinds.includes(o.value as ValueKind)) {
    throw new TypeError(`hmap: option value must be one of ${valueKinds.join(', ')}, got ${describe(o.value)}`);
  }
  // Absent means undefined; any other value, null included, must be of the option's type (TypeError) and in
  // its range (RangeError), the same rule as for keys and values.
  const capacity = o.capacity === undefined ? 0 : o.capacity;
  if (typeof capacity !== 'number') {
    throw new TypeError(`hmap: option capacity must be a number, got ${describe(o.capacity)}`);
  }
  if (!Number.isSafeInteger(capacity) || capacity < 0) {
    throw new RangeError(`hmap: option capacity must be a non-negative safe integer, got ${describe(o.capacity)}`);
  }
  if (o.seed !== undefined && typeof o.seed !== 'number') {
    throw new TypeError(`hmap: option seed must be a number, got ${describe(o.seed)}`);
  }
  if (o.seed !== undefined && !isUint32(o.seed)) {
    throw new RangeError(`hmap: option seed must be an integer in [0, 4294967295], got ${describe(o.seed)}`);
  }
  const loadFactor = o.loadFactor === undefined ? 6.5 : o.loadFactor;
  if (typeof loadFactor !== 'number') {
    throw new TypeError(`hmap: option loadFactor must be a number, got ${describe(o.loadFactor)}`);
  }
  if (!(loadFactor >= 0.5 && loadFactor <= 64)) {
    throw new RangeError(`hmap: option loadFactor must be a number in [0.5, 64], got ${describe(o.loadFactor)}`);
  }
  const growth = o.growth === undefined ? 'incremental' : o.growth;
  if (!growthModes.includes(growth as GrowthMode)) {
    throw new TypeError(`hmap: option growth must be one of ${growthModes.join(', ')}, got ${describe(o.growth)}`);
  }
  if (o.shared !== undefined && typeof o.shared !== 'boolean') {
    throw new TypeError(`hmap: option shared must be a boolean, got ${describe(o.shared)}`);
  }
  const keyKind = o.key as KeyKind;
  const valueKind = o.value as ValueKind;
  if (o.shared === true) {
    checkSharedKinds(keyKind, valueKind);
    const concurrency = o.concurrency === undefined ? 'locked' : o.concurrency;
    if (!concurrencies.includes(concurrency as Concurrency)) {
      throw new TypeError(`hmap: option concurrency must be one of ${concurrencies.join(', ')}, got ${describe(o.concurrency)}`);
    }
    const maxBytes = o.maxBytes === undefined ? totalmem() : o.maxBytes;
    if (typeof maxBytes !== 'number') throw new TypeError(`hmap: option maxBytes must be a number, got ${describe(o.maxBytes)}`);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < minSharedBytes) {
      throw new RangeError(`hmap: option maxBytes must be an integer of at least ${minSharedBytes}, got ${describe(o.maxBytes)}`);
    }
    if (o.growth !== undefined && o.growth !== 'incremental') throw new TypeError(`hmap: shared maps grow incrementally; option growth must be 'incremental'`);
    // Validated as for private maps; a shared map keeps its counters in shared memory (shared/map.ts).
    const metrics = metricsStateFor(o.metrics);
    return {
      shared: {
        key: keyKind as SharedKind,
        value: valueKind as SharedKind,
        capacity,
        seed: o.seed === undefined ? randomSeed() : (o.seed as number) | 0,
        loadFactor,
        concurrency: concurrency as Concurrency,
        maxBytes,
        metrics: metrics === null ? false : { sampleEvery: metrics.sampleEvery },
      },
    };
  }
  for (const name of ['concurrency', 'maxBytes']) {
    if (o[name] !== undefined) throw new TypeError(`hmap: option ${name} needs shared: true`);
  }
  const metrics = metricsStateFor(o.metrics);
  const layout = new Layout(keyKind === 'any' ? 1 : wordsOf(keyKind), valueKindCode(valueKind), keyKind === 'string', keyKind === 'any');
  const h = new Hmap({ layout, hint: capacity, seed: o.seed as number | undefined, loadFactor, growth: growth as GrowthMode });
  return { keyKind, valueKind, h, metrics };
}

type IterMode = 0 | 1 | 2; // keys, values, entries

/** Iterator over a HashMap (keys, values or entries); also iterable, like Map's iterators. */
export class HashMapIterator<T> implements IterableIterator<T> {
  private readonly map: HashMapImpl<unknown, unknown>;
  private readonly it: MapIter;
  private readonly mode: IterMode;

  /** @internal */
  constructor(map: HashMapImpl<unknown, unknown>, mode: IterMode) {
    this.map = map;
    this.it = new MapIter(map._h);
    this.mode = mode;
  }

  next(): IteratorResult<T> {
    const it = this.it;
    if (!mapiternext(it)) return { value: undefined, done: true };
    const m = this.map;
    let value: unknown;
    if (this.mode === 0) value = m._keyAt(it.seg, it.slot);
    else if (this.mode === 1) value = m._valueAt(it.seg, it.slot);
    else value = [m._keyAt(it.seg, it.slot), m._valueAt(it.seg, it.slot)];
    return { value: value as T, done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'HashMap Iterator';
  }
}

/**
 * The implementation class. Use it through `HashMap`, whose constructor picks the subclass for the key kind.
 */
export abstract class HashMapImpl<K, V> {
  /** @internal */ readonly _h!: Hmap;
  /** @internal */ readonly _keyKind!: KeyKind;
  /** @internal */ readonly _valueKind!: ValueKind;
  /** @internal */ readonly _vk!: number;
  /** @internal Counters, when metrics are on. */
  _metrics: MetricsState | null = null;
  /**
   * @internal 0 while metrics are off (and while a meterX function runs the plain code of a counted call); when
   * on, 2 if the next counted call is the one to time, else 1 (armed(), metrics.ts). Every counted method starts
   * with `if (this._meter) return meterX(this, ...)`, the numeric gets with `if (this._meter > 1)` and count
   * inline, so metered or not, every map of a kind has one class and one hidden class: call sites stay
   * monomorphic.
   */
  _meter = 0;
  /** @internal Words of the key being processed (set by _key). */ _w0 = 0;
  /** @internal */ _w1 = 0;

  constructor(first?: HashMapOptions | Config | Iterable<readonly [unknown, unknown]> | null, second?: HashMapOptions | typeof construct) {
    if (second !== construct) {
      // `new HashMap(options)` or `new HashMap(entries, options)`: validate, build the subclass for the key kind
      // instead, then add the entries as Map's constructor does (set() for each [key, value] entry object).
      // With one argument, nothing, null, undefined or an iterable is Map's constructor argument, with 'any' keys
      // and values; anything else must be options.
      let entries: unknown;
      let options: unknown;
      if (second !== undefined) {
        entries = first;
        options = second;
      } else if (first === undefined || first === null || isIterable(first)) {
        entries = first;
        options = defaultOptions;
      } else {
        options = first;
      }
      const config = validateOptions(options);
      if ('shared' in config) {
        const sm = createShared(config.shared) as unknown as HashMapImpl<K, V>;
        if (entries !== undefined && entries !== null) HashMapImpl.prototype._addEntries.call(sm, entries);
        return sm;
      }
      const c = config;
      const m = new subclassFor[c.keyKind](c, construct) as unknown as HashMapImpl<K, V>;
      if (entries !== undefined && entries !== null) m._addEntries(entries);
      return m;
    }
    const cfg = first as Config;
    this._h = cfg.h;
    this._keyKind = cfg.keyKind;
    this._valueKind = cfg.valueKind;
    this._vk = valueKindCode(cfg.valueKind);
    this._metrics = cfg.metrics;
    this._meter = cfg.metrics === null ? 0 : armed(cfg.metrics);
  }

  /** @internal Map's AddEntriesFromIterable: each item must be an object; its [0] and [1] are key and value. */
  _addEntries(entries: unknown): void {
    if (typeof (entries as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
      throw new TypeError(`hmap: entries must be iterable (like Map's constructor argument), got ${describe(entries)}`);
    }
    for (const item of entries as Iterable<unknown>) {
      if ((typeof item !== 'object' && typeof item !== 'function') || item === null) {
        throw new TypeError(`hmap: iterator value ${describe(item)} is not an entry object`);
      }
      const e = item as { 0: K; 1: V };
      this.set(e[0], e[1]);
    }
  }

  /** @internal Checks the key, leaves its words in _w0/_w1 and returns its hash. Throws on a bad key. */
  abstract _key(key: unknown): number;
  /** @internal Reads the key stored in slot `slot` of `seg`. */
  abstract _keyAt(seg: Segment, slot: number): K;

  /** @internal Throws if the value is outside the value kind. */
  _checkValue(value: unknown): void {
    switch (this._vk) {
      case ValueRep.int32:
        if (!isInt32(value)) rejectKind('int32', 'value', value);
        return;
      case ValueRep.uint32:
        if (!isUint32(value)) rejectKind('uint32', 'value', value);
        return;
      case ValueRep.float64:
        if (typeof value !== 'number') rejectKind('float64', 'value', value);
        return;
      case ValueRep.bigint64:
        if (!isBigInt64(value)) rejectKind('bigint64', 'value', value);
        return;
      case ValueRep.string:
        if (typeof value !== 'string') rejectKind('string', 'value', value);
        return;
    }
  }

  /** @internal Whether a value is inside the value kind (the check of _checkValue, without throwing). */
  _fits(value: unknown): boolean {
    switch (this._vk) {
      case ValueRep.int32:
        return isInt32(value);
      case ValueRep.uint32:
        return isUint32(value);
      case ValueRep.float64:
        return typeof value === 'number';
      case ValueRep.bigint64:
        return isBigInt64(value);
      case ValueRep.string:
        return typeof value === 'string';
      default:
        return true;
    }
  }

  /** @internal Reads the value in slot `slot` of `seg`. */
  _valueAt(seg: Segment, slot: number): V {
    // values[0]'s word w (even), and the slot's index i: one-word values at w + i, two-word ones at 2 * (w/2 + i).
    const t = this._h.buckets;
    const w = (slot >>> 3) * t.bw + t.voff;
    const i = slot & (Bucket.cnt - 1);
    switch (this._vk) {
      case ValueRep.int32:
        return seg.i32[w + i] as V;
      case ValueRep.uint32:
        return (seg.i32[w + i]! >>> 0) as V;
      case ValueRep.float64:
        return seg.f64[(w >>> 1) + i] as V;
      case ValueRep.bigint64:
        return seg.b64[(w >>> 1) + i] as V;
      case ValueRep.string:
        return seg.arena!.read(seg.i32[w + 2 * i]!, seg.i32[w + 2 * i + 1]!) as V;
      default:
        return (seg.side === null ? undefined : seg.side[slot]) as V;
    }
  }

  /** @internal Writes an already checked value into slot `slot` of `seg`. */
  _store(seg: Segment, slot: number, value: unknown): void {
    // As in _valueAt: no load of the value width, which each kind knows.
    const t = this._h.buckets;
    const w = (slot >>> 3) * t.bw + t.voff;
    const i = slot & (Bucket.cnt - 1);
    switch (this._vk) {
      case ValueRep.int32:
      case ValueRep.uint32:
        seg.i32[w + i] = value as number;
        return;
      case ValueRep.float64:
        seg.f64[(w >>> 1) + i] = value as number;
        return;
      case ValueRep.bigint64:
        seg.b64[(w >>> 1) + i] = value as bigint;
        return;
      case ValueRep.string:
        storeStrValue(this._h, seg, slot, value as string);
        return;
      default:
        seg.sideValues()[slot] = value;
    }
  }

  get size(): number {
    return this._h.count;
  }

  get(key: K): V | undefined {
    if (this._meter) return meterGet(this, key) as V | undefined;
    const h = this._h;
    const seg = mapaccess(h, this._key(key), this._w0, this._w1);
    return seg === null ? undefined : this._valueAt(seg, h.hitSlot);
  }

  has(key: K): boolean {
    if (this._meter) return meterHas(this, key) as boolean;
    return mapaccess(this._h, this._key(key), this._w0, this._w1) !== null;
  }

  set(key: K, value: V): this {
    if (this._meter > 1) return meterSet(this, key, value) as this;
    const hash = this._key(key);
    this._checkValue(value);
    const h = this._h;
    const count = h.count;
    const seg = mapassign(h, hash, this._w0, this._w1);
    this._store(seg, h.hitSlot, value);
    if (this._meter) countSet(this, h.count !== count);
    return this;
  }

  /**
   * @internal set() of a one-word key (int32, uint32) the subclass has checked, as the word w0: Go's
   * mapassign_fast32 path (mapassignFast32), falling back to mapassign inside it.
   */
  _set32(w0: number, value: V): this {
    this._checkValue(value);
    const h = this._h;
    const count = h.count;
    const seg = mapassignFast32(h, hash1(w0, h.seed), w0);
    this._store(seg, h.hitSlot, value);
    if (this._meter) countSet(this, h.count !== count);
    return this;
  }

  delete(key: K): boolean {
    if (this._meter) return meterDelete(this, key) as boolean;
    return mapdelete(this._h, this._key(key), this._w0, this._w1);
  }

  clear(): void {
    this._h.clear();
    if (this._meter) this._metrics!.clears++;
  }

  /**
   * Returns the key's value; if the key is absent, inserts `value` first and returns it (TC39 upsert
   * proposal's Map.prototype.getOrInsert). One hash and one probe. Key and value are checked first, so a bad
   * value throws even when the key is present, and the map is left unchanged.
   */
  getOrInsert(key: K, value: V): V {
    if (this._meter) return meterGetOrInsert(this, key, value) as V;
    const hash = this._key(key);
    this._checkValue(value);
    const h = this._h;
    const before = h.count;
    const seg = mapassign(h, hash, this._w0, this._w1);
    if (h.count === before) return this._valueAt(seg, h.hitSlot);
    this._store(seg, h.hitSlot, value);
    return value;
  }

  /**
   * Returns the key's value; if the key is absent, calls `callback(key)`, inserts what it returns and returns
   * that (TC39 upsert proposal's Map.prototype.getOrInsertComputed). A hit costs one hash and one probe. The
   * callback may use the map; as in the proposal, its result is stored under the key afterwards whatever it
   * did. If the callback throws or returns a value outside the value kind, nothing is inserted.
   */
  getOrInsertComputed(key: K, callback: (key: K) => V): V {
    if (this._meter) return meterGetOrInsertComputed(this, key, callback) as V;
    const hash = this._key(key);
    if (typeof callback !== 'function') {
      throw new TypeError(`hmap: getOrInsertComputed callback must be a function, got ${describe(callback)}`);
    }
    const h = this._h;
    const seg = mapaccess(h, hash, this._w0, this._w1);
    if (seg !== null) return this._valueAt(seg, h.hitSlot);
    const value = callback(key);
    this._checkValue(value);
    this.set(key, value);
    return value;
  }

  /**
   * Sets the key to `updater(current value, key)`, where the current value is undefined for an absent key,
   * and returns the new value. If the updater throws or returns a value outside the value kind, the map is
   * left unchanged. The updater may use the map; its result is stored afterwards.
   */
  update(key: K, updater: (value: V | undefined, key: K) => V): V {
    if (this._meter) return meterUpdate(this, key, updater) as V;
    const hash = this._key(key);
    if (typeof updater !== 'function') {
      throw new TypeError(`hmap: update updater must be a function, got ${describe(updater)}`);
    }
    const h = this._h;
    const seg = mapaccess(h, hash, this._w0, this._w1);
    const value = updater(seg === null ? undefined : this._valueAt(seg, h.hitSlot), key);
    this._checkValue(value);
    this.set(key, value);
    return value;
  }

  /** @internal increment's delta: checked against the value kind (default 1 or 1n); throws before any change. */
  _incrementDelta(delta: unknown): number | bigint {
    const vk = this._vk;
    if (vk === ValueRep.side || vk === ValueRep.string) {
      throw new TypeError(`hmap: increment needs a numeric value kind (int32, uint32, float64, bigint64); this map's values are '${this._valueKind}'`);
    }
    const big = vk === ValueRep.bigint64;
    const d = delta === undefined ? (big ? 1n : 1) : delta;
    if (typeof d !== (big ? 'bigint' : 'number')) {
      throw new TypeError(`hmap: increment delta must be a ${big ? 'bigint' : 'number'} for ${this._valueKind} values, got ${describe(delta)}`);
    }
    return d as number | bigint;
  }

  /** @internal old (undefined: absent, counts as 0) plus d; throws a RangeError if it leaves the value kind. */
  _incremented(old: V | undefined, d: number | bigint, key: unknown): V {
    const value = (typeof d === 'bigint' ? ((old as bigint | undefined) ?? 0n) + d : ((old as number | undefined) ?? 0) + d) as V;
    if (!this._fits(value)) {
      throw new RangeError(`hmap: increment of ${describe(key)} by ${describe(d)} gives ${describe(value)}, outside the ${this._valueKind} value kind`);
    }
    return value;
  }

  /**
   * Adds `delta` (default 1) to the key's value, an absent key counting as 0, and returns the new value: a
   * counter in one call. Numeric value kinds only; `delta` is a bigint for bigint64 values (default 1n).
   * A result outside the value kind (an int32 overflow, say) throws a RangeError and changes nothing.
   * A present key costs one hash and one probe.
   */
  increment(key: K, delta?: V & (number | bigint)): V {
    if (this._meter) return meterIncrement(this, key, delta) as V;
    const hash = this._key(key);
    const d = this._incrementDelta(delta);
    const h = this._h;
    const seg = mapaccess(h, hash, this._w0, this._w1);
    const value = this._incremented(seg === null ? undefined : this._valueAt(seg, h.hitSlot), d, key);
    if (seg === null) this.set(key, value);
    else if (h.oldbuckets === null) this._store(seg, h.hitSlot, value);
    else {
      // Go's mapassign helps a running growth on every write, updates included: without this, a map whose
      // keys are only incremented would never finish growing and would hold its old table for good.
      growWork(h, hash & h.buckets.mask);
      this._store(mapaccess(h, hash, this._w0, this._w1)!, h.hitSlot, value);
    }
    return value;
  }

  /**
   * Deletes every entry for which `predicate(value, key)` returns a truthy value, in one pass over the map,
   * and returns how many it deleted. The predicate may use the map (iteration rules of the README apply).
   */
  deleteIf(predicate: (value: V, key: K) => unknown): number {
    if (this._meter) return meterDeleteIf(this, predicate) as number;
    if (typeof predicate !== 'function') {
      throw new TypeError(`hmap: deleteIf predicate must be a function, got ${describe(predicate)}`);
    }
    const it = new MapIter(this._h);
    let deleted = 0;
    while (mapiternext(it)) {
      const key = this._keyAt(it.seg, it.slot);
      if (predicate(this._valueAt(it.seg, it.slot), key) && this.delete(key)) deleted++;
    }
    return deleted;
  }

  forEach(callback: (value: V, key: K, map: this) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') {
      throw new TypeError(`hmap: forEach callback must be a function, got ${describe(callback)}`);
    }
    const it = new MapIter(this._h);
    while (mapiternext(it)) {
      callback.call(thisArg, this._valueAt(it.seg, it.slot), this._keyAt(it.seg, it.slot), this);
    }
  }

  keys(): HashMapIterator<K> {
    return new HashMapIterator<K>(this as HashMapImpl<unknown, unknown>, 0);
  }

  values(): HashMapIterator<V> {
    return new HashMapIterator<V>(this as HashMapImpl<unknown, unknown>, 1);
  }

  entries(): HashMapIterator<[K, V]> {
    return new HashMapIterator<[K, V]>(this as HashMapImpl<unknown, unknown>, 2);
  }

  declare [Symbol.iterator]: () => HashMapIterator<[K, V]>;

  get [Symbol.toStringTag](): string {
    return 'HashMap';
  }

  /** The table's shape: buckets, overflow, growth progress and bytes held. */
  stats(): HashMapStats {
    const h = this._h;
    const old = h.oldbuckets;
    return {
      count: h.count,
      B: h.B,
      buckets: h.buckets.nb,
      overflowBuckets: h.buckets.novf + (old === null ? 0 : old.novf),
      loadFactor: h.count / h.buckets.nb,
      growing: old !== null,
      sameSizeGrow: h.isSameSizeGrow(),
      oldBuckets: old === null ? 0 : old.nb,
      evacuated: old === null ? 0 : h.evacuated,
      bytes: h.bytes,
    };
  }

  /**
   * Every counter and gauge of the map: hits, misses, inserts, updates, deletes, growths, evacuations, the
   * table's shape and bytes, and sampled latencies. Counters are 0 unless metrics are on (option metrics, or
   * instrument() from hmap/otel); gauges are always read from the table.
   */
  metrics(): HashMapMetrics {
    return snapshotMetrics(this._h, this._metrics);
  }

  /** @internal Turns metrics on (instrument() calls it) and returns the latency sinks of the map's state. */
  _enableMetrics(options?: MetricsOptions): LatencySink[] {
    if (this._metrics === null) {
      this._metrics = metricsStateFor(options ?? true)!;
      this._meter = armed(this._metrics);
    } else if (options !== undefined) {
      metricsStateFor(options);
    }
    return this._metrics!.sinks;
  }

  /** Checks every invariant of the table (O(n)); throws an InvariantError naming the first one broken. */
  verify(): void {
    verify(this._h);
  }
}

// As for Map, the default iterator is the entries method itself (Map.prototype[@@iterator] === entries).
Object.defineProperty(HashMapImpl.prototype, Symbol.iterator, {
  value: HashMapImpl.prototype.entries,
  writable: true,
  configurable: true,
  enumerable: false,
});

// Key rejections out of line: a call with one argument is 13 bytes of bytecode shorter than rejectKind's, which
// pays for the metrics test in get (Int32KeyMap.get must stay small enough to be inlined: metrics.ts).
function rejectInt32Key(key: unknown): never {
  rejectKind('int32', 'key', key);
}

function rejectUint32Key(key: unknown): never {
  rejectKind('uint32', 'key', key);
}

class Int32KeyMap<V> extends HashMapImpl<number, V> {
  override get(key: number): V | undefined {
    if (this._meter > 1) return meterGet(this, key) as V | undefined;
    if (!isInt32(key)) rejectInt32Key(key);
    const h = this._h;
    const w0 = key | 0;
    const v = mapaccess1Fast32(h, hash1(w0, h.seed), w0) as V | undefined;
    if (this._meter) countGet(this, v, key);
    return v;
  }

  override set(key: number, value: V): this {
    if (this._meter > 1) return meterSet(this, key, value) as this;
    if (!isInt32(key)) rejectInt32Key(key);
    return this._set32(key | 0, value);
  }

  override _key(key: unknown): number {
    if (!isInt32(key)) rejectInt32Key(key);
    const w0 = key | 0;
    this._w0 = w0;
    return hash1(w0, this._h.seed);
  }

  override _keyAt(seg: Segment, slot: number): number {
    const layout = this._h.layout;
    return seg.i32[(slot >>> 3) * layout.bw + 2 + (slot & (Bucket.cnt - 1))]!;
  }
}

class Uint32KeyMap<V> extends HashMapImpl<number, V> {
  override get(key: number): V | undefined {
    if (this._meter > 1) return meterGet(this, key) as V | undefined;
    if (!isUint32(key)) rejectUint32Key(key);
    const h = this._h;
    const w0 = key | 0;
    const v = mapaccess1Fast32(h, hash1(w0, h.seed), w0) as V | undefined;
    if (this._meter) countGet(this, v, key);
    return v;
  }

  override set(key: number, value: V): this {
    if (this._meter > 1) return meterSet(this, key, value) as this;
    if (!isUint32(key)) rejectUint32Key(key);
    return this._set32(key | 0, value);
  }

  override _key(key: unknown): number {
    if (!isUint32(key)) rejectUint32Key(key);
    const w0 = key | 0;
    this._w0 = w0;
    return hash1(w0, this._h.seed);
  }

  override _keyAt(seg: Segment, slot: number): number {
    const layout = this._h.layout;
    return seg.i32[(slot >>> 3) * layout.bw + 2 + (slot & (Bucket.cnt - 1))]! >>> 0;
  }
}

class Float64KeyMap<V> extends HashMapImpl<number, V> {
  override get(key: number): V | undefined {
    if (this._meter > 1) return meterGet(this, key) as V | undefined;
    const h = this._h;
    const v = mapaccess1Fast64(h, this._key(key), this._w0, this._w1) as V | undefined;
    if (this._meter) countGet(this, v, key);
    return v;
  }

  override _key(key: unknown): number {
    if (typeof key !== 'number') rejectKind('float64', 'key', key);
    const w0 = float64Words(key);
    const w1 = scratchHigh();
    this._w0 = w0;
    this._w1 = w1;
    return hash2(w0, w1, this._h.seed);
  }

  override _keyAt(seg: Segment, slot: number): number {
    const layout = this._h.layout;
    return seg.f64[((slot >>> 3) * layout.bw + 2 + (slot & (Bucket.cnt - 1)) * 2) >>> 1]!;
  }
}

class BigInt64KeyMap<V> extends HashMapImpl<bigint, V> {
  override get(key: bigint): V | undefined {
    if (this._meter > 1) return meterGet(this, key) as V | undefined;
    const h = this._h;
    const v = mapaccess1Fast64(h, this._key(key), this._w0, this._w1) as V | undefined;
    if (this._meter) countGet(this, v, key);
    return v;
  }

  override _key(key: unknown): number {
    if (!isBigInt64(key)) rejectKind('bigint64', 'key', key);
    const w0 = bigint64Words(key);
    const w1 = scratchHigh();
    this._w0 = w0;
    this._w1 = w1;
    return hash2(w0, w1, this._h.seed);
  }

  override _keyAt(seg: Segment, slot: number): bigint {
    const layout = this._h.layout;
    return seg.b64[((slot >>> 3) * layout.bw + 2 + (slot & (Bucket.cnt - 1)) * 2) >>> 1]!;
  }
}

/**
 * String keys: the table's string paths (table/strings.ts) take the key as a JS string, so every method that
 * finds a key is overridden here; the numeric subclasses keep the word-based paths of the base class.
 */
class StringKeyMap<V> extends HashMapImpl<string, V> {
  override _key(key: unknown): number {
    if (typeof key !== 'string') rejectKind('string', 'key', key);
    return hashString(key, this._h.seed);
  }

  override _keyAt(seg: Segment, slot: number): string {
    const layout = this._h.layout;
    const k = (slot >>> 3) * layout.bw + 2 + (slot & (Bucket.cnt - 1)) * 2;
    return seg.arena!.read(seg.i32[k]!, seg.i32[k + 1]!);
  }

  override get(key: string): V | undefined {
    if (this._meter) return meterGet(this, key) as V | undefined;
    const hash = this._key(key);
    return mapaccessStr(this._h, hash, key) as V | undefined;
  }

  override has(key: string): boolean {
    if (this._meter) return meterHas(this, key) as boolean;
    const hash = this._key(key);
    return mapaccessStrSeg(this._h, hash, key) !== null;
  }

  override set(key: string, value: V): this {
    if (this._meter) return meterSet(this, key, value) as this;
    const hash = this._key(key);
    this._checkValue(value);
    const h = this._h;
    const seg = mapassignStr(h, hash, key);
    this._store(seg, h.hitSlot, value);
    return this;
  }

  override delete(key: string): boolean {
    if (this._meter) return meterDelete(this, key) as boolean;
    const hash = this._key(key);
    return mapdeleteStr(this._h, hash, key);
  }

  override getOrInsert(key: string, value: V): V {
    if (this._meter) return meterGetOrInsert(this, key, value) as V;
    const hash = this._key(key);
    this._checkValue(value);
    const h = this._h;
    const before = h.count;
    const seg = mapassignStr(h, hash, key);
    if (h.count === before) return this._valueAt(seg, h.hitSlot);
    this._store(seg, h.hitSlot, value);
    return value;
  }

  override getOrInsertComputed(key: string, callback: (key: string) => V): V {
    if (this._meter) return meterGetOrInsertComputed(this, key, callback) as V;
    const hash = this._key(key);
    if (typeof callback !== 'function') {
      throw new TypeError(`hmap: getOrInsertComputed callback must be a function, got ${describe(callback)}`);
    }
    const h = this._h;
    const seg = mapaccessStrSeg(h, hash, key);
    if (seg !== null) return this._valueAt(seg, h.hitSlot);
    const value = callback(key);
    this._checkValue(value);
    this.set(key, value);
    return value;
  }

  override update(key: string, updater: (value: V | undefined, key: string) => V): V {
    if (this._meter) return meterUpdate(this, key, updater) as V;
    const hash = this._key(key);
    if (typeof updater !== 'function') {
      throw new TypeError(`hmap: update updater must be a function, got ${describe(updater)}`);
    }
    const h = this._h;
    const seg = mapaccessStrSeg(h, hash, key);
    const value = updater(seg === null ? undefined : this._valueAt(seg, h.hitSlot), key);
    this._checkValue(value);
    this.set(key, value);
    return value;
  }

  override increment(key: string, delta?: V & (number | bigint)): V {
    if (this._meter) return meterIncrement(this, key, delta) as V;
    const hash = this._key(key);
    if (delta === undefined && this._vk === ValueRep.int32) return this._countInt32(hash, key);
    const d = this._incrementDelta(delta);
    const h = this._h;
    const seg = mapaccessStrForWrite(h, hash, key);
    const value = this._incremented(seg === null ? undefined : this._valueAt(seg, h.hitSlot), d, key);
    if (seg !== null) this._store(seg, h.hitSlot, value);
    else this.set(key, value);
    return value;
  }

  /**
   * increment(key) of an int32-valued map, a word count's call: the value is read and written in place, without
   * the general path's checks of a delta and of the value kind (only the int32 overflow remains).
   */
  _countInt32(hash: number, key: string): V {
    const h = this._h;
    const seg = mapaccessStrForWrite(h, hash, key);
    if (seg === null) {
      this.set(key, 1 as V);
      return 1 as V;
    }
    const slot = h.hitSlot;
    const t = h.buckets;
    const w = (slot >>> 3) * t.bw + t.voff + (slot & (Bucket.cnt - 1));
    const old = seg.i32[w]!;
    if (old === 0x7fffffff) this._incremented(old as V, 1, key); // throws: outside the int32 value kind
    seg.i32[w] = old + 1;
    return (old + 1) as V;
  }
}

/**
 * Keys of kind 'any' (table/anykeys.ts): every JS value, SameValueZero, as Map. The table's 'any' paths take the
 * key itself, so every method that finds a key is overridden here, as StringKeyMap does. No key is rejected.
 */
class AnyKeyMap<V> extends HashMapImpl<unknown, V> {
  override _key(key: unknown): number {
    return hashAny(key, this._h.seed);
  }

  override _keyAt(seg: Segment, slot: number): unknown {
    return seg.kv![slot << 1];
  }

  /** Values of kind 'any' sit next to their key in Segment.kv (table/layout.ts); other kinds are in the bucket. */
  override _valueAt(seg: Segment, slot: number): V {
    return this._vk === ValueRep.side ? (seg.kv![(slot << 1) + 1] as V) : super._valueAt(seg, slot);
  }

  override _store(seg: Segment, slot: number, value: unknown): void {
    if (this._vk === ValueRep.side) seg.kv![(slot << 1) + 1] = value;
    else super._store(seg, slot, value);
  }

  override get(key: unknown): V | undefined {
    if (this._meter) return meterGet(this, key) as V | undefined;
    const h = this._h;
    return mapaccessAny(h, hashAny(key, h.seed), key) as V | undefined;
  }

  override has(key: unknown): boolean {
    if (this._meter) return meterHas(this, key) as boolean;
    const h = this._h;
    return mapaccessAnySeg(h, hashAny(key, h.seed), key) !== null;
  }

  override set(key: unknown, value: V): this {
    if (this._meter) return meterSet(this, key, value) as this;
    const h = this._h;
    const hash = hashAny(key, h.seed);
    this._checkValue(value);
    const seg = mapassignAny(h, hash, key);
    this._store(seg, h.hitSlot, value);
    return this;
  }

  override delete(key: unknown): boolean {
    if (this._meter) return meterDelete(this, key) as boolean;
    const h = this._h;
    return mapdeleteAny(h, hashAny(key, h.seed), key);
  }

  override getOrInsert(key: unknown, value: V): V {
    if (this._meter) return meterGetOrInsert(this, key, value) as V;
    const h = this._h;
    const hash = hashAny(key, h.seed);
    this._checkValue(value);
    const before = h.count;
    const seg = mapassignAny(h, hash, key);
    if (h.count === before) return this._valueAt(seg, h.hitSlot);
    this._store(seg, h.hitSlot, value);
    return value;
  }

  override getOrInsertComputed(key: unknown, callback: (key: unknown) => V): V {
    if (this._meter) return meterGetOrInsertComputed(this, key, callback) as V;
    if (typeof callback !== 'function') {
      throw new TypeError(`hmap: getOrInsertComputed callback must be a function, got ${describe(callback)}`);
    }
    const h = this._h;
    const seg = mapaccessAnySeg(h, hashAny(key, h.seed), key);
    if (seg !== null) return this._valueAt(seg, h.hitSlot);
    const value = callback(key);
    this._checkValue(value);
    this.set(key, value);
    return value;
  }

  override update(key: unknown, updater: (value: V | undefined, key: unknown) => V): V {
    if (this._meter) return meterUpdate(this, key, updater) as V;
    if (typeof updater !== 'function') {
      throw new TypeError(`hmap: update updater must be a function, got ${describe(updater)}`);
    }
    const h = this._h;
    const seg = mapaccessAnySeg(h, hashAny(key, h.seed), key);
    const value = updater(seg === null ? undefined : this._valueAt(seg, h.hitSlot), key);
    this._checkValue(value);
    this.set(key, value);
    return value;
  }

  override increment(key: unknown, delta?: V & (number | bigint)): V {
    if (this._meter) return meterIncrement(this, key, delta) as V;
    const d = this._incrementDelta(delta);
    const h = this._h;
    const hash = hashAny(key, h.seed);
    const seg = mapaccessAnySeg(h, hash, key);
    const value = this._incremented(seg === null ? undefined : this._valueAt(seg, h.hitSlot), d, key);
    if (seg === null) this.set(key, value);
    else if (h.oldbuckets === null) this._store(seg, h.hitSlot, value);
    else {
      // As in the base class: an update helps a running growth, as Go's mapassign does.
      growWork(h, hash & h.buckets.mask);
      this._store(mapaccessAnySeg(h, hash, key)!, h.hitSlot, value);
    }
    return value;
  }
}

const subclassFor: Record<KeyKind, new (cfg: Config, internal: typeof construct) => HashMapImpl<unknown, unknown>> = {
  int32: Int32KeyMap,
  uint32: Uint32KeyMap,
  float64: Float64KeyMap,
  bigint64: BigInt64KeyMap,
  string: StringKeyMap,
  any: AnyKeyMap,
};

/** A hash map with Go's runtime map design, entries off the JS heap. See the README for semantics. */
export type HashMap<K, V> = HashMapImpl<K, V>;

export interface HashMapConstructor {
  /**
   * Creates an empty map with Map's semantics: keys and values of any type (`{ key: 'any', value: 'any' }`),
   * keys compared with SameValueZero. Name the types as for Map: `new HashMap<string, User>()`.
   */
  new <K = unknown, V = unknown>(): HashMap<K, V>;
  /**
   * `new Map(entries)`'s drop-in: a map of 'any' keys and values holding the entries of any iterable of
   * [key, value] pairs (null or undefined for none). K and V are inferred from the entries, as for Map.
   */
  new <K, V>(entries: Iterable<readonly [K, V]> | null | undefined): HashMap<K, V>;
  /**
   * Creates an empty map for the given key and value kinds. K and V are inferred from the kinds; for
   * value 'any', pass V explicitly to narrow it: `new HashMap<'int32', 'any', Foo>({ key: 'int32', value: 'any' })`.
   */
  /** Creates an empty map in shared memory (option shared: true), for share() and HashMap.attach in workers. */
  new <KN extends SharedKind, VN extends SharedKind>(options: HashMapOptions<KN, VN> & { shared: true }): SharedHashMap<KeyType<KN>, ValueType<VN>>;
  new <KN extends KeyKind, VN extends ValueKind, V extends ValueType<VN> = ValueType<VN>>(
    options: HashMapOptions<KN, VN>,
  ): HashMap<KeyType<KN>, V>;
  /**
   * Creates a map and adds the entries, like `new Map(entries)`: any iterable of [key, value] pairs (null or
   * undefined for none). A key or value outside its kind throws, as set() does.
   */
  new <KN extends KeyKind, VN extends ValueKind, V extends ValueType<VN> = ValueType<VN>>(
    entries: Iterable<readonly [KeyType<KN>, V]> | null | undefined,
    options: HashMapOptions<KN, VN>,
  ): HashMap<KeyType<KN>, V>;
  /**
   * Entries and options of a map of 'any' keys and values, with the key and value types named as for Map:
   * `new HashMap<string, User>(null, { key: 'any', value: 'any', capacity: 1e6 })`.
   */
  new <K, V>(entries: Iterable<readonly [K, V]> | null | undefined, options: HashMapOptions<'any', 'any'>): HashMap<K, V>;
  readonly prototype: HashMap<unknown, unknown>;
  /** The shared map a handle from share() describes, in this thread (TypeError for anything else). */
  attach<K = unknown, V = unknown>(handle: SharedHashMapHandle): SharedHashMap<K, V>;
}

Object.defineProperty(HashMapImpl, 'attach', {
  value: function attach(handle: unknown) {
    return attachShared(handle);
  },
  writable: true,
  configurable: true,
  enumerable: false,
});

export const HashMap = HashMapImpl as unknown as HashMapConstructor;
