// npm run bench: hmap against native Map in the same process, on the same keys.
//
// For each size N and value kind (int32 -> int32, int32 -> float64):
//   insert   N distinct random int32 keys into an empty map (ops/s, tinybench)
//   get      random lookups of present keys (ops/s)
//   miss     lookups of absent keys (ops/s)
//   delete   every key of a full map (ops/s)
//   latency  every single set() of one insert of N keys timed: p50, p99, p99.9, max (hdr-histogram-js)
//   memory   bytes per entry: hmap's ArrayBuffer bytes (stats().bytes) and Map's GC heap growth
// Ratios are hmap / Map: above 1 means hmap is faster (or, for memory, below 1 means hmap is smaller).
// --huge inserts 1e8 int32 keys into one hmap (Map stops at 16,777,216); --huge-strings 5e7 string keys.
// --only words: the word count on string keys and the churn-memory line (bench/words.ts; not in the default set).

import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import * as hdr from 'hdr-histogram-js';
import { Bench } from 'tinybench';
import { HashMap } from '../src/index.js';
import { fmix32 } from '../src/hash.js';
import { anyBench, printAny } from './any.js';
import { longestOverlap, withGcPauses } from './gc-pauses.js';
import { churnBench, hugeStrings, printChurn, printWords, wordsBench } from './words.js';

type ValueKind = 'int32' | 'float64';
type AnyMap = { set(k: number, v: number): unknown; get(k: number): unknown; delete(k: number): boolean; size: number };

interface Row {
  n: number;
  value: ValueKind;
  op: string;
  map: number;
  hmap: number;
  ratio: number;
  unit: string;
}

interface LatencyRow {
  n: number;
  value: ValueKind;
  /** 'first touch': one write to each page of fresh memory (firstTouches), the floor a growing table meets. */
  impl: 'Map' | 'hmap' | 'first touch';
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Index of the slowest set() in the insert (0-based). */
  maxAt: number;
  /** Duration (ms) of the GC pause that overlapped the slowest operation, 0 if none did. */
  gcAtMax: number;
  /** CPU time the hypervisor took from this VM during the run (ms, all CPUs; /proc/stat steal), null if unknown. */
  stealMs: number | null;
}

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** N distinct pseudo-random int32 keys: fmix32 is a bijection on 32 bits, so distinct i give distinct keys. */
function makeKeys(from: number, n: number, salt: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = fmix32((from + i) ^ salt) | 0;
  return a;
}

function valueOf(kind: ValueKind, i: number): number {
  return kind === 'int32' ? i : i + 0.5;
}

function newHmap(kind: ValueKind): AnyMap {
  return new HashMap({ key: 'int32', value: kind }) as unknown as AnyMap;
}

function newMap(): AnyMap {
  return new Map<number, number>();
}

function fill(m: AnyMap, keys: Int32Array, kind: ValueKind): void {
  if (kind === 'int32') for (let i = 0; i < keys.length; i++) m.set(keys[i]!, i);
  else for (let i = 0; i < keys.length; i++) m.set(keys[i]!, i + 0.5);
}

let sink = 0;

function lookupAll(m: AnyMap, keys: Int32Array): number {
  let s = 0;
  for (let i = 0; i < keys.length; i++) if (m.get(keys[i]!) !== undefined) s++;
  return s;
}

function deleteAll(m: AnyMap, keys: Int32Array): void {
  for (let i = 0; i < keys.length; i++) m.delete(keys[i]!);
}

interface Loops {
  fill: typeof fill;
  lookupAll: typeof lookupAll;
  deleteAll: typeof deleteAll;
}

/**
 * Fresh copies of the loop functions for one implementation, so that each call site sees one map class (as
 * in real code) instead of a polymorphic mix of Map and HashMap whose cost would be charged to whoever runs
 * second.
 */
function loopsFor(): Loops {
  const make = <F>(f: F): F => new Function(`return ${String(f)}`)() as F;
  return { fill: make(fill), lookupAll: make(lookupAll), deleteAll: make(deleteAll) };
}

function iterationsFor(n: number): number {
  return n >= 1e7 ? 2 : n >= 1e6 ? 4 : 16;
}

