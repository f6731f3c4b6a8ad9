// The shared map from real worker threads (issue 5, §3): exact counters under contention while the map grows,
// writers and checked readers (no torn values, no made-up keys, versions never going back), unlocked writers
// told apart by ConcurrentWriteError, and workers terminated at random in a write-heavy loop.
//
// Nothing can hang the run: every worker result is awaited with a deadline (then the test fails and the workers
// are terminated), and the main thread touches the map only after every worker has exited, and only after an
// 'inspect' worker, itself under a deadline, has verified and read it.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { HashMap } from '../src/index.js';
import {
  Ctl,
  Rec,
  chaosBase,
  chaosKeys,
  crashCounters,
  crashOwnKeys,
  crashRecord,
  crashWords,
  crashMaxWorkers,
  decode,
  finalVersion,
  ownKey,
  rng,
} from './workers/shared-map-shared.js';
import { workerStacks } from './stacks.js';
import type { CountResult, InspectResult, Job, NoneResult, ReadResult, SharedMap } from './workers/shared-map-shared.js';

const workerUrl = new URL('./workers/shared-map-worker.js', import.meta.url);

const live = new Set<Worker>();
const exits = new Map<Worker, Promise<number>>();
const errors = new Map<Worker, Error>();
after(async () => {
  await Promise.all([...live].map((w) => w.terminate()));
});

function spawn(data: Job, watch?: SharedMap): Worker {
  const w = new Worker(workerUrl, { workerData: data });
  if (watch !== undefined) watch.watch(w);
  live.add(w);
  exits.set(
    w,
    new Promise<number>((resolve) =>
      w.once('exit', (code) => {
        live.delete(w);
        resolve(code);
      }),
    ),
  );
  w.on('error', (e) => errors.set(w, e));
  return w;
}

