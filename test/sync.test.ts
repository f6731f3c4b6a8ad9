// The sync primitives (src/sync): Mutex, RWMutex, WaitGroup, on Node's main thread and in real worker threads.
//
// No wait can hang the run: worker results are awaited with a deadline (then the workers are terminated and
// the test fails), workers' own waits have deadlines, and where the main thread blocks on a primitive under
// test (lock(), wait()) a watchdog thread kills the process if it is still blocked after a few seconds.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Mutex, RWMutex, SyncError, WaitGroup } from '../src/sync/index.js';
import { logCapacity, Mem } from './workers/sync-shared.js';
import type { SyncJob } from './workers/sync-shared.js';

const workerUrl = new URL('./workers/sync-worker.js', import.meta.url);
const live = new Set<Worker>();
after(async () => {
  await Promise.all([...live].map((w) => w.terminate()));
});

function scratch(words = Mem.log + logCapacity): Int32Array {
  return new Int32Array(new SharedArrayBuffer(words * 4));
}

/** Runs a job in a worker; its one message, or a rejection on error, a bad exit or after ms. */
function job<T>(data: SyncJob, ms = 15_000): Promise<T> {
  const w = new Worker(workerUrl, { workerData: data });
  live.add(w);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`worker job ${data.job} did not finish in ${ms} ms`));
    }, ms);
    w.once('message', (m: T) => {
      clearTimeout(timer);
      w.postMessage('bye');
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    w.once('exit', (code) => {
      live.delete(w);
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`worker job ${data.job} exited with ${code}`));
    });
  });
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string };
}

/** A worker that runs one operation per message: do() resolves with the operation's result once it returns. */
class Puppet {
  private readonly w: Worker;
  private next = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  constructor(data: Omit<Extract<SyncJob, { job: 'puppet' }>, 'job'>) {
    this.w = new Worker(workerUrl, { workerData: { job: 'puppet', ...data } });
    live.add(this.w);
    this.w.on('message', (r: Reply) => {
      const f = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      f?.(r);
    });
  }

  /** Starts op; the promise settles when the worker is done with it (rejects after ms). */
  do(op: string, arg?: number, ms = 10_000): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`puppet: ${op} did not return in ${ms} ms`)), ms);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r.result);
        else reject(Object.assign(new Error(r.error!.message), { name: r.error!.name }));
      });
      // Posted now, not after a promise: the main thread may block right after this call.
      this.w.postMessage({ id, op, arg });
    });
  }

  async stop(): Promise<void> {
    live.delete(this.w);
    await this.w.terminate();
  }
}

/** Settles with 'pending' if p has not settled within ms. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p, new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)))]);
  clearTimeout(timer);
  return r;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Kills the process if the main thread is still blocked after ms (a blocked main thread cannot run timers,
 * so this runs in its own thread); call the result when the blocking part is over.
 */
function watchdog(what: string, ms = 8000): () => void {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(
    `const { workerData: d } = require('node:worker_threads');
     if (Atomics.wait(d.flag, 0, 0, d.ms) === 'timed-out') {
       process.stderr.write('sync.test watchdog: ' + d.what + ' still blocked after ' + d.ms + ' ms\\n');
       process.kill(process.pid, 'SIGKILL');
     }`,
    { eval: true, workerData: { flag, ms, what } },
  );
  w.unref();
  return () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
}

