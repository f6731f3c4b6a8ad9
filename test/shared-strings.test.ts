// Shared maps with string keys and values (issue 5: "string kinds ... should work here too"): a fast-check model
// against Map with verify() after every step (growth, same-size compaction of the arena, '', lone surrogates,
// long strings), rejected input, and real workers: exact counters, self-checking values read while written
// during growth, and writers killed at random points.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { HashMap } from '../src/index.js';
import { maxStringUnits } from '../src/shared/table.js';

type Kind = 'string' | 'int32' | 'float64';

const strArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', 'a', 'b', 'ab', 'é', '\ud800', '\udfff\ud800', 'k1', 'k2', 'k3') },
  { weight: 3, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.nat(300).map((n) => 'L'.repeat(n) + n) },
);
const valueArb = (k: Kind): fc.Arbitrary<unknown> =>
  k === 'string' ? strArb : k === 'int32' ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) : fc.double();
const keyArb = (k: Kind): fc.Arbitrary<unknown> => (k === 'string' ? strArb : fc.integer({ min: -50, max: 50 }));

type Cmd =
  | { t: 'set' | 'getOrInsert'; k: unknown; v: unknown }
  | { t: 'get' | 'has' | 'delete'; k: unknown }
  | { t: 'update'; k: unknown; v: unknown }
  | { t: 'clear' | 'iterate' }
  | { t: 'fill'; n: number; v: unknown };

function cmdArb(kk: Kind, vk: Kind): fc.Arbitrary<Cmd> {
  const k = keyArb(kk);
  const v = valueArb(vk);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), k, v }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('getOrInsert' as const), k, v }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constantFrom('get' as const, 'has' as const, 'delete' as const), k }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('update' as const), k, v }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('fill' as const), n: fc.integer({ min: 1, max: 600 }), v }) },
    { weight: 1, arbitrary: fc.constant({ t: 'iterate' as const }) },
    { weight: 1, arbitrary: fc.constant({ t: 'clear' as const }) },
  );
}

function fillKey(kk: Kind, i: number): unknown {
  return kk === 'string' ? `fill-${i}-${'z'.repeat(i % 9)}` : 1000 + i;
}

function run(kk: Kind, vk: Kind, concurrency: 'locked' | 'none', seed: number, cmds: Cmd[]): void {
  const m = new HashMap({ key: kk, value: vk, shared: true, concurrency, seed } as never) as unknown as {
    [k: string]: (...a: unknown[]) => unknown;
  } & { size: number } & Iterable<[unknown, unknown]>;
  const model = new Map<unknown, unknown>();
  let fills = 0;
  for (const c of cmds) {
    switch (c.t) {
      case 'set':
        m.set!(c.k, c.v);
        model.set(c.k, c.v);
        break;
      case 'getOrInsert': {
        const expect = model.has(c.k) ? model.get(c.k) : c.v;
        if (!model.has(c.k)) model.set(c.k, c.v);
        assert.ok(Object.is(m.getOrInsert!(c.k, c.v), expect));
        break;
      }
      case 'get':
        assert.ok(Object.is(m.get!(c.k), model.get(c.k)), `get ${JSON.stringify(c.k)}`);
        break;
      case 'has':
        assert.equal(m.has!(c.k), model.has(c.k));
        break;
      case 'delete':
        assert.equal(m.delete!(c.k), model.delete(c.k));
        break;
      case 'update': {
        const before = model.get(c.k);
        const got = m.update!(c.k, (old: unknown) => {
          assert.ok(Object.is(old, before), 'update sees the current value');
          return c.v;
        });
        assert.ok(Object.is(got, c.v));
        model.set(c.k, c.v);
        break;
      }
      case 'fill':
        // Many keys, then half of them deleted: growth, dead string units, compaction.
        for (let i = 0; i < c.n; i++) {
          const k = fillKey(kk, fills + i);
          m.set!(k, c.v);
          model.set(k, c.v);
        }
        for (let i = 0; i < c.n; i += 2) {
          const k = fillKey(kk, fills + i);
          m.delete!(k);
          model.delete(k);
        }
        fills += c.n;
        break;
      case 'iterate': {
        const got = new Map<unknown, unknown>();
        for (const [k, v] of m) {
          assert.ok(!got.has(k), `key ${JSON.stringify(k)} iterated twice`);
          got.set(k, v);
        }
        assert.equal(got.size, model.size);
        for (const [k, v] of model) assert.ok(got.has(k) && Object.is(got.get(k), v), `iterated ${JSON.stringify(k)}`);
        break;
      }
      case 'clear':
        m.clear!();
        model.clear();
        break;
    }
    m.verify!();
    assert.equal(m.size, model.size, `size after ${c.t}`);
  }
}

