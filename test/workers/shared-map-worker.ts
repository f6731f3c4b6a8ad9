// Worker for test/shared-workers.test.ts: attaches to a shared map (HashMap.attach of the test's handle) and runs
// one job: counters, scheduled writes, checked reads, unlocked ('none') writes, a write loop to be killed in, or
// an inspection of the map (verify, size, entries) on the test's behalf.
//
// Every wait here has a deadline, so a broken map makes a job fail, never hang.

import { parentPort, workerData } from 'node:worker_threads';
import {
  ConcurrentWriteError,
  Ctl,
  Rec,
  attach,
  chaosBase,
  chaosKeys,
  concurrentWritesMessage,
  crashCounters,
  crashOwnKeys,
  crashRecord,
  decode,
  encode,
  gone,
  mix,
  ownKey,
  rng,
  roundLimit,
  versionAfter,
} from './shared-map-shared.js';
import type { CountResult, InspectResult, Job, NoneResult, ReadResult } from './shared-map-shared.js';

const d = workerData as Job;
const m = attach(d.handle);

/** Signals readiness, then waits (at most 20 s) for the test's go. */
function barrier(ctl: Int32Array): void {
  Atomics.add(ctl, Ctl.ready, 1);
  Atomics.notify(ctl, Ctl.ready);
  const end = Date.now() + 20_000;
  while (Atomics.load(ctl, Ctl.go) === 0) {
    if (Date.now() > end) throw new Error('no go from the test in 20 s');
    Atomics.wait(ctl, Ctl.go, 0, 50);
  }
}