describe('Mutex: one thread', () => {
  it('lock, tryLock, unlock; state and owner', () => {
    const m = new Mutex();
    assert.deepEqual({ ...m.state }, { locked: false, woken: false, starving: false, abandoned: false, waiters: 0, owner: -1, word: 0 });
    assert.equal(m.tryLock(), true);
    assert.equal(m.state.locked, true);
    assert.equal(m.state.owner, 0, 'the main thread is threadId 0');
    assert.equal(m.tryLock(), false);
    m.unlock();
    m.lock();
    assert.equal(m.tryLock(), false);
    m.unlock();
    assert.equal(m.state.word, 0);
  });

  it('unlocking an unlocked mutex throws SyncError and leaves it usable', () => {
    const m = new Mutex();
    assert.throws(() => m.unlock(), (e: unknown) => e instanceof SyncError && e.name === 'SyncError' && e.message === 'sync: unlock of unlocked mutex');
    assert.equal(m.state.word, 0);
    m.lock();
    m.unlock();
    assert.throws(() => m.unlock(), SyncError);
    assert.equal(m.state.word, 0);
  });

  it('lockAsync takes a free mutex at once', async () => {
    const m = new Mutex();
    await m.lockAsync();
    assert.equal(m.state.locked, true);
    m.unlock();
  });

  it('over() uses words of a caller-provided Int32Array; share/attach round-trip; bad handles are TypeErrors', () => {
    const i32 = new Int32Array(new SharedArrayBuffer(64 * 4));
    const a = Mutex.over(i32, 16);
    const b = Mutex.over(i32, 32);
    a.lock();
    assert.equal(b.tryLock(), true, 'separate words, separate mutexes');
    assert.equal(i32[16], 1);
    const h = a.share();
    assert.equal(h.kind, 'hmap.Mutex');
    assert.equal(h.index, 16);
    const c = Mutex.attach(structuredClone(h));
    assert.equal(c.tryLock(), false, 'attach sees the same words');
    a.unlock();
    assert.equal(c.tryLock(), true);
    c.unlock();
    b.unlock();
    const sub = new Int32Array(i32.buffer, 8 * 4, 20);
    assert.equal(Mutex.over(sub, 4).share().index, 12, 'index counts from the buffer start');
    for (const bad of [null, undefined, 1, {}, { kind: 'hmap.Mutex' }, { ...h, kind: 'hmap.RWMutex' }, { ...h, sab: new ArrayBuffer(64) }, { ...h, index: 60 }, { ...h, index: -1 }, { ...h, index: 1.5 }]) {
      assert.throws(() => Mutex.attach(bad), TypeError, JSON.stringify(bad));
    }
    assert.throws(() => Mutex.over(new Int32Array(64), 0), TypeError);
    assert.throws(() => Mutex.over(i32, 60), RangeError);
  });
});