async function throughput(
  name: string,
  n: number,
  ops: number,
  tasks: Record<'Map' | 'hmap', { fn: () => void; beforeEach?: () => void; afterEach?: () => void }>,
): Promise<{ map: number; hmap: number }> {
  const bench = new Bench({ name, time: 0, iterations: iterationsFor(n), warmupIterations: n >= 1e7 ? 0 : 1, warmupTime: 0, throws: true });
  for (const impl of ['Map', 'hmap'] as const) {
    const t = tasks[impl];
    // Collect garbage between tasks, not between iterations: a forced full GC after every iteration slows
    // hmap's next iterations about 4x in this harness (not seen without forced GCs; to be investigated).
    bench.add(impl, t.fn, { beforeEach: t.beforeEach ?? (() => {}), afterEach: t.afterEach ?? (() => {}), beforeAll: gc, afterAll: gc });
  }
  await bench.run();
  const res: Record<string, number> = {};
  for (const task of bench.tasks) {
    const r = task.result!;
    // Median run time (ms) of one task call, which performs `ops` operations.
    res[task.name] = ops / (r.latency.p50! / 1000);
  }
  return { map: res['Map']!, hmap: res['hmap']! };
}

/** Every set() of one insert of `keys` into a fresh map, timed; also where the slowest one landed. */
type Timed = { p50: number; p99: number; p999: number; max: number; maxAt: number; maxStart: number };

function timedInsert(kind: ValueKind, keys: Int32Array, make: () => AnyMap): Timed {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  const m = make();
  const now = performance.now.bind(performance);
  let max = 0;
  let maxAt = 0;
  let maxStart = 0;
  for (let i = 0; i < keys.length; i++) {
    const v = valueOf(kind, i);
    const t0 = now();
    m.set(keys[i]!, v);
    const dt = now() - t0;
    h.recordValue(Math.max(1, Math.round(dt * 1e6)));
    if (dt > max) {
      max = dt;
      maxAt = i;
      maxStart = t0;
    }
  }
  const r = {
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    maxAt,
    maxStart,
  };
  h.destroy();
  return r;
}

/**
 * After gc(), waits (at most 3 s) until the process's resident memory stops falling: V8 hands freed pages back
 * to the OS from a background thread, and while it unmaps hundreds of MB (Map's heap after a 1e7 insert) a page
 * fault in the main thread waits for it. Measured: the first hmap insert after Map's 1e7 one stalled 58-72 ms
 * at its ~1,500th set(), and not at all after a 2 s pause.
 */
async function settle(): Promise<void> {
  gc();
  let last = process.memoryUsage.rss();
  for (let waited = 0; waited < 3000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    const rss = process.memoryUsage.rss();
    if (last - rss < 1 << 20) return;
    last = rss;
  }
}

/** The hypervisor's steal time so far (ms, all CPUs), from /proc/stat (USER_HZ = 100), or null off Linux. */
function stealMs(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    const steal = Number(f[8]);
    return f[0] === 'cpu' && Number.isFinite(steal) ? steal * 10 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `run` and returns, with its result, the GC pause (ms) that overlapped the slowest operation (0 if none:
 * then the stall came from elsewhere, e.g. a page fault or the hypervisor) and the CPU time stolen meanwhile.
 */
async function attributed(run: () => Timed): Promise<Omit<Timed, 'maxStart'> & { gcAtMax: number; stealMs: number | null }> {
  const steal0 = stealMs();
  const { result: r, pauses } = await withGcPauses(() => {
    const timed = run();
    return { timed, steal1: stealMs() };
  });
  const { maxStart, ...timed } = r.timed;
  const gcAtMax = longestOverlap(pauses, maxStart, r.timed.max / 1e6);
  return { ...timed, gcAtMax, stealMs: steal0 === null || r.steal1 === null ? null : r.steal1 - steal0 };
}

/**
 * The latency of every set() while inserting N keys: after a warm-up insert of up to 1e5 keys into a throwaway
 * map of the same implementation (so first-time JIT compilation is not what the max shows: it cost up to 4 ms
 * in the first few thousand sets of a cold process) and a settle().
 */
async function latency(kind: ValueKind, keys: Int32Array, make: () => AnyMap): ReturnType<typeof attributed> {
  timedInsert(kind, keys.subarray(0, Math.min(keys.length, 100_000)), make);
  await settle();
  return attributed(() => timedInsert(kind, keys, make));
}

/**
 * The environment's floor under the slowest set(): every page of fresh ArrayBuffers of the sizes of the main
 * tables an hmap insert of N keys allocates (2^b buckets for b = 0..B, one per doubling), written once and
 * timed. A growing table (hmap, Map, Go's map alike) writes into fresh memory, and each first write to a page
 * is a page fault; on the VM this was measured on, about one fault in 20,000 took over 1 ms and the slowest
 * several ms, with nothing else running. Same histogram and clock as timedInsert.
 */
function firstTouches(kind: ValueKind, B: number): Timed {
  const bucketBytes = new HashMap({ key: 'int32', value: kind }).stats().bytes; // B = 0: one bucket
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  const now = performance.now.bind(performance);
  let max = 0;
  let maxAt = 0;
  let maxStart = 0;
  let page = 0;
  for (let b = 0; b <= B; b++) {
    const a = new Uint8Array(2 ** b * bucketBytes);
    for (let i = 0; i < a.length; i += 4096, page++) {
      const t0 = now();
      a[i] = 1;
      const dt = now() - t0;
      h.recordValue(Math.max(1, Math.round(dt * 1e6)));
      if (dt > max) {
        max = dt;
        maxAt = page;
        maxStart = t0;
      }
    }
  }
  const r = { p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9), max: h.maxValue, maxAt, maxStart };
  h.destroy();
  return r;
}

