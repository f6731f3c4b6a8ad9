// hmap/otel: a map's metrics (metrics.ts) as OpenTelemetry instruments on a Meter the caller passes in.
//
// This module imports nothing at run time: the types come from @opentelemetry/api (an optional peer dependency)
// and the Meter from the caller, so `hmap` works without OpenTelemetry installed and `hmap/otel` works with any
// API-compatible SDK. Counters and gauges are observable instruments read from one m.metrics() snapshot per
// collection (a batch callback), so they cost nothing between collections; sampled latencies are recorded into
// a histogram as they happen.

import type { Attributes, BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import type { HashMapMetrics, LatencySink, MetricsOptions, SampledOp } from './metrics.js';
import { latencyBoundsNs } from './metrics.js';

/** The counters only shared maps report (shared/map.ts SharedMapMetrics). */
interface SharedCounters {
  lockAcquisitions: number;
  contendedAcquisitions: number;
  starvationWaits: number;
  readRetries: number;
  lockedReads: number;
  ownEvacuations: number;
  helpedEvacuations: number;
}

/** What instrument() needs of a map: HashMap and shared maps have it. */
export interface Instrumentable {
  metrics(): HashMapMetrics & { shared?: SharedCounters };
  /** @internal Turns counting on (if it is off) and returns the sink list of the map's metrics state. */
  _enableMetrics(options?: MetricsOptions): LatencySink[];
}

export interface InstrumentOptions {
  /** Where the instruments are created, e.g. `metrics.getMeter('my-service')` from @opentelemetry/api. */
  meter: Meter;
  /** The map's name: the value of the `hmap.name` attribute on every data point. */
  name: string;
  /** More attributes for every data point. */
  attributes?: Attributes;
  /** Sampling, if instrument() is what turns metrics on (default: one operation in 1024). */
  sampleEvery?: number;
}

export interface Instrumentation {
  /** Stops reporting: removes the callback and the latency sink (the map keeps counting). */
  detach(): void;
}

/**
 * The instruments, their units (UCUM, as OpenTelemetry's naming rules ask) and descriptions: the README lists
 * the same table.
 */
export const instrumentNames = {
  lookups: 'hmap.lookups',
  inserts: 'hmap.inserts',
  updates: 'hmap.updates',
  deletes: 'hmap.deletes',
  clears: 'hmap.clears',
  growths: 'hmap.growths',
  evacuations: 'hmap.evacuations',
  entries: 'hmap.entries',
  bucketsLog2: 'hmap.buckets.log2',
  buckets: 'hmap.buckets',
  overflowBuckets: 'hmap.buckets.overflow',
  loadFactor: 'hmap.load_factor',
  memory: 'hmap.memory.usage',
  growing: 'hmap.growing',
  evacuationProgress: 'hmap.evacuation.progress',
  duration: 'hmap.operation.duration',
  // Shared maps only:
  lockAcquisitions: 'hmap.lock.acquisitions',
  starvationWaits: 'hmap.lock.starvation_waits',
  readRetries: 'hmap.read.retries',
  lockedReads: 'hmap.read.locked',
  evacuationWork: 'hmap.evacuation.work',
} as const;

/**
 * Registers the map's counters, gauges and latency histogram on `meter`, and turns the map's metrics on if they
 * are off. Returns a handle whose detach() stops the reporting.
 */
export function instrument(map: Instrumentable, options: InstrumentOptions): Instrumentation {
  if (typeof map !== 'object' || map === null || typeof map._enableMetrics !== 'function') {
    throw new TypeError('hmap/otel: instrument needs a HashMap');
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('hmap/otel: instrument needs options { meter, name }');
  const { meter, name, attributes = {}, sampleEvery } = options;
  if (typeof meter !== 'object' || meter === null || typeof meter.createHistogram !== 'function' || typeof meter.addBatchObservableCallback !== 'function') {
    throw new TypeError('hmap/otel: options.meter must be an OpenTelemetry Meter');
  }
  if (typeof name !== 'string' || name === '') throw new TypeError('hmap/otel: options.name must be a non-empty string');
  if (typeof attributes !== 'object' || attributes === null) throw new TypeError('hmap/otel: options.attributes must be an object');
  const base: Attributes = { ...attributes, 'hmap.name': name };
  const sinks = map._enableMetrics(sampleEvery === undefined ? undefined : { sampleEvery });

  const n = instrumentNames;
  const lookups = meter.createObservableCounter(n.lookups, { unit: '{lookup}', description: 'Lookups by result (hmap.lookup.result: hit or miss): get, has, and getOrInsert of a present key' });
  const inserts = meter.createObservableCounter(n.inserts, { unit: '{entry}', description: 'Keys added by set and the upserts' });
  const updates = meter.createObservableCounter(n.updates, { unit: '{entry}', description: 'Values replaced by set and the upserts' });
  const deletes = meter.createObservableCounter(n.deletes, { unit: '{entry}', description: 'Entries removed by delete and deleteIf' });
  const clears = meter.createObservableCounter(n.clears, { unit: '{call}', description: 'clear() calls' });
  const growths = meter.createObservableCounter(n.growths, { unit: '{growth}', description: 'Growths started, by hmap.growth.kind (doubling or same_size)' });
  const evacuations = meter.createObservableCounter(n.evacuations, { unit: '{bucket}', description: 'Old buckets evacuated by incremental growth' });
  const entries = meter.createObservableUpDownCounter(n.entries, { unit: '{entry}', description: 'Live entries (size)' });
  const bucketsLog2 = meter.createObservableGauge(n.bucketsLog2, { unit: '1', description: 'B: log2 of the bucket count' });
  const buckets = meter.createObservableUpDownCounter(n.buckets, { unit: '{bucket}', description: 'Main buckets (2^B)' });
  const overflow = meter.createObservableUpDownCounter(n.overflowBuckets, { unit: '{bucket}', description: 'Overflow buckets in use (old and new table while growing)' });
  const loadFactor = meter.createObservableGauge(n.loadFactor, { unit: '1', description: 'Entries per main bucket' });
  const memory = meter.createObservableUpDownCounter(n.memory, { unit: 'By', description: 'Bytes of every buffer the map holds' });
  const growing = meter.createObservableGauge(n.growing, { unit: '1', description: '1 while a growth is under way, else 0' });
  const progress = meter.createObservableGauge(n.evacuationProgress, { unit: '1', description: 'Share of the old buckets evacuated in the current growth (0 when not growing)' });
  const duration = meter.createHistogram(n.duration, {
    unit: 's',
    description: 'Latency of sampled operations, by hmap.operation (get, has, set, delete, upsert)',
    advice: { explicitBucketBoundaries: latencyBoundsNs.map((ns) => ns / 1e9) },
  });

  const observables: Observable[] = [lookups, inserts, updates, deletes, clears, growths, evacuations, entries, bucketsLog2, buckets, overflow, loadFactor, memory, growing, progress];
  // A shared map's counters sum every thread's work (they live in shared memory).
  const shared = map.metrics().shared !== undefined;
  const lockAcq = shared ? meter.createObservableCounter(n.lockAcquisitions, { unit: '{acquisition}', description: 'Stripe lock acquisitions, by hmap.lock.contended (true: the thread had to wait)' }) : null;
  const starvation = shared ? meter.createObservableCounter(n.starvationWaits, { unit: '{wait}', description: 'Lock waits that entered starvation mode (0: the map\'s registry-bound locks never starve)' }) : null;
  const retries = shared ? meter.createObservableCounter(n.readRetries, { unit: '{retry}', description: 'Optimistic lookups retried because a writer or a header change overlapped them' }) : null;
  const lockedReads = shared ? meter.createObservableCounter(n.lockedReads, { unit: '{lookup}', description: 'Lookups that fell back to the stripe lock after repeated retries' }) : null;
  const evacWork = shared ? meter.createObservableCounter(n.evacuationWork, { unit: '{bucket}', description: 'Old chains evacuated by writers, by hmap.evacuation.cause (own_key: before writing a key there; help: helping the growth along)' }) : null;
  if (shared) observables.push(lockAcq!, starvation!, retries!, lockedReads!, evacWork!);
  const contendedAttr: Attributes = { ...base, 'hmap.lock.contended': true };
  const uncontendedAttr: Attributes = { ...base, 'hmap.lock.contended': false };
  const ownKey: Attributes = { ...base, 'hmap.evacuation.cause': 'own_key' };
  const help: Attributes = { ...base, 'hmap.evacuation.cause': 'help' };
  const hit: Attributes = { ...base, 'hmap.lookup.result': 'hit' };
  const miss: Attributes = { ...base, 'hmap.lookup.result': 'miss' };
  const doubling: Attributes = { ...base, 'hmap.growth.kind': 'doubling' };
  const sameSize: Attributes = { ...base, 'hmap.growth.kind': 'same_size' };
  const callback = (r: BatchObservableResult): void => {
    const m = map.metrics();
    r.observe(lookups, m.hits, hit);
    r.observe(lookups, m.misses, miss);
    r.observe(inserts, m.inserts, base);
    r.observe(updates, m.updates, base);
    r.observe(deletes, m.deletes, base);
    r.observe(clears, m.clears, base);
    r.observe(growths, m.doublings, doubling);
    r.observe(growths, m.sameSizeGrowths, sameSize);
    r.observe(evacuations, m.evacuatedBuckets, base);
    r.observe(entries, m.count, base);
    r.observe(bucketsLog2, m.B, base);
    r.observe(buckets, m.buckets, base);
    r.observe(overflow, m.overflowBuckets, base);
    r.observe(loadFactor, m.loadFactor, base);
    r.observe(memory, m.bytes, base);
    r.observe(growing, m.growing, base);
    r.observe(progress, m.evacuationProgress, base);
    const sh = m.shared;
    if (sh !== undefined && lockAcq !== null) {
      r.observe(lockAcq, sh.contendedAcquisitions, contendedAttr);
      r.observe(lockAcq, sh.lockAcquisitions - sh.contendedAcquisitions, uncontendedAttr);
      r.observe(starvation!, sh.starvationWaits, base);
      r.observe(retries!, sh.readRetries, base);
      r.observe(lockedReads!, sh.lockedReads, base);
      r.observe(evacWork!, sh.ownEvacuations, ownKey);
      r.observe(evacWork!, sh.helpedEvacuations, help);
    }
  };
  meter.addBatchObservableCallback(callback, observables);

  const opAttributes = {} as Record<SampledOp, Attributes>;
  for (const op of ['get', 'has', 'set', 'delete', 'upsert'] as const) opAttributes[op] = { ...base, 'hmap.operation': op };
  const sink: LatencySink = (op, ns) => duration.record(ns / 1e9, opAttributes[op]);
  sinks.push(sink);

  let attached = true;
  return {
    detach(): void {
      if (!attached) return;
      attached = false;
      meter.removeBatchObservableCallback(callback, observables);
      const i = sinks.indexOf(sink);
      if (i >= 0) sinks.splice(i, 1);
    },
  };
}