describe('Mutex: threads', () => {
  const workers = 4;
  const iters = 5000;

  it(`keeps a plain counter exact: ${workers} workers x ${iters} locked read-spin-write increments`, async () => {
    const m = new Mutex();
    const mem = scratch();
    await Promise.all(Array.from({ length: workers }, () => job({ job: 'counter', mutex: m.share(), mem, iters, workers, spin: 100 })));
    assert.equal(mem[Mem.counter], workers * iters);
    assert.equal(m.state.word, 0, 'unlocked, no waiters, normal mode');
  });

  it('the same workers without the lock lose updates (so the test above can fail)', async () => {
    const mem = scratch();
    await Promise.all(Array.from({ length: workers }, () => job({ job: 'counter', mutex: null, mem, iters, workers, spin: 100 })));
    assert.ok(mem[Mem.counter]! < workers * iters, `counter ${mem[Mem.counter]} of ${workers * iters}`);
  });

  it('the main thread blocks in lock() (Atomics.wait) until a worker unlocks, and counts with workers', async () => {
    const m = new Mutex();
    const mem = scratch();
    const p = new Puppet({ mutex: m.share(), mem });
    await p.do('lock');
    const released = p.do('unlockAfter', 30);
    const cancel = watchdog('main-thread Mutex.lock');
    const t0 = performance.now();
    m.lock();
    const waited = performance.now() - t0;
    cancel();
    assert.equal(Atomics.load(mem, Mem.stop), 1, 'the worker had released it');
    assert.ok(waited >= 20, `waited ${waited.toFixed(1)} ms`);
    m.unlock();
    await released;
    await p.stop();

    // The main thread as one of the contenders.
    const mem2 = scratch();
    const n = 2000;
    const others = Array.from({ length: 2 }, () => job({ job: 'counter', mutex: m.share(), mem: mem2, iters: n, workers: 3, spin: 50 }));
    const cancel2 = watchdog('main-thread counter');
    Atomics.add(mem2, Mem.ready, 1);
    while (Atomics.load(mem2, Mem.ready) < 3) Atomics.wait(mem2, Mem.ready, Atomics.load(mem2, Mem.ready), 5);
    for (let i = 0; i < n; i++) {
      m.lock();
      mem2[Mem.counter] = mem2[Mem.counter]! + 1;
      m.unlock();
    }
    cancel2();
    await Promise.all(others);
    assert.equal(mem2[Mem.counter], 3 * n);
  });

  it('lockAsync resolves when another thread unlocks, and the event loop runs meanwhile', async () => {
    const m = new Mutex();
    const mem = scratch();
    const p = new Puppet({ mutex: m.share(), mem });
    await p.do('lock');
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    const got = m.lockAsync();
    assert.equal(await within(got, 40), 'pending', 'held by the worker');
    assert.ok(ticks > 5, `timers ran while waiting (${ticks})`);
    assert.ok(m.state.waiters >= 1, 'counted as a waiter');
    const released = p.do('unlockAfter', 5);
    assert.notEqual(await within(got, 5000), 'pending');
    clearInterval(interval);
    assert.equal(Atomics.load(mem, Mem.stop), 1);
    assert.equal(m.state.owner, 0);
    await released;
    // The worker now waits (blocking) for the mutex the main thread holds.
    const again = p.do('lock');
    await until(() => m.state.waiters === 1, 'the worker to queue');
    m.unlock();
    await again;
    assert.equal(await p.do('tryLock'), false);
    await p.do('unlock');
    assert.equal(m.state.word, 0);
    await p.stop();
  });

  it('lockAsync on the main thread and lock() in 3 workers keep a plain counter exact, both modes', async () => {
    for (const starvation of [true, false]) {
      const m = new Mutex({ starvation });
      const mem = scratch();
      const n = 3000;
      const mine = 300;
      const others = Array.from({ length: 3 }, () => job({ job: 'counter', mutex: m.share(), mem, iters: n, workers: 4, spin: 30 }));
      Atomics.add(mem, Mem.ready, 1);
      await until(() => Atomics.load(mem, Mem.ready) >= 4, 'the workers to start');
      for (let i = 0; i < mine; i++) {
        await m.lockAsync();
        const v = mem[Mem.counter]!;
        await null; // hold it across a turn of the microtask queue
        mem[Mem.counter] = v + 1;
        m.unlock();
      }
      await Promise.all(others);
      assert.equal(mem[Mem.counter], 3 * n + mine, `starvation: ${starvation}`);
      assert.equal(m.state.word, 0);
      assert.deepEqual(m.queued, { line: 0, front: 0 });
    }
  });

  for (const starvation of [true, false]) {
    it(`starvation mode ${starvation ? 'is entered when waiters wait > 1 ms and exited when the queue drains' : 'never happens with { starvation: false }'}`, async () => {
      const m = new Mutex({ starvation });
      const mem = scratch();
      const rounds = 25;
      const results = await Promise.all([
        job<{ acquisitions: number; maxWaitMs: number }>({ job: 'starve', role: 'holder', mutex: m.share(), mem, rounds, holdMs: 3, workers: 3 }),
        job<{ acquisitions: number; maxWaitMs: number }>({ job: 'starve', role: 'hammer', mutex: m.share(), mem, rounds, holdMs: 3, workers: 3 }),
        job<{ acquisitions: number; maxWaitMs: number }>({ job: 'starve', role: 'hammer', mutex: m.share(), mem, rounds, holdMs: 3, workers: 3 }),
      ]);
      const n = Math.min(mem[Mem.seq]!, logCapacity);
      const log = Array.from(mem.subarray(Mem.log, Mem.log + n));
      const first = log.indexOf(1);
      const hammered = results[1]!.acquisitions + results[2]!.acquisitions;
      const detail = `${n} critical sections, ${log.filter((x) => x === 1).length} in starvation mode; hammers: ${results
        .slice(1)
        .map((r) => `${r.acquisitions} locks, max wait ${r.maxWaitMs.toFixed(1)} ms`)
        .join('; ')}`;
      if (starvation) {
        assert.ok(first >= 0, `starvation mode entered (${detail})`);
        assert.ok(log.indexOf(0, first) > first, `and left again (${detail})`);
      } else {
        assert.equal(first, -1, `never starving (${detail})`);
      }
      assert.equal(m.state.word, 0, 'the queue drained: unlocked, normal mode, no waiters');
      assert.ok(hammered > 0);
    });
  }
});