/** The worker's one message, or a rejection after ms (or if it exits first). */
function message<T>(w: Worker, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no message in ${ms} ms`)), ms);
    w.once('message', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    w.once('exit', (code) => {
      clearTimeout(timer);
      // 'error' is emitted before 'exit'.
      reject(new Error(`${what}: exited (${code}) without a message${errors.has(w) ? `: ${errors.get(w)!.stack ?? String(errors.get(w))}` : ''}`));
    });
  });
}

function exited(w: Worker, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exits.get(w)!.finally(() => clearTimeout(timer)),
    new Promise<number>((_, reject) => (timer = setTimeout(() => reject(new Error(`worker did not exit in ${ms} ms`)), ms))),
  ]);
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Waits for a crash/chaos worker's started flag; fails at once, with its error, if it exits first. */
async function started(ctl: Int32Array, id: number, w: Worker): Promise<void> {
  await until(() => {
    if (Atomics.load(ctl, crashRecord(id) + Rec.started) === 1) return true;
    if (!live.has(w)) throw new Error(`worker ${id} exited before starting${errors.has(w) ? `: ${errors.get(w)!.stack ?? String(errors.get(w))}` : ''}`);
    return false;
  }, `worker ${id} to start`, 15_000);
}

function control(words: number = Ctl.words): Int32Array {
  return new Int32Array(new SharedArrayBuffer(words * 4));
}

/** Waits for n workers at the barrier, then lets them go together. */
async function release(ctl: Int32Array, n: number): Promise<void> {
  await until(() => Atomics.load(ctl, Ctl.ready) === n, `${n} workers to attach`);
  Atomics.store(ctl, Ctl.go, 1);
  Atomics.notify(ctl, Ctl.go);
}

/** verify(), size and entries through a worker under a deadline: a map that would hang hangs a worker, not the run. */
async function inspect(m: SharedMap, what: string): Promise<InspectResult> {
  const w = spawn({ job: 'inspect', handle: m.share() });
  const r = await message<InspectResult>(w, 15_000, `inspect ${what}`);
  await exited(w, 5000);
  assert.equal(r.verifyError, null, `verify() in a worker: ${r.verifyError}`);
  assert.equal(r.entries.length, r.size, 'size vs entries in a worker');
  return r;
}

/**
 * For a failure message when threads hang: the map's lock states from its internals (heap lock word, header
 * and stripe mutexes with their owners' registry slots, alive or dead). Best effort: internals may change.
 */
function lockReport(m: SharedMap): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const t = (m as any)._t;
    const alive = new Set<number>(t.registry.snapshot.filter((x: { state: string }) => x.state === 'alive').map((x: { slot: number }) => x.slot));
    const who = (o: number): string => (o < 0 ? '-' : `${o}${alive.has(o) ? '' : ' (dead)'}`);
    const st = (x: { locked: boolean; owner: number; waiters: number; abandoned: boolean }): string =>
      `${x.locked ? `held by ${who(x.owner)}` : 'free'}, ${x.waiters} waiting${x.abandoned ? ', abandoned' : ''}`;
    const heap = t.heap.mutex?.state !== undefined ? `heap lock: ${st(t.heap.mutex.state)}` : `heap lock word ${t.heap.ctl[0]}`;
    const parts = [heap, `header: ${st(t.hdrLock.state)}`];
    t.locks.forEach((l: { state: { locked: boolean; owner: number; waiters: number; abandoned: boolean } }, i: number) => {
      if (l.state.locked || l.state.waiters > 0) parts.push(`stripe ${i}: ${st(l.state)}`);
    });
    return parts.join('; ');
  } catch (e) {
    return `(no lock report: ${String(e)})`;
  }
}

/**
 * Every survivor's final message; on a timeout, the lock states go into the error, and with `ctl` (crash jobs)
 * each survivor's operation in flight (kind 1 increment, 2 set or update, 3 delete; key index), to find where a
 * survivor hangs (a rare hang under the full suite's load, 2026-11-23).
 */
async function survivorsDone(m: SharedMap, survivors: Array<[number, Worker]>, ctl?: Int32Array): Promise<Array<{ ops: number }>> {
  const answered = new Set<number>();
  try {
    return await Promise.all(
      survivors.map(([id, w]) =>
        message<{ ops: number }>(w, 20_000, `survivor ${id}`).then((r) => {
          answered.add(id);
          return r;
        }),
      ),
    );
  } catch (e) {
    const silent = survivors.filter(([id, w]) => !answered.has(id) && live.has(w));
    const stacks = await workerStacks(silent.map(([, w]) => w)).catch((err: unknown) => new Map<number, string>([[-1, String(err)]]));
    const where = `; stacks: ${silent.map(([id, w]) => `survivor ${id}: ${stacks.get(w.threadId) ?? '?'}`).join(' | ')}`;
    const inFlight =
      ctl === undefined
        ? ''
        : `; in flight: ${survivors.map(([id]) => `${id}: kind ${ctl[crashRecord(id) + Rec.kind]} key ${ctl[crashRecord(id) + Rec.key]}`).join(', ')}; epoch ${lockReportEpoch(m)}`;
    throw new Error(`${(e as Error).message}; locks: ${lockReport(m)}${inFlight}${where}`);
  }
}

/** The map's header epoch (odd: a header change in progress), for failure messages. Best effort. */
function lockReportEpoch(m: SharedMap): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const t = (m as any)._t;
    return String(Atomics.load(t.c, 8)); // hEpoch (shared/table.ts)
  } catch (e) {
    return `(unknown: ${String(e)})`;
  }
}

/** The main thread's own look: verify(), then the contents as a Map, checking size and no duplicates. */
function contents(m: SharedMap): Map<unknown, unknown> {
  m.verify();
  const got = new Map<unknown, unknown>();
  for (const [k, v] of m) {
    assert.ok(!got.has(k), `iteration returned key ${String(k)} twice`);
    got.set(k, v);
  }
  assert.equal(got.size, m.size, 'size equals the number of entries iterated');
  return got;
}

describe('shared map: counters from several workers', () => {
  for (const [big, mixed] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    it(`4 workers ${mixed ? 'increment, update and getOrInsertComputed' : 'increment'} overlapping ${big ? 'bigint64' : 'int32'} keys while the map grows from capacity 0: every sum exact`, { timeout: 60_000 }, async () => {
      const kind = big ? 'bigint64' : 'int32';
      const m = new HashMap({ key: kind, value: kind, shared: true, capacity: 0, seed: 42 });
      const ctl = control();
      const keys = 3000;
      const ops = 100_000;
      const workers = [0, 1, 2, 3].map((id) => spawn({ job: 'count', handle: m.share(), ctl, id, ops, keys, big, mixed, seed: 1000 + id * 7919 }));
      const results = workers.map((w, i) => message<CountResult>(w, 40_000, `counter ${i}`));
      await release(ctl, workers.length);
      const r = await Promise.all(results);
      await Promise.all(workers.map((w) => exited(w, 5000)));
      await inspect(m, 'after the counters');
      const got = contents(m);
      const expected = new Map<unknown, unknown>();
      for (let k = 0; k < keys; k++) {
        const sum = r.reduce((s, x) => s + x.sums[k]!, 0);
        if (sum > 0) expected.set(big ? BigInt(k) * 0x1_0000_0001n - 2n ** 62n : k, big ? BigInt(sum) : sum);
      }
      assert.equal(got.size, expected.size, 'keys incremented');
      let wrong = 0;
      const firstWrong: string[] = [];
      for (const [k, v] of expected) {
        if (got.get(k) !== v) {
          wrong++;
          if (firstWrong.length < 5) firstWrong.push(`${String(k)}: ${String(got.get(k))} instead of ${String(v)}`);
        }
      }
      assert.equal(wrong, 0, `sums wrong for ${wrong} keys: ${firstWrong.join(', ')}`);
      const s = m.stats();
      assert.ok(s.B >= 7, `the map grew (B = ${s.B})`);
    });
  }
});

describe('shared map: writers and readers', () => {
  for (const vkind of ['bigint64', 'float64'] as const) {
    it(`2 writers on disjoint keys, 2 readers, growth from capacity 0 (${vkind} self-checking values): contents equal the schedule, no torn or made-up reads`, { timeout: 60_000 }, async (t) => {
      const m = new HashMap({ key: 'int32', value: vkind, shared: true, capacity: 0, seed: 7 });
      const ctl = control();
      const keys = 16_384;
      const writers = 2;
      const rounds = 9; // key limits 64, 128, ... 16384: the table doubles in every round
      const ws = Array.from({ length: writers }, (_, id) => spawn({ job: 'write', handle: m.share(), ctl, id, writers, keys, rounds, vkind }));
      const rs = [0, 1].map((id) => spawn({ job: 'read', handle: m.share(), ctl, id, keys, writers, vkind, seed: 99 + id }));
      const wres = ws.map((w, i) => message<{ errors: string[] }>(w, 40_000, `writer ${i}`));
      const rres = rs.map((w, i) => message<ReadResult>(w, 45_000, `reader ${i}`));
      await release(ctl, ws.length + rs.length);
      const wr = await Promise.all(wres);
      Atomics.store(ctl, Ctl.stop, 1);
      const rr = await Promise.all(rres);
      await Promise.all([...ws, ...rs].map((w) => exited(w, 5000)));
      for (const [i, x] of wr.entries()) assert.deepEqual(x.errors, [], `writer ${i}`);
      for (const [i, x] of rr.entries()) {
        assert.deepEqual(x.errors, [], `reader ${i}`);
        assert.ok(x.getsWhileWriting > 10_000 && x.itersWhileWriting > 0, `reader ${i} read while the writers wrote: ${JSON.stringify(x)}`);
      }
      t.diagnostic(`readers: ${rr.map((x) => JSON.stringify(x)).join(' ')}`);
      await inspect(m, 'after the writers');
      const got = contents(m);
      let expected = 0;
      for (let k = 0; k < keys; k++) {
        const ver = finalVersion(k, rounds);
        if (ver < 0) {
          assert.equal(got.has(k), false, `key ${k} was deleted last`);
          continue;
        }
        expected++;
        assert.equal(decode(k, got.get(k)), ver, `key ${k}: version`);
      }
      assert.equal(got.size, expected);
      const s = m.stats();
      assert.ok(s.B >= 10, `the map grew (B = ${s.B})`);
    });
  }
});

describe("shared map: concurrency 'none'", () => {
  it('two workers writing at once: ConcurrentWriteErrors are thrown, a write that throws changes nothing, the map stays valid', { timeout: 60_000 }, async (t) => {
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true, concurrency: 'none', seed: 3 });
    const ctl = control();
    const ms = 10_000;
    const ws = [0, 1].map((id) => spawn({ job: 'none', handle: m.share(), ctl, id, keys: 2000, ms, detections: 5000 }));
    const res = ws.map((w, i) => message<NoneResult>(w, ms + 10_000, `writer ${i}`));
    await release(ctl, 2);
    const r = await Promise.all(res);
    await Promise.all(ws.map((w) => exited(w, 5000)));
    for (const [i, x] of r.entries()) assert.deepEqual(x.other, [], `writer ${i}: unexpected errors or answers`);
    const detected = r[0]!.detected + r[1]!.detected;
    t.diagnostic(`writes ${r[0]!.writes} and ${r[1]!.writes}; ConcurrentWriteErrors ${r[0]!.detected} and ${r[1]!.detected}`);
    assert.ok(detected >= 1, `ConcurrentWriteError thrown (writes: ${r[0]!.writes}, ${r[1]!.writes})`);
    await inspect(m, "after the 'none' writers");
    const got = contents(m);
    // Each writer's keys are its own: the map holds exactly what the writes that returned left.
    const expected = new Map<unknown, unknown>([...r[0]!.model, ...r[1]!.model]);
    assert.equal(got.size, expected.size, 'entries');
    for (const [k, v] of expected) assert.equal(got.get(k), v, `key ${String(k)}`);
    // Alone, a writer is not told anything.
    m.set(5, 5);
    assert.equal(m.get(5), 5);
    m.verify();
  });
});

describe('shared map: workers terminated at random', () => {
  for (const [concurrency, parallel, ms] of [
    ['locked', 3, 5000],
    ['none', 1, 2500],
  ] as const) {
    it(`${concurrency}: set/delete/update/increment loops (${parallel} at a time) killed at random points (watched): survivors finish, the map is valid, every acknowledged write is there`, { timeout: 60_000 }, async (t) => {
      const m = new HashMap({ key: 'int32', value: 'int32', shared: true, capacity: 0, seed: 11, concurrency });
      const ctl = control(crashWords);
      const workers = new Map<number, Worker>();
      const killedIds: number[] = [];
      let nextId = 0;
      const start = (): number => {
        const id = nextId++;
        workers.set(id, spawn({ job: 'crash', handle: m.share(), ctl, id, seed: 777 + id * 31 }, m));
        return id;
      };
      for (let i = 0; i < parallel; i++) start();
      const rand = rng(2024);
      // At least `ms` and 10 kills (a loaded machine starts workers slowly), at most 30 s.
      const end = Date.now() + ms;
      const hardEnd = Date.now() + 30_000;
      while ((Date.now() < end || killedIds.length < 10) && Date.now() < hardEnd && nextId < crashMaxWorkers - 4) {
        // A random live worker, once it runs its loop, is killed after a random time.
        const ids = [...workers.keys()];
        const id = ids[rand(ids.length)]!;
        await started(ctl, id, workers.get(id)!);
        await new Promise((r) => setTimeout(r, 5 + rand(60)));
        const w = workers.get(id)!;
        workers.delete(id);
        await w.terminate(); // 'exit' has been emitted: watch() has marked it dead
        killedIds.push(id);
        start();
      }
      // The survivors (some just spawned) run for a while, then stop.
      const survivors = [...workers.entries()];
      await Promise.all(survivors.map(([id, w]) => started(ctl, id, w)));
      await new Promise((r) => setTimeout(r, 200));
      Atomics.store(ctl, Ctl.stop, 1);
      const done = await survivorsDone(m, survivors, ctl);
      await Promise.all(survivors.map(([, w]) => exited(w, 5000)));
      assert.ok(killedIds.length >= 10, `${killedIds.length} workers killed`);

      await inspect(m, 'after the kills');
      const got = contents(m);

      // Counters: between the acknowledged increments and one more per killed worker caught incrementing it.
      const killed = new Set(killedIds);
      let acked = 0;
      for (let c = 0; c < crashCounters; c++) {
        let lo = 0;
        let slack = 0;
        for (let id = 0; id < nextId; id++) {
          const rec = crashRecord(id);
          lo += ctl[rec + Rec.acked + c]!;
          if (killed.has(id) && ctl[rec + Rec.kind] === 1 && ctl[rec + Rec.key] === c) slack++;
        }
        acked += lo;
        const v = (got.get(c) as number | undefined) ?? 0;
        assert.ok(v >= lo && v <= lo + slack, `counter ${c} is ${v}: acknowledged ${lo}, in flight ${slack}`);
      }
      // Own keys: the last acknowledged state, or for a killed worker's key in flight, that operation's result.
      let ownKeys = 0;
      for (let id = 0; id < nextId; id++) {
        const rec = crashRecord(id);
        const inflight = killed.has(id) ? ctl[rec + Rec.kind]! : 0;
        for (let j = 0; j < crashOwnKeys; j++) {
          const k = ownKey(id, j);
          const last = ctl[rec + Rec.own + j]!;
          const ok = [last === 0 ? undefined : last - 1];
          if (inflight >= 2 && ctl[rec + Rec.key] === j) ok.push(inflight === 2 ? ctl[rec + Rec.value]! : undefined);
          const v = got.get(k);
          assert.ok(ok.includes(v as number | undefined), `worker ${id}'s key ${j} holds ${String(v)}, expected one of ${ok.map(String).join(', ')}`);
          if (v !== undefined) ownKeys++;
        }
      }
      const counterKeys = [...got.keys()].filter((k) => typeof k === 'number' && k >= 0 && k < crashCounters).length;
      assert.equal(got.size, ownKeys + counterKeys, 'no other keys');
      const inFlight = killedIds.filter((id) => ctl[crashRecord(id) + Rec.kind] !== 0).length;
      t.diagnostic(`${killedIds.length} workers killed, ${inFlight} of them in an operation; ${acked} increments acknowledged; ${got.size} keys`);
      assert.ok(acked > 1000 && done.every((x) => x.ops > 0), `progress: ${acked} increments acknowledged, survivors did ${done.map((x) => x.ops).join(', ')} operations`);

      // The map still works, from the main thread and from a new worker.
      m.set(-1, -1);
      assert.equal(m.get(-1), -1);
      assert.equal(m.delete(-1), true);
      const before = new Map([...m].filter(([k]) => (k as number) >= 0 && (k as number) < crashCounters));
      const lateCtl = control();
      const late = spawn({ job: 'count', handle: m.share(), ctl: lateCtl, id: 0, ops: 2000, keys: crashCounters, big: false, seed: 5 }, m);
      const lateDone = message<CountResult>(late, 20_000, 'a late worker');
      await release(lateCtl, 1);
      const lr = await lateDone;
      await exited(late, 5000);
      for (let c = 0; c < crashCounters; c++) {
        assert.equal(m.get(c) ?? 0, ((before.get(c) as number | undefined) ?? 0) + lr.sums[c]!, `counter ${c} after a late worker`);
      }
      m.verify();
    });
  }
});

