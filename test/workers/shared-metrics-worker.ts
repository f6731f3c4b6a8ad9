// A known sequence of operations on a shared map, for test/shared-metrics.test.ts: worker w inserts keys
// w*100000 .. w*100000+n-1, updates each once, looks each up (hits) and n absent keys (misses, none of them the counter key), increments
// one shared counter key n times, and deletes half of its keys.

import { parentPort, workerData } from 'node:worker_threads';
import { HashMap } from '../../src/index.js';
import type { SharedHashMapHandle } from '../../src/index.js';

const d = workerData as { handle: SharedHashMapHandle; w: number; n: number };
const m = HashMap.attach<number, number>(d.handle);
const base = d.w * 100_000;
for (let i = 0; i < d.n; i++) m.set(base + i, i);
for (let i = 0; i < d.n; i++) m.set(base + i, i + 1);
for (let i = 0; i < d.n; i++) m.get(base + i);
for (let i = 0; i < d.n; i++) m.has(-1_000_000 - base - i); // never the counter key -7
for (let i = 0; i < d.n; i++) m.increment(-7);
for (let i = 0; i < d.n; i += 2) m.delete(base + i);
parentPort!.postMessage('done');
