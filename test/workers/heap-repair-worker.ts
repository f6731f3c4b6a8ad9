// Dies holding a shared heap's lock with the control block half updated, as a thread killed inside
// SharedHeap.alloc would leave it (test/shared-heap-repair.test.ts).

import { workerData } from 'node:worker_threads';
import { Mutex } from '../../src/sync/index.js';
import type { MutexHandle } from '../../src/sync/index.js';

const d = workerData as { mutex: MutexHandle; control: SharedArrayBuffer; regions: SharedArrayBuffer[]; scenario: string };
const mutex = Mutex.attach(d.mutex);
mutex.lock();
const ctl = new Int32Array(d.control);
// Control words of heap.ts: bumpRegion 1, bump 2, reserved 3, freeGranules 4, heads 8.
if (d.scenario === 'pop') {
  ctl[8] = 0; // the class-0 list's only block popped; its count and the free granules not updated yet
} else if (d.scenario === 'bump') {
  const at = ctl[2]!;
  d.regions[0]!.grow((at + 4) * 64);
  ctl[2] = at + 4; // 4 granules bumped; reserved not updated yet
} else if (d.scenario === 'switch') {
  ctl[1] = 1; // moved to region 1, its bump not reset yet
}
process.exit(0); // no unlock: the lock dies with the thread