switch (d.job) {
  case 'count': {
    // Increments of overlapping keys; the key domain widens as the run goes, so the map grows under load.
    const r = rng(d.seed);
    const sums = new Array<number>(d.keys).fill(0);
    let growing = 0;
    barrier(d.ctl);
    for (let i = 0; i < d.ops; i++) {
      const k = r(Math.min(d.keys, 1 + (i >> 5)));
      const delta = 1 + r(3);
      const key = d.big ? BigInt(k) * 0x1_0000_0001n - 2n ** 62n : k;
      const dv = d.big ? BigInt(delta) : delta;
      // mixed: update() (its function runs outside the lock and is retried if the value moved meanwhile) and
      // getOrInsertComputed() take turns with increment().
      const how = d.mixed ? r(3) : 0;
      if (how === 0) m.increment(key, dv);
      else if (how === 1) m.update(key, (v: number | bigint | undefined) => (d.big ? ((v as bigint | undefined) ?? 0n) + (dv as bigint) : ((v as number | undefined) ?? 0) + (dv as number)));
      else {
        m.getOrInsertComputed(key, () => (d.big ? 0n : 0));
        m.increment(key, dv);
      }
      sums[k]! += delta;
      if ((i & 1023) === 0 && m.stats().growing) growing++;
    }
    parentPort!.postMessage({ sums, growing } satisfies CountResult);
    break;
  }

  case 'write': {
    // The schedule of shared-map-shared.ts; update()'s old value is checked on the way.
    const errors: string[] = [];
    barrier(d.ctl);
    for (let round = 0; round < d.rounds; round++) {
      const limit = roundLimit(d.keys, d.rounds, round);
      for (let k = d.id; k < limit; k += d.writers) {
        const prev = versionAfter(k, d.keys, d.rounds, round - 1);
        if (gone(k, round)) {
          const had = prev >= 0;
          if (m.delete(k) !== had && errors.length < 10) errors.push(`delete(${k}) in round ${round}: expected ${had}`);
          continue;
        }
        const v = encode(d.vkind, k, round);
        switch (mix(k, round) % 3) {
          case 0:
            m.set(k, v);
            break;
          case 1:
            m.update(k, (old: unknown) => {
              const got = old === undefined ? -1 : decode(k, old);
              if (got !== prev && errors.length < 10) errors.push(`update(${k}) in round ${round}: old version ${got}, expected ${prev}`);
              return v;
            });
            break;
          default:
            if (prev === -1) {
              const got = m.getOrInsert(k, v);
              if (got !== v && errors.length < 10) errors.push(`getOrInsert(${k}) of an absent key returned ${String(got)}`);
            } else m.set(k, v);
        }
      }
    }
    Atomics.add(d.ctl, Ctl.writersDone, 1);
    parentPort!.postMessage({ errors });
    break;
  }

  case 'read': {
    // Keys [0, keys) are written by the writers; keys outside are never set. A present value must decode for
    // its key, and (one writer per key, linearizable reads) a key's version never goes back.
    const r = rng(d.seed);
    const last = new Int32Array(d.keys).fill(-1);
    const res: ReadResult = { gets: 0, iterations: 0, getsWhileWriting: 0, itersWhileWriting: 0, entriesSeen: 0, errors: [] };
    const fail = (s: string): void => {
      if (res.errors.length < 20) res.errors.push(s);
    };
    barrier(d.ctl);
    const end = Date.now() + 30_000;
    while (Atomics.load(d.ctl, Ctl.stop) === 0 && Date.now() < end) {
      const writing = Atomics.load(d.ctl, Ctl.writersDone) < d.writers;
      if (writing) res.getsWhileWriting += 2048;
      for (let i = 0; i < 2048; i++) {
        const k = r(d.keys + d.keys / 4) - (i & 1 ? 0 : d.keys / 8);
        const v = m.get(k);
        res.gets++;
        if (k < 0 || k >= d.keys) {
          if (v !== undefined) fail(`get(${k}) of a key never set returned ${String(v)}`);
          if (m.has(k)) fail(`has(${k}) of a key never set returned true`);
          continue;
        }
        if (v === undefined) continue;
        const ver = decode(k, v);
        if (ver < 0) fail(`get(${k}) returned ${String(v)}, not a value written for this key (torn?)`);
        else if (ver < last[k]!) fail(`get(${k}) went back from version ${last[k]} to ${ver}`);
        else last[k] = ver;
      }
      if ((res.gets & 8191) === 0) {
        // Weakly consistent iteration: every entry it returns must be one some writer wrote.
        res.iterations++;
        if (writing) res.itersWhileWriting++;
        for (const [k, v] of m.entries()) {
          res.entriesSeen++;
          if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= d.keys) fail(`entries() returned key ${String(k)}, never set`);
          else if (decode(k, v) < 0) fail(`entries() returned ${String(v)} for key ${k}, not a value written for it`);
        }
      }
    }
    parentPort!.postMessage(res);
    break;
  }

  case 'none': {
    // Two of these write at once, unlocked: they must be told (ConcurrentWriteError), and a write that throws
    // must have changed nothing. Each keeps the model of its own keys (only it writes them) from the writes
    // that returned; the test compares the map with the union. Goes on until enough detections or the deadline.
    const res: NoneResult = { writes: 0, detected: 0, other: [], model: [] };
    const model = new Map<number, number>();
    const base = d.id * 1_000_000;
    const attempt = (f: () => void): boolean => {
      try {
        f();
        res.writes++;
        return true;
      } catch (e) {
        if (e instanceof ConcurrentWriteError && (e as Error).message === concurrentWritesMessage) {
          res.detected++;
          if (Atomics.add(d.ctl, Ctl.detected, 1) + 1 >= d.detections) Atomics.store(d.ctl, Ctl.stop, 1);
        } else if (res.other.length < 5) {
          res.other.push(`${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        }
        return false;
      }
    };
    barrier(d.ctl);
    const end = Date.now() + d.ms;
    let i = 0;
    while (Atomics.load(d.ctl, Ctl.stop) === 0 && Date.now() < end) {
      for (let j = 0; j < 64; j++, i++) {
        const k = base + (i % d.keys);
        if (attempt(() => m.set(k, i))) model.set(k, i);
        if (i >= d.keys / 2) {
          const del = base + ((i - d.keys / 2) % d.keys);
          let had = false;
          if (attempt(() => (had = m.delete(del)))) {
            if (had !== model.has(del) && res.other.length < 5) res.other.push(`delete(${del}) returned ${had}, the model says ${model.has(del)}`);
            model.delete(del);
          }
        }
      }
    }
    res.model = [...model];
    parentPort!.postMessage(res);
    break;
  }

  case 'crash': {
    // A write-heavy loop, killed at a random point by the test. Before each operation its kind, key and value
    // go into the worker's record; after it, the acknowledgement: so the test knows, for a killed worker, the
    // one operation that may or may not have been applied.
    const ctl = d.ctl;
    const rec = crashRecord(d.id);
    const r = rng(d.seed);
    Atomics.store(ctl, rec + Rec.started, 1);
    let ops = 0;
    while (Atomics.load(ctl, Ctl.stop) === 0) {
      const op = r(10);
      if (op < 5) {
        const c = r(crashCounters);
        Atomics.store(ctl, rec + Rec.key, c);
        Atomics.store(ctl, rec + Rec.kind, 1);
        m.increment(c, 1);
        Atomics.add(ctl, rec + Rec.acked + c, 1);
      } else if (op < 9) {
        const j = r(crashOwnKeys);
        const v = r(1_000_000_000);
        Atomics.store(ctl, rec + Rec.key, j);
        Atomics.store(ctl, rec + Rec.value, v);
        Atomics.store(ctl, rec + Rec.kind, 2);
        if (op === 8) m.update(ownKey(d.id, j), () => v);
        else m.set(ownKey(d.id, j), v);
        Atomics.store(ctl, rec + Rec.own + j, v + 1);
      } else {
        const j = r(crashOwnKeys);
        Atomics.store(ctl, rec + Rec.key, j);
        Atomics.store(ctl, rec + Rec.kind, 3);
        m.delete(ownKey(d.id, j));
        Atomics.store(ctl, rec + Rec.own + j, 0);
      }
      Atomics.store(ctl, rec + Rec.kind, 0);
      ops++;
    }
    parentPort!.postMessage({ ops });
    break;
  }

  case 'chaos': {
    // Every kind of write, clear() and deleteIf() included (clear allocates a table and takes every stripe),
    // killed at random by the test: only validity can be checked afterwards.
    const ctl = d.ctl;
    const rec = crashRecord(d.id);
    const r = rng(d.seed);
    Atomics.store(ctl, rec + Rec.started, 1);
    let ops = 0;
    while (Atomics.load(ctl, Ctl.stop) === 0) {
      const k = chaosBase + r(chaosKeys);
      const op = r(1000);
      if (op < 400) m.set(k, op);
      else if (op < 600) m.delete(k);
      else if (op < 750) m.increment(k, 1);
      else if (op < 850) m.getOrInsert(k, 7);
      else if (op < 900) m.update(k, (v: number | undefined) => ((v ?? 0) + 3) | 0);
      else if (op < 990) m.get(k);
      else if (op < 994) m.deleteIf((_v: unknown, key: number) => key % 5 === 0);
      else if (op < 997) {
        let n = 0;
        for (const [key] of m) if (typeof key !== 'number') n++;
        if (n !== 0) throw new Error('iteration returned a non-number key');
      } else m.clear();
      ops++;
    }
    parentPort!.postMessage({ ops });
    break;
  }

  case 'inspect': {
    let verifyError: string | null = null;
    try {
      m.verify();
    } catch (e) {
      verifyError = String(e);
    }
    const entries: Array<[unknown, unknown]> = [...m.entries()];
    parentPort!.postMessage({ size: m.size, entries, verifyError } satisfies InspectResult);
    break;
  }
}