describe('shared map with string kinds: model', () => {
  for (const [kk, vk] of [
    ['string', 'string'],
    ['string', 'int32'],
    ['int32', 'string'],
    ['string', 'float64'],
  ] as const) {
    for (const concurrency of ['locked', 'none'] as const) {
      it(`${kk} -> ${vk}, concurrency '${concurrency}'`, () => {
        fc.assert(
          fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(cmdArb(kk, vk), { maxLength: 80 }), (seed, cmds) => run(kk, vk, concurrency, seed, cmds)),
          { numRuns: 25, interruptAfterTimeLimit: 15_000 },
        );
      });
    }
  }

  it('churn of string values compacts the arena: memory stays bounded', () => {
    const m = new HashMap({ key: 'string', value: 'string', shared: true, seed: 3 });
    const before: number[] = [];
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 2000; i++) m.set(`key-${i}`, `${round}-${'v'.repeat(i % 50)}`);
      before.push(m.stats().bytes);
    }
    m.verify();
    assert.equal(m.size, 2000);
    assert.ok(m.metrics().sameSizeGrowths > 0, 'same-size growths reclaimed dead units');
    const late = before.slice(10);
    assert.ok(Math.max(...late) < 3 * Math.min(...late), `bytes bounded under churn: ${late.join(', ')}`);
    for (let i = 0; i < 2000; i += 97) assert.equal(m.get(`key-${i}`), `29-${'v'.repeat(i % 50)}`);
  });
});

describe('shared map with string kinds: rejected input', () => {
  it('keys and values outside the kind, too long, or increment on string values: TypeError/RangeError, map unchanged', () => {
    const m = new HashMap({ key: 'string', value: 'string', shared: true });
    m.set('a', 'b');
    assert.throws(() => m.set(1 as never, 'x'), TypeError);
    assert.throws(() => m.set('x', 1 as never), TypeError);
    assert.throws(() => m.get(Symbol('s') as never), TypeError);
    assert.throws(() => m.set('y', 'z'.repeat(maxStringUnits + 1)), RangeError);
    assert.throws(() => (m as unknown as { increment(k: string): unknown }).increment('a'), TypeError);
    assert.equal(m.size, 1);
    assert.equal(m.get('a'), 'b');
    assert.equal(m.has('x'), false);
    m.verify();
    const big = 'q'.repeat(100_000);
    m.set(big, big);
    assert.equal(m.get(big), big, 'a 100000-unit string round-trips');
    m.verify();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Workers

const workerUrl = new URL('./workers/shared-strings-worker.js', import.meta.url);
const live = new Set<Worker>();
after(async () => {
  await Promise.all([...live].map((w) => w.terminate()));
});

function spawn(m: { share(): unknown; watch<W extends Worker>(w: W): W }, data: Record<string, unknown>): Worker {
  const w = m.watch(new Worker(workerUrl, { workerData: { handle: m.share(), ...data } }));
  live.add(w);
  w.once('exit', () => live.delete(w));
  return w;
}

function answer<T>(w: Worker, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    w.once('message', (v: T) => {
      clearTimeout(timer);
      resolve(v);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('shared map with string kinds: workers', () => {
  it('3 workers increment string keys while the map grows: every sum exact', async () => {
    const m = new HashMap({ key: 'string', value: 'int32', shared: true });
    const stop = new Int32Array(new SharedArrayBuffer(8));
    const n = 30_000;
    await Promise.all([0, 1, 2].map((w) => answer(spawn(m, { job: 'count', w, n, stop }), 30_000, `counter ${w}`)));
    m.verify();
    let total = 0;
    for (const v of m.values()) total += v as number;
    assert.equal(total, 3 * n);
  });

  it('2 writers of self-checking string values, 2 readers, growth from empty: no torn or foreign value', async () => {
    const m = new HashMap({ key: 'string', value: 'string', shared: true });
    const stop = new Int32Array(new SharedArrayBuffer(8));
    const n = 3000;
    const readers = [3, 4].map((w) => answer<{ ok: boolean; seen: number; bad: string }>(spawn(m, { job: 'read', w, n, stop }), 60_000, `reader ${w}`));
    await Promise.all([1, 2].map((w) => answer(spawn(m, { job: 'write', w, n, rounds: 4, stop }), 60_000, `writer ${w}`)));
    Atomics.store(stop, 0, 1);
    for (const r of await Promise.all(readers)) assert.ok(r.ok, r.bad);
    m.verify();
    assert.equal(m.size, 2 * n);
    for (const w of [1, 2]) {
      for (let i = 0; i < n; i += 37) {
        const k = `w${w}-${i}-${'x'.repeat(i % 70)}`;
        assert.equal(m.get(k), `${k}|3|${k}`);
      }
    }
  });

  it('churning workers killed at random points: the map verifies and still works', async () => {
    const m = new HashMap({ key: 'string', value: 'string', shared: true });
    const stop = new Int32Array(new SharedArrayBuffer(8));
    let workers = [0, 1].map((w) => spawn(m, { job: 'churn', w, stop }));
    let next = 2;
    for (let kill = 0; kill < 12; kill++) {
      await new Promise((r) => setTimeout(r, 20 + ((kill * 37) % 80)));
      const victim = workers[kill % workers.length]!;
      await victim.terminate();
      workers = workers.filter((w) => w !== victim);
      workers.push(spawn(m, { job: 'churn', w: next++, stop }));
    }
    await Promise.all(workers.map((w) => w.terminate()));
    m.verify();
    let n = 0;
    for (const [k, v] of m) {
      n++;
      assert.equal(typeof k, 'string');
      assert.equal(typeof v, 'string');
    }
    assert.equal(n, m.size);
    m.set('after', 'works');
    assert.equal(m.get('after'), 'works');
    m.verify();
  });
});
