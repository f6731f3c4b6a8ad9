// hmap: the Go runtime's map (buckets of 8 with tophash bytes, overflow chains, load factor 6.5, incremental
// evacuation, same-size growth, per-map random seed) for Node.js, with its entries in ArrayBuffers.

export { HashMap, HashMapIterator } from './map.js';
export type { HashMapOptions, HashMapStats, HashMapConstructor } from './map.js';
export type { KeyKind, ValueKind, KeyType, ValueType } from './kinds/kinds.js';
export type { GrowthMode } from './table/hmap.js';
export { InvariantError } from './table/verify.js';
export { Mutex, RWMutex, WaitGroup, SyncError, ThreadRegistry } from './sync/index.js';
export type { MutexOptions, MutexHandle, MutexState, RWMutexHandle, RWMutexState, WaitGroupHandle, ThreadRegistryHandle, RegistrySlot } from './sync/index.js';
export { ConcurrentWriteError } from './shared/table.js';
export { SharedHashMap } from './shared/map.js';
export type { SharedHashMapHandle, SharedKind, Concurrency } from './shared/map.js';
export type { HashMapMetrics, LatencySnapshot, MetricsOptions, SampledOp } from './metrics.js';
import './anchors.js';
