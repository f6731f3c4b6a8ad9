// Writes keys w*1e6 .. w*1e6+n-1 once each into a concurrency 'none' shared map while another worker does the
// same, and reports which sets threw ConcurrentWriteError (test/shared-none.test.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { ConcurrentWriteError, HashMap } from '../../src/index.js';
import type { SharedHashMapHandle } from '../../src/index.js';

const d = workerData as { handle: SharedHashMapHandle; w: number; n: number; go: Int32Array };
const m = HashMap.attach<number, number>(d.handle);
Atomics.add(d.go, 0, 1);
while (Atomics.load(d.go, 0) < 2); // start together
const failed: number[] = [];
for (let i = 0; i < d.n; i++) {
  const k = d.w * 1_000_000 + i;
  try {
    m.set(k, i);
  } catch (e) {
    if (!(e instanceof ConcurrentWriteError)) throw e;
    failed.push(k);
  }
}
parentPort!.postMessage(failed);