describe('RWMutex', () => {
  it('one thread: rLock/rUnlock, lock/unlock, tryLock/tryRLock, state', () => {
    const rw = new RWMutex();
    rw.rLock();
    rw.rLock();
    assert.deepEqual(rw.state, { readers: 2, writer: false, readerWait: 0 });
    assert.equal(rw.tryLock(), false);
    assert.equal(rw.tryRLock(), true);
    rw.rUnlock();
    rw.rUnlock();
    rw.rUnlock();
    assert.equal(rw.tryLock(), true);
    assert.deepEqual(rw.state, { readers: 0, writer: true, readerWait: 0 });
    assert.equal(rw.tryRLock(), false);
    assert.equal(rw.tryLock(), false);
    rw.unlock();
    rw.lock();
    rw.unlock();
    assert.deepEqual(rw.state, { readers: 0, writer: false, readerWait: 0 });
  });

  it('misuse throws SyncError with Go messages and leaves the lock usable', () => {
    const rw = new RWMutex();
    assert.throws(() => rw.rUnlock(), { name: 'SyncError', message: 'sync: RUnlock of unlocked RWMutex' });
    assert.throws(() => rw.unlock(), { name: 'SyncError', message: 'sync: Unlock of unlocked RWMutex' });
    rw.rLock();
    assert.throws(() => rw.unlock(), { message: 'sync: Unlock of unlocked RWMutex' });
    rw.rUnlock();
    rw.lock();
    assert.throws(() => rw.rUnlock(), { message: 'sync: RUnlock of unlocked RWMutex' });
    rw.unlock();
    assert.deepEqual(rw.state, { readers: 0, writer: false, readerWait: 0 });
    const h = rw.share();
    assert.equal(RWMutex.attach(structuredClone(h)).tryLock(), true);
    assert.throws(() => RWMutex.attach({ ...h, kind: 'hmap.Mutex' }), TypeError);
  });

  it('two readers in two threads hold the read lock at the same time', async () => {
    const rw = new RWMutex();
    const mem = scratch();
    const r = await Promise.all([job<{ both: boolean }>({ job: 'rw-pair', rw: rw.share(), mem }), job<{ both: boolean }>({ job: 'rw-pair', rw: rw.share(), mem })]);
    assert.deepEqual(r, [{ both: true }, { both: true }]);
  });

  it('writers exclude readers and each other (2 writers, 2 readers)', async () => {
    const rw = new RWMutex();
    const mem = scratch();
    const iters = 3000;
    const roles = ['writer', 'writer', 'reader', 'reader'] as const;
    const r = await Promise.all(roles.map((role) => job<{ maxReaders: number }>({ job: 'rw-mix', role, rw: rw.share(), mem, iters, workers: roles.length })));
    assert.equal(mem[Mem.violations], 0, 'no reader saw a writer or a half-written pair, no writer saw anyone');
    assert.equal(mem[Mem.dataA], 2 * iters, 'every write happened');
    assert.deepEqual(rw.state, { readers: 0, writer: false, readerWait: 0 });
    assert.ok(Math.max(r[2]!.maxReaders, r[3]!.maxReaders) >= 1);
  });

  it('a pending writer blocks new readers; it goes when the old readers leave, then the new readers', async () => {
    const rw = new RWMutex();
    const mem = scratch();
    const w = new Puppet({ rw: rw.share(), mem });
    const r = new Puppet({ rw: rw.share(), mem });
    rw.rLock(); // an old reader: the main thread
    const writer = w.do('rwLock');
    await until(() => rw.state.writer, 'the writer to announce itself');
    assert.equal(await within(writer, 30), 'pending', 'the writer waits for the reader inside');
    assert.equal(rw.tryRLock(), false, 'tryRLock refuses while a writer is pending');
    const reader = r.do('rLock');
    assert.equal(await within(reader, 50), 'pending', 'a new reader waits behind the pending writer');
    rw.rUnlock();
    const wAt = (await writer) as number;
    assert.equal(await within(reader, 30), 'pending', 'the new reader still waits while the writer holds the lock');
    await w.do('rwUnlock');
    const rAt = (await reader) as number;
    assert.ok(wAt < rAt, `writer got in (#${wAt}) before the new reader (#${rAt})`);
    await r.do('rUnlock');
    assert.deepEqual(rw.state, { readers: 0, writer: false, readerWait: 0 });
    await Promise.all([w.stop(), r.stop()]);
  });

  it('rLockAsync and lockAsync wait without blocking the event loop', async () => {
    const rw = new RWMutex();
    const mem = scratch();
    const p = new Puppet({ rw: rw.share(), mem });
    await p.do('rwLock');
    const reading = rw.rLockAsync();
    assert.equal(await within(reading, 30), 'pending');
    await p.do('rwUnlock');
    assert.notEqual(await within(reading, 5000), 'pending');
    const writing = rw.lockAsync();
    assert.equal(await within(writing, 30), 'pending', 'the writer waits for our own read lock');
    rw.rUnlock();
    assert.notEqual(await within(writing, 5000), 'pending');
    rw.unlock();
    assert.deepEqual(rw.state, { readers: 0, writer: false, readerWait: 0 });
    await p.stop();
  });
});

