// Worker for test/shared-heap.test.ts: attaches to a shared heap, allocates and frees blocks of random sizes,
// stamps each block it holds with its own id, and reports the blocks it still holds at the end.

import { parentPort, workerData } from 'node:worker_threads';
import { SharedHeap } from '../../src/shared/heap.js';

interface Job {
  handle: unknown;
  id: number;
  rounds: number;
  seed: number;
}

const { handle, id, rounds, seed } = workerData as Job;
const heap = SharedHeap.attach(handle);
let x = seed | 0 || 1;
function rnd(n: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) % n;
}

const held: Array<{ ref: number; bytes: number }> = [];
let errors = 0;
for (let i = 0; i < rounds; i++) {
  if (held.length > 256 || (held.length > 0 && rnd(3) === 0)) {
    const b = held.splice(rnd(held.length), 1)[0]!;
    const words = heap.int32(b.ref, b.bytes);
    for (let w = 0; w < words.length; w++) if (words[w] !== id) errors++;
    heap.free(b.ref, b.bytes);
  } else {
    const bytes = 1 + rnd(4096);
    const ref = heap.alloc(bytes);
    const words = heap.int32(ref, bytes);
    for (let w = 0; w < words.length; w++) if (words[w] !== 0) errors++;
    words.fill(id);
    held.push({ ref, bytes });
  }
}
parentPort!.postMessage({ held, errors });