describe('shared map: workers terminated at random in clear/deleteIf/iteration too', () => {
  it('every kind of write (clear and deleteIf included), killed at random points: survivors finish, the map is valid and works', { timeout: 60_000 }, async (t) => {
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true, capacity: 0, seed: 13 });
    const ctl = control(crashWords);
    const workers = new Map<number, Worker>();
    let killed = 0;
    let nextId = 0;
    const start = (): void => {
      const id = nextId++;
      workers.set(id, spawn({ job: 'chaos', handle: m.share(), ctl, id, seed: 4242 + id * 17 }, m));
    };
    for (let i = 0; i < 3; i++) start();
    const rand = rng(99);
    const end = Date.now() + 4000;
    const hardEnd = Date.now() + 30_000;
    while ((Date.now() < end || killed < 10) && Date.now() < hardEnd && nextId < crashMaxWorkers - 4) {
      const ids = [...workers.keys()];
      const id = ids[rand(ids.length)]!;
      await started(ctl, id, workers.get(id)!);
      await new Promise((r) => setTimeout(r, 5 + rand(60)));
      const w = workers.get(id)!;
      workers.delete(id);
      await w.terminate();
      killed++;
      start();
    }
    const survivors = [...workers.entries()];
    await Promise.all(survivors.map(([id, w]) => started(ctl, id, w)));
    await new Promise((r) => setTimeout(r, 200));
    Atomics.store(ctl, Ctl.stop, 1);
    const done = await survivorsDone(m, survivors);
    await Promise.all(survivors.map(([, w]) => exited(w, 5000)));
    assert.ok(killed >= 10, `${killed} workers killed`);
    t.diagnostic(`${killed} workers killed; survivors did ${done.map((x) => x.ops).join(', ')} operations`);
    assert.ok(done.every((x) => x.ops > 0), 'every survivor got work done');

    await inspect(m, 'after the chaos');
    const got = contents(m);
    for (const [k, v] of got) {
      assert.ok(typeof k === 'number' && k >= chaosBase && k < chaosBase + chaosKeys, `key ${String(k)}`);
      assert.equal(typeof v, 'number');
    }
    // The map works: exact counters from a new worker, then a clear from the main thread.
    const lateCtl = control();
    const late = spawn({ job: 'count', handle: m.share(), ctl: lateCtl, id: 0, ops: 5000, keys: 500, big: false, seed: 8 }, m);
    const lateDone = message<CountResult>(late, 20_000, 'a late worker');
    await release(lateCtl, 1);
    const lr = await lateDone;
    await exited(late, 5000);
    for (let k = 0; k < 500; k++) assert.equal(m.get(k) ?? 0, lr.sums[k]!, `counter ${k}`);
    m.verify();
    m.clear();
    assert.equal(m.size, 0);
    m.set(1, 1);
    assert.equal(m.get(1), 1);
    m.verify();
  });
});
