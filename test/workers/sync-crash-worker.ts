// Worker for test/sync-crash.test.ts: attaches to a registry-bound Mutex (or RWMutex) and either dies holding
// it, waits for it, or loops lock/increment/unlock with a journal so a survivor can repair a half-done update.
//
// Every wait here that is not on the lock under test has a deadline.

import { parentPort, workerData } from 'node:worker_threads';
import { Mutex } from '../../src/sync/mutex.js';
import { RWMutex } from '../../src/sync/rwmutex.js';

import { C } from './sync-crash-shared.js';
import type { CrashJob } from './sync-crash-shared.js';

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const d = workerData as CrashJob;
const m = d.mutex === undefined ? null : Mutex.attach(d.mutex);
const rw = d.rw === undefined ? null : RWMutex.attach(d.rw);
const mem = d.mem;
const lock = (): boolean => (m !== null ? m.lock() : rw!.lock());
const unlock = (): void => (m !== null ? m.unlock() : rw!.unlock());

switch (d.job) {
  case 'hold': {
    lock();
    mem[C.dataA] = mem[C.dataA]! + 1; // half an update: dataB is not written
    Atomics.store(mem, C.holding, 1);
    Atomics.notify(mem, C.holding);
    if (d.die === 'exit') process.exit(7);
    if (d.die === 'throw') throw new Error('worker dies holding the lock');
    // Wait to be terminated (the test does it; the deadline only keeps a broken test from hanging).
    sleep(20_000);
    break;
  }
  case 'wait': {
    Atomics.add(mem, C.started, 1);
    Atomics.notify(mem, C.started);
    const tookOver = lock();
    const at = performance.timeOrigin + performance.now();
    if (tookOver) {
      mem[C.dataB] = mem[C.dataA]!; // the repair
      Atomics.add(mem, C.repairs, 1);
    }
    if (Atomics.add(mem, C.inside, 1) !== 0) Atomics.add(mem, C.violations, 1);
    mem[C.counter] = mem[C.counter]! + 1;
    if (d.holdMs > 0) sleep(d.holdMs);
    Atomics.sub(mem, C.inside, 1);
    unlock();
    parentPort!.postMessage({ tookOver, at });
    break;
  }
  case 'loop': {
    const id = d.id;
    Atomics.add(mem, C.started, 1);
    let repairs = 0;
    let n = 0;
    while (Atomics.load(mem, C.stop) === 0) {
      const tookOver = m!.lock();
      if (tookOver) {
        repairs++;
        Atomics.add(mem, C.repairs, 1);
        if (mem[C.logActive] === 1) {
          // Roll back the dead holder's half-done increment.
          mem[C.counter] = mem[C.logCounter]!;
          mem[C.per + mem[C.logWho]!] = mem[C.logPer]!;
          mem[C.logActive] = 0;
        }
        mem[C.inside] = 0; // the dead holder's mark
      } else if (mem[C.logActive] !== 0) Atomics.add(mem, C.violations, 1);
      if (Atomics.exchange(mem, C.inside, 1) !== 0) Atomics.add(mem, C.violations, 1);
      const v = mem[C.counter]!;
      mem[C.logCounter] = v;
      mem[C.logWho] = id;
      mem[C.logPer] = mem[C.per + id]!;
      mem[C.logActive] = 1;
      mem[C.counter] = v + 1;
      for (let k = 0; k < 200; k++) n = (n * 31 + k) | 0;
      mem[C.per + id] = mem[C.per + id]! + 1;
      mem[C.logActive] = 0;
      Atomics.store(mem, C.inside, 0);
      m!.unlock();
    }
    parentPort!.postMessage({ repairs, n });
    break;
  }
}