function heapBytesPerEntry(keys: Int32Array, kind: ValueKind): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const m = newMap();
  fill(m, keys, kind);
  gc();
  const after = process.memoryUsage().heapUsed;
  sink += m.size;
  return (after - before) / keys.length;
}

function hmapBytesPerEntry(keys: Int32Array, kind: ValueKind): { stats: number; arrayBuffers: number } {
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const m = new HashMap({ key: 'int32', value: kind });
  fill(m as unknown as AnyMap, keys, kind);
  gc();
  const after = process.memoryUsage().arrayBuffers;
  return { stats: m.stats().bytes / keys.length, arrayBuffers: (after - before) / keys.length };
}

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M/s` : `${(x / 1e3).toFixed(1)}K/s`;
}

function fmtNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} us` : `${ns} ns`;
}

function fmtN(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}e6`.replace('10e6', '1e7').replace('100e6', '1e8') : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}e3`.replace('100e3', '1e5').replace('10e3', '1e4') : String(n);
}

async function runSize(n: number, kinds: ValueKind[], only: Set<string>, rows: Row[], lat: LatencyRow[], log: (s: string) => void): Promise<void> {
  const keys = makeKeys(0, n, 0x5bd1e995);
  const misses = makeKeys(n, n, 0x5bd1e995);
  const lookups = Math.min(n, 1_000_000);
  const hitOrder = new Int32Array(lookups);
  for (let i = 0; i < lookups; i++) hitOrder[i] = keys[(fmix32(i ^ 0x27d4eb2f) >>> 0) % n]!;
  const missOrder = misses.subarray(0, lookups);

  for (const kind of kinds) {
    const tag = `N=${fmtN(n)} int32->${kind}`;
    const L = { Map: loopsFor(), hmap: loopsFor() };
    if (only.has('insert')) {
      log(`${tag}: insert`);
      let m: AnyMap = newMap();
      const r = await throughput('insert', n, n, {
        Map: { beforeEach: () => { m = newMap(); }, fn: () => L.Map.fill(m, keys, kind), afterEach: () => { m = newMap(); } },
        hmap: { beforeEach: () => { m = newHmap(kind); }, fn: () => L.hmap.fill(m, keys, kind), afterEach: () => { m = newMap(); } },
      });
      rows.push({ n, value: kind, op: 'insert', map: r.map, hmap: r.hmap, ratio: r.hmap / r.map, unit: 'ops/s' });
    }
    if (only.has('get') || only.has('miss') || only.has('delete')) {
      const full: Record<'Map' | 'hmap', AnyMap> = { Map: newMap(), hmap: newHmap(kind) };
      L.Map.fill(full.Map, keys, kind);
      L.hmap.fill(full.hmap, keys, kind);
      for (const [op, order] of [['get', hitOrder], ['miss', missOrder]] as const) {
        if (!only.has(op)) continue;
        log(`${tag}: ${op}`);
        const r = await throughput(op, n, lookups, {
          Map: { fn: () => { sink += L.Map.lookupAll(full.Map, order); } },
          hmap: { fn: () => { sink += L.hmap.lookupAll(full.hmap, order); } },
        });
        rows.push({ n, value: kind, op: op === 'get' ? 'get hit' : 'get miss', map: r.map, hmap: r.hmap, ratio: r.hmap / r.map, unit: 'ops/s' });
      }
      if (only.has('delete')) {
        // One timed pass that empties each full map (rebuilding 1e7-entry maps for repeated runs would double
        // the benchmark's time): a single sample, so expect more noise here than in the other rows.
        log(`${tag}: delete`);
        const rate: Record<string, number> = {};
        for (const impl of ['Map', 'hmap'] as const) {
          // Warm the delete path first so the one timed pass measures optimized code, not JIT tier-up.
          const warm = impl === 'Map' ? newMap() : newHmap(kind);
          const few = keys.subarray(0, Math.min(n, 20_000));
          for (let r = 0; r < 5; r++) {
            L[impl].fill(warm, few, kind);
            L[impl].deleteAll(warm, few);
          }
          gc();
          const t0 = performance.now();
          L[impl].deleteAll(full[impl], keys);
          rate[impl] = n / ((performance.now() - t0) / 1000);
        }
        rows.push({ n, value: kind, op: 'delete (1 run)', map: rate['Map']!, hmap: rate['hmap']!, ratio: rate['hmap']! / rate['Map']!, unit: 'ops/s' });
      }
    }
    gc();
    if (only.has('latency')) {
      log(`${tag}: latency`);
      for (const impl of ['Map', 'hmap'] as const) {
        const r = await latency(kind, keys, impl === 'Map' ? newMap : () => newHmap(kind));
        lat.push({ n, value: kind, impl, ...r });
      }
      const B = new HashMap({ key: 'int32', value: kind, capacity: n }).stats().B; // the B an insert of n keys ends at
      await settle();
      lat.push({ n, value: kind, impl: 'first touch', ...(await attributed(() => firstTouches(kind, B))) });
    }
    if (only.has('memory')) {
      log(`${tag}: memory`);
      const mapB = heapBytesPerEntry(keys, kind);
      const hm = hmapBytesPerEntry(keys, kind);
      rows.push({ n, value: kind, op: 'bytes/entry', map: mapB, hmap: hm.stats, ratio: hm.stats / mapB, unit: 'bytes' });
    }
    gc();
  }
}

