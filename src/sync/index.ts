// Sync primitives over SharedArrayBuffer (Go's sync.Mutex, sync.RWMutex, sync.WaitGroup) for worker_threads;
// the shared map keeps its locks in its own memory with Mutex.over / RWMutex.over.

export { SyncError } from './common.js';
export { Mutex } from './mutex.js';
export type { MutexOptions, MutexHandle, MutexState } from './mutex.js';
export { RWMutex } from './rwmutex.js';
export type { RWMutexHandle, RWMutexState } from './rwmutex.js';
export { ThreadRegistry } from './registry.js';
export type { ThreadRegistryHandle, RegistrySlot } from './registry.js';
export { WaitGroup } from './waitgroup.js';
export type { WaitGroupHandle } from './waitgroup.js';