describe('WaitGroup', () => {
  it('add/done/wait across workers; wait() on the main thread', async () => {
    const wg = new WaitGroup();
    const mem = scratch();
    const n = 4;
    wg.add(n);
    const done = Array.from({ length: n }, (_, i) => job({ job: 'wg-done', wg: wg.share(), mem, slot: Mem.log + i, delayMs: 10 + 10 * i }));
    const cancel = watchdog('main-thread WaitGroup.wait');
    wg.wait();
    cancel();
    assert.deepEqual(Array.from(mem.subarray(Mem.log, Mem.log + n)), [1, 1, 1, 1], 'every worker did its part before wait returned');
    assert.equal(wg.count, 0);
    await Promise.all(done);
    wg.wait(); // zero: returns at once
  });

  it('waitAsync, and workers waiting on the main thread', async () => {
    const wg = new WaitGroup();
    const mem = scratch();
    wg.add(2);
    const done = [0, 1].map((i) => job({ job: 'wg-done', wg: wg.share(), mem, slot: Mem.log + i, delayMs: 20 }));
    const waited = wg.waitAsync();
    assert.equal(await within(waited, 5), 'pending');
    await within(waited, 5000);
    assert.deepEqual(Array.from(mem.subarray(Mem.log, Mem.log + 2)), [1, 1]);
    await Promise.all(done);

    const gate = new WaitGroup();
    gate.add(1);
    const ps = [0, 1].map(() => new Puppet({ wg: gate.share(), mem }));
    const waits = ps.map((p) => p.do('wgWait'));
    assert.equal(await within(Promise.race(waits), 30), 'pending', 'the workers wait');
    Atomics.store(mem, Mem.counter, 42);
    gate.done();
    assert.deepEqual(await Promise.all(waits), [42, 42]);
    await Promise.all(ps.map((p) => p.stop()));
  });

  it('a negative counter throws SyncError and leaves the counter as it was', () => {
    const wg = new WaitGroup();
    assert.throws(() => wg.done(), { name: 'SyncError', message: 'sync: negative WaitGroup counter' });
    assert.equal(wg.count, 0);
    wg.add(2);
    assert.throws(() => wg.add(-3), SyncError);
    assert.equal(wg.count, 2);
    assert.throws(() => wg.add(0.5), TypeError);
    wg.add(-2);
    assert.equal(wg.count, 0);
    assert.throws(() => WaitGroup.attach({ kind: 'hmap.WaitGroup' }), TypeError);
    const i32 = new Int32Array(new SharedArrayBuffer(16 * 4));
    const a = WaitGroup.over(i32, 8);
    a.add(3);
    assert.equal(WaitGroup.attach(a.share()).count, 3);
  });
});