function huge(log: (s: string) => void): void {
  const n = 1e8;
  log(`huge: inserting ${n} int32 -> int32 keys into one hmap`);
  const m = new HashMap({ key: 'int32', value: 'int32' });
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const k = fmix32(i ^ 0x5bd1e995) | 0;
    const s = performance.now();
    m.set(k, i);
    h.recordValue(Math.max(1, Math.round((performance.now() - s) * 1e6)));
  }
  const secs = (performance.now() - t0) / 1000;
  let ok = 0;
  for (let i = 0; i < n; i += 997) if (m.get(fmix32(i ^ 0x5bd1e995) | 0) === i) ok++;
  const st = m.stats();
  console.log(`\nhuge: ${st.count} entries in ${secs.toFixed(1)} s (timed per op), spot-checked ${ok} of ${Math.ceil(n / 997)} keys`);
  console.log(`huge: set latency p50 ${fmtNs(h.getValueAtPercentile(50))}, p99 ${fmtNs(h.getValueAtPercentile(99))}, p99.9 ${fmtNs(h.getValueAtPercentile(99.9))}, max ${fmtNs(h.maxValue)}`);
  console.log(`huge: ${(st.bytes / st.count).toFixed(2)} bytes/entry, B=${st.B}, ${st.overflowBuckets} overflow buckets`);
  h.destroy();
  log('huge: filling a native Map until it refuses');
  const ref = new Map<number, number>();
  try {
    for (let i = 0; i < n; i++) ref.set(i, i);
    console.log(`huge: Map accepted ${ref.size} entries`);
  } catch (e) {
    console.log(`huge: Map threw at ${ref.size} entries: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run bench --')
    .description('hmap vs native Map: throughput, latency percentiles and bytes per entry on int32 keys')
    .option('--sizes <list>', 'comma-separated map sizes', '1e5,1e6,1e7')
    .addOption(new Option('--only <ops>', 'comma-separated subset of: insert,get,miss,delete,latency,memory, any (new HashMap() vs new Map(), mixed keys, bench/any.ts) and words (word count: string keys, Zipf(1) over N distinct words (default 1e6), 20 N increments, plus churn memory; bench/words.ts, about 3 minutes); any and words are not in the default set').default('insert,get,miss,delete,latency,memory'))
    .addOption(new Option('--values <kinds>', 'comma-separated value kinds').default('int32,float64'))
    .option('--huge', 'insert 1e8 keys into one hmap and fill a Map until it refuses (needs ~3 GB, a few minutes); alone unless --sizes is given', false)
    .option('--huge-strings', 'insert 5e7 string keys (-> int32) into one hmap, then fill a Map with string keys until it refuses (needs ~6 GB, several minutes); alone unless --sizes or --only is given', false)
    .option('--json', 'print the results as JSON instead of tables', false)
    .option('--quiet', 'no progress lines', false);
  program.parse(process.argv);
  const opts = program.opts<{ sizes: string; only: string; values: string; huge: boolean; hugeStrings: boolean; json: boolean; quiet: boolean }>();
  const sizes = opts.sizes.split(',').map((s) => Number(s));
  for (const s of sizes) if (!Number.isSafeInteger(s) || s < 1) program.error(`--sizes: ${JSON.stringify(s)} is not a positive integer`);
  const only = new Set(opts.only.split(','));
  for (const o of only) if (!['insert', 'get', 'miss', 'delete', 'latency', 'memory', 'any', 'words'].includes(o)) program.error(`--only: unknown op ${o}`);
  const kinds = opts.values.split(',') as ValueKind[];
  for (const k of kinds) if (k !== 'int32' && k !== 'float64') program.error(`--values: ${k} is not int32 or float64`);
  if (!(globalThis as { gc?: unknown }).gc) console.error('note: run with node --expose-gc (npm run bench does) for stable memory figures');
  const log = opts.quiet || opts.json ? () => {} : (s: string) => console.error(`  ... ${s}`);

  const rows: Row[] = [];
  const lat: LatencyRow[] = [];
  const started = performance.now();
  if (opts.hugeStrings) {
    hugeStrings(5e7, log);
    if (program.getOptionValueSource('sizes') === 'default' && program.getOptionValueSource('only') === 'default' && !opts.huge) return;
  }
  if (opts.huge && program.getOptionValueSource('sizes') === 'default') {
    huge(log);
    return;
  }
  if (only.delete('any')) {
    // --only any: bench/any.ts at the given sizes (default 1e6 when --sizes is not given).
    const anySizes = program.getOptionValueSource('sizes') === 'default' ? [1e6] : sizes;
    for (const n of anySizes) printAny(anyBench(n, 5, log));
    if (only.size === 0) return;
  }
  if (only.delete('words')) {
    // --only words: bench/words.ts with N distinct words per size (default 1e6), 20 N increments.
    const wordSizes = program.getOptionValueSource('sizes') === 'default' ? [1e6] : sizes;
    for (const n of wordSizes) printWords(await wordsBench(n, 20 * n, 2, log));
    printChurn(churnBench(100_000, 60, log));
    if (only.size === 0) return;
  }
  for (const n of sizes) await runSize(n, kinds, only, rows, lat, log);

  if (opts.json) {
    console.log(JSON.stringify({ node: process.version, date: new Date().toISOString(), rows, latency: lat, sink }, null, 2));
  } else {
    console.log(`\nhmap vs Map, int32 keys, node ${process.version}, ${new Date().toISOString().slice(0, 10)} (ratio = hmap / Map)`);
    console.table(
      rows.map((r) => ({
        N: fmtN(r.n),
        'key->value': `int32->${r.value}`,
        op: r.op,
        Map: r.unit === 'bytes' ? r.map.toFixed(1) : fmtRate(r.map),
        hmap: r.unit === 'bytes' ? r.hmap.toFixed(1) : fmtRate(r.hmap),
        ratio: `${r.ratio.toFixed(2)}x`,
      })),
    );
    if (lat.length > 0) {
      console.log('latency of each set() while inserting N keys into an empty map');
      console.table(lat.map((r) => ({ N: fmtN(r.n), 'key->value': `int32->${r.value}`, impl: r.impl, p50: fmtNs(r.p50), p99: fmtNs(r.p99), 'p99.9': fmtNs(r.p999), max: fmtNs(r.max), 'max at set #': r.impl === 'first touch' ? `page ${r.maxAt}` : r.maxAt, 'GC in max': r.gcAtMax > 0 ? `${r.gcAtMax.toFixed(2)} ms` : '-', 'CPU steal': r.stealMs === null ? '?' : `${r.stealMs} ms` })));
      console.log('(each after a warm-up insert of up to 1e5 keys and a gc(); "max at set #": where in the insert the slowest set() was;');
      console.log(' "first touch": one timed write to each 4 KiB page of fresh ArrayBuffers the sizes of the main tables hmap allocates');
      console.log(' while inserting N keys, the page faults any growing table meets: the environment\'s floor under the max;');
      console.log(' "GC in max": the GC pause that overlapped the slowest operation; "CPU steal": time the hypervisor took from');
      console.log(' this VM during the run, all CPUs (/proc/stat, counted in 10 ms ticks: shorter steals may show as 0), a stall');
      console.log(' no code in the process can avoid)');
    }
    console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  if (opts.huge) huge(log);
}

await main();
