// 'any' keys and values: new HashMap() (key: 'any', value: 'any') against new Map(), the drop-in case.
//
// Keys are a mix of three types in equal shares, interleaved: strings ('k' + 6-9 hex digits, fresh string
// objects as a parser would make them), numbers (half int32, half fractional doubles) and objects ({ id }).
// Values are the loop index (a Smi). For each impl:
//   set      insert N distinct keys into an empty map (ops/s)
//   get      lookups of present keys in random order (ops/s), with the same key objects that were inserted
//   get str  / get num / get obj: the same, one key type at a time (where the time goes)
// Ratios are hmap / Map: above 1 means hmap is faster. Median of `rounds` timed runs after one warm-up run.
//
// hmap hashes every key in JS (MurmurHash3 over a string's units, an identity id from a WeakMap for objects),
// where Map reuses the hash V8 caches in each string and object, so this is hmap's least favourable case.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmix32 } from '../src/hash.js';
import { HashMap } from '../src/index.js';

interface Mapish {
  set(k: unknown, v: unknown): unknown;
  get(k: unknown): unknown;
  readonly size: number;
}

export interface AnyRow {
  n: number;
  op: string;
  map: number;
  hmap: number;
  ratio: number;
}

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** N distinct keys of mixed types; key i's type is i % 3 (string, number, object). */
export function mixedKeys(n: number): unknown[] {
  const keys: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = fmix32(i ^ 0x5bd1e995) >>> 0;
    switch (i % 3) {
      case 0:
        keys[i] = `k${x.toString(16)}${i % 7}`;
        break;
      case 1:
        keys[i] = i % 2 === 0 ? (x | 0) ^ (i & 1) : (x >>> 1) + 0.5 + i * 2 ** 31;
        break;
      default:
        keys[i] = { id: i };
    }
  }
  // The numbers must be distinct too: int32 ones come from a bijection (fmix32) of distinct i, fractional ones
  // differ in their integer part.
  return keys;
}

function fill(m: Mapish, keys: unknown[]): void {
  for (let i = 0; i < keys.length; i++) m.set(keys[i], i);
}

function lookupAll(m: Mapish, keys: unknown[]): number {
  let s = 0;
  for (let i = 0; i < keys.length; i++) if (m.get(keys[i]) !== undefined) s++;
  return s;
}

/** Fresh copies of the loops per impl, so each call site sees one map class (see bench/main.ts loopsFor). */
function loops(): { fill: typeof fill; lookupAll: typeof lookupAll } {
  const make = <F>(f: F): F => new Function(`return ${String(f)}`)() as F;
  return { fill: make(fill), lookupAll: make(lookupAll) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

let sink = 0;

type Impl = 'Map' | 'hmap';

/**
 * Measures set and get of N mixed keys for Map and new HashMap(): ops/s and ratio (hmap / Map), the median of
 * `rounds` timed runs per figure after one warm-up run. The two impls alternate run by run, so load from other
 * processes on the machine falls on both alike.
 */
export function anyBench(n = 1_000_000, rounds = 5, log: (s: string) => void = () => {}): AnyRow[] {
  const keys = mixedKeys(n);
  const pick = (i: number): number => (fmix32(i ^ 0x27d4eb2f) >>> 0) % n;
  const order = new Array<unknown>(n);
  for (let i = 0; i < n; i++) order[i] = keys[pick(i)];
  const byType = [0, 1, 2].map((t) => {
    const ks: unknown[] = [];
    for (let i = 0; i < n; i++) if (pick(i) % 3 === t) ks.push(keys[pick(i)]);
    return ks;
  });
  const make: Record<Impl, () => Mapish> = {
    Map: () => new Map<unknown, unknown>(),
    hmap: () => new HashMap() as unknown as Mapish,
  };
  const L: Record<Impl, ReturnType<typeof loops>> = { Map: loops(), hmap: loops() };
  const impls: Impl[] = ['Map', 'hmap'];
  const times: Record<string, Record<Impl, number[]>> = {};
  const record = (op: string, impl: Impl, ms: number): void => {
    ((times[op] ??= { Map: [], hmap: [] })[impl]).push(ms);
  };
  const ops: Record<string, number> = { set: n, get: n, 'get str': byType[0]!.length, 'get num': byType[1]!.length, 'get obj': byType[2]!.length };

  log(`any N=${n}: set, ${rounds} rounds`);
  for (let r = 0; r <= rounds; r++) {
    for (const impl of impls) {
      const m = make[impl]();
      gc();
      const t0 = performance.now();
      L[impl].fill(m, keys);
      const ms = performance.now() - t0;
      if (m.size !== n) throw new Error(`${impl} holds ${m.size} keys, expected ${n}`);
      if (r > 0) record('set', impl, ms);
    }
  }
  gc();
  log(`any N=${n}: get, ${rounds} rounds`);
  const full: Record<Impl, Mapish> = { Map: make.Map(), hmap: make.hmap() };
  for (const impl of impls) L[impl].fill(full[impl], keys);
  gc();
  for (let r = 0; r <= rounds; r++) {
    for (const [op, ks] of [['get', order], ['get str', byType[0]!], ['get num', byType[1]!], ['get obj', byType[2]!]] as const) {
      for (const impl of impls) {
        const t0 = performance.now();
        sink += L[impl].lookupAll(full[impl], ks);
        const ms = performance.now() - t0;
        if (r > 0) record(op, impl, ms);
      }
    }
  }
  return Object.entries(times).map(([op, t]) => {
    const map = ops[op]! / (median(t.Map) / 1000);
    const hmap = ops[op]! / (median(t.hmap) / 1000);
    return { n, op, map, hmap, ratio: hmap / map };
  });
}

export function anySink(): number {
  return sink;
}

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M/s` : `${(x / 1e3).toFixed(1)}K/s`;
}

/** Prints anyBench's rows as a table. */
export function printAny(rows: AnyRow[]): void {
  console.log(`\nnew HashMap() vs new Map(), mixed keys (strings, numbers, objects), node ${process.version} (ratio = hmap / Map)`);
  console.table(rows.map((r) => ({ N: r.n, op: r.op, Map: fmtRate(r.map), hmap: fmtRate(r.hmap), ratio: `${r.ratio.toFixed(2)}x` })));
}

// Run directly: node --expose-gc build/bench/any.js [N] [rounds]
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const n = Number(process.argv[2] ?? 1e6);
  const rounds = Number(process.argv[3] ?? 5);
  printAny(anyBench(n, rounds, (s) => console.error(`  ... ${s}`)));
}
