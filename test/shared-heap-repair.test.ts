// Crash repair of the shared heap (src/shared/heap.ts, useLock/repair): a worker dies holding the heap's
// registry-bound lock with the control block half updated; the next allocation takes the lock over, repairs,
// and the heap verifies and hands out blocks that overlap nothing.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { SharedHeap, granule, refOffset, refRegion } from '../src/shared/heap.js';
import { Mutex, ThreadRegistry } from '../src/sync/index.js';

const workerUrl = new URL('./workers/heap-repair-worker.js', import.meta.url);

async function dieHolding(heap: SharedHeap, scenario: string): Promise<void> {
  const registry = new ThreadRegistry();
  const mutex = new Mutex({ registry, checkMs: 20 });
  heap.useLock(mutex);
  const h = heap.share();
  const w = registry.watch(new Worker(workerUrl, { workerData: { mutex: mutex.share(), control: h.control, regions: h.regions, scenario } }));
  await new Promise<void>((resolve, reject) => {
    w.once('exit', () => resolve());
    w.once('error', reject);
  });
  assert.equal(mutex.state.locked, true, 'the dead worker left the lock held');
}

describe('shared heap: repair after a holder died', () => {
  it('a half-done pop: the list lengths and free granules are recounted', async () => {
    const heap = SharedHeap.create(1 << 20, 65536);
    const a = heap.alloc(64);
    heap.free(a, 64);
    await dieHolding(heap, 'pop');
    const b = heap.alloc(64); // takes the lock over, repairs
    heap.verify();
    assert.equal(heap.stats().free, 0, 'the popped block is gone from the lists (leaked)');
    assert.notEqual(b, a, 'the leaked block is not handed out again');
  });

  it('a half-done bump: reserved is recomputed from the bump', async () => {
    const heap = SharedHeap.create(1 << 20, 65536);
    const a = heap.alloc(128);
    await dieHolding(heap, 'bump');
    const b = heap.alloc(64);
    heap.verify();
    assert.ok(refOffset(b) >= refOffset(a) + 128 + 4 * granule, 'the new block is above the granules the dead thread bumped');
  });

  it('a half-made region switch: the new region starts at 0 again', async () => {
    const heap = SharedHeap.create(4 * 65536, 65536);
    heap.alloc(64);
    await dieHolding(heap, 'switch');
    const b = heap.alloc(1024);
    heap.verify();
    assert.equal(refRegion(b), 1);
    assert.equal(refOffset(b), 0);
  });
});
