// Word count: string keys, the Zipf-distributed workload of counting words in text.
//
//   words      N distinct pseudo-random lowercase words (3-11 letters, seeded, deterministic), also kept as one
//              Latin-1 text with offsets
//   sequence   20 * N word indices drawn from Zipf(s = 1) over the N words (precomputed CDF + binary search),
//              sampled before any timing
//   Map        m.set(w, (m.get(w) ?? 0) + 1)
//   hmap       new HashMap({ key: 'string', value: 'int32' }) and m.increment(w)
//
// Two variants of where w comes from:
//   array      words[seq[i]]: the same 1e6 JS strings over and over, owned by the caller. Map finds each
//              string's hash cached in it after the first use; the JS heap holds the 1e6 strings, so every
//              full GC marks them (whoever triggers it).
//   text       text.toString('latin1', ...): a fresh string per increment, as a tokenizer makes them. Map
//              hashes every one, and keeps the first of each word alive as its key; hmap keeps none.
//
// Reported: throughput of the whole count (the fastest of `rounds` runs, impls alternating run by run), bytes per
// entry (hmap: stats().bytes / size, which includes the keys' text; Map: heap growth after gc(), without the
// key strings (array) and with them (text)), and the latency of every single operation of one count on an empty
// map (performance.now() around each op, hdr-histogram-js: p50, p99, p99.9, max), with the longest GC pause
// during that run (PerformanceObserver): in a process that holds the caller's 1e6 strings, V8's mark-compact
// pauses, which any allocation may start (hmap's buffers among them), are what the slowest operations wait on.
//
// Churn: L live string keys, each cycle deletes the oldest 10% and inserts as many new keys (steady size);
// bytes per entry at the end of each cycle shows that dead key units are reclaimed (same-size growths).
//
// Huge: 5e7 string keys in one hmap (Map stops at 16,777,216 entries).
//
// Run alone: node --expose-gc build/bench/words.js [N] [rounds], or npm run bench -- --only words.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { HashMap } from '../src/index.js';
import { withGcPauses } from './gc-pauses.js';

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** mulberry32: a small seeded PRNG; returns a function giving uniform floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The distinct words as one Latin-1 text with offsets, so fresh copies of any word can be made at will. */
export interface WordList {
  words: string[];
  text: Buffer;
  /** words[i] is text[off[i], off[i + 1]). */
  off: Int32Array;
}

/** N distinct lowercase words of 3 to 11 letters (mean 7), deterministic for a seed. */
export function makeWords(n: number, seed = 12345): WordList {
  const r = rng(seed);
  const seen = new Set<string>();
  const words: string[] = [];
  const codes: number[] = [];
  while (words.length < n) {
    const len = 3 + Math.floor(r() * 5) + Math.floor(r() * 5);
    codes.length = len;
    for (let i = 0; i < len; i++) codes[i] = 97 + Math.floor(r() * 26);
    const w = String.fromCharCode(...codes);
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  const off = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) off[i + 1] = off[i]! + words[i]!.length;
  const text = Buffer.alloc(off[n]!);
  for (let i = 0; i < n; i++) text.write(words[i]!, off[i]!, 'latin1');
  return { words, text, off };
}

/** `count` indices in [0, n) drawn from Zipf(s): P(rank k) proportional to 1 / (k + 1)^s. */
export function zipfSequence(n: number, count: number, s = 1, seed = 67890): Int32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / Math.pow(k + 1, s);
  const r = rng(seed);
  const seq = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const u = r() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    seq[i] = lo;
  }
  return seq;
}

interface Counter {
  get(k: string): number | undefined;
  set(k: string, v: number): unknown;
  increment(k: string): number;
  readonly size: number;
}

function countMap(m: Counter, words: string[], seq: Int32Array): void {
  for (let i = 0; i < seq.length; i++) {
    const w = words[seq[i]!]!;
    m.set(w, (m.get(w) ?? 0) + 1);
  }
}

function countHmap(m: Counter, words: string[], seq: Int32Array): void {
  for (let i = 0; i < seq.length; i++) m.increment(words[seq[i]!]!);
}

/** Tokenized: each word is a fresh string sliced out of the text, as a parser makes them (no cached hash). */
function countMapText(m: Counter, text: Buffer, off: Int32Array, seq: Int32Array): void {
  for (let i = 0; i < seq.length; i++) {
    const j = seq[i]!;
    const w = text.toString('latin1', off[j]!, off[j + 1]!);
    m.set(w, (m.get(w) ?? 0) + 1);
  }
}

function countHmapText(m: Counter, text: Buffer, off: Int32Array, seq: Int32Array): void {
  for (let i = 0; i < seq.length; i++) {
    const j = seq[i]!;
    m.increment(text.toString('latin1', off[j]!, off[j + 1]!));
  }
}

function timedMapText(m: Counter, text: Buffer, off: Int32Array, seq: Int32Array, h: hdr.Histogram): void {
  const now = performance.now.bind(performance);
  for (let i = 0; i < seq.length; i++) {
    const j = seq[i]!;
    const w = text.toString('latin1', off[j]!, off[j + 1]!);
    const t0 = now();
    m.set(w, (m.get(w) ?? 0) + 1);
    h.recordValue(Math.max(1, Math.round((now() - t0) * 1e6)));
  }
}

function timedHmapText(m: Counter, text: Buffer, off: Int32Array, seq: Int32Array, h: hdr.Histogram): void {
  const now = performance.now.bind(performance);
  for (let i = 0; i < seq.length; i++) {
    const j = seq[i]!;
    const w = text.toString('latin1', off[j]!, off[j + 1]!);
    const t0 = now();
    m.increment(w);
    h.recordValue(Math.max(1, Math.round((now() - t0) * 1e6)));
  }
}

/** The same loops, each op timed (performance.now() before and after) into an hdr histogram. */
function timedMap(m: Counter, words: string[], seq: Int32Array, h: hdr.Histogram): void {
  const now = performance.now.bind(performance);
  for (let i = 0; i < seq.length; i++) {
    const w = words[seq[i]!]!;
    const t0 = now();
    m.set(w, (m.get(w) ?? 0) + 1);
    h.recordValue(Math.max(1, Math.round((now() - t0) * 1e6)));
  }
}

function timedHmap(m: Counter, words: string[], seq: Int32Array, h: hdr.Histogram): void {
  const now = performance.now.bind(performance);
  for (let i = 0; i < seq.length; i++) {
    const w = words[seq[i]!]!;
    const t0 = now();
    m.increment(w);
    h.recordValue(Math.max(1, Math.round((now() - t0) * 1e6)));
  }
}

/** A fresh copy of each function, so every call site sees one map class (see bench/main.ts loopsFor). */
function fresh<F>(f: F): F {
  return new Function(`return ${String(f)}`)() as F;
}

type Impl = 'Map' | 'hmap';

export interface Latency {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** The longest GC pause while the timed count ran (ms), and how many pauses took over 2 ms. */
  longestGc: number;
  gcOver2ms: number;
}

/** 'array': words from one array of JS strings (the caller owns them; Map finds their hash cached). 'text':
 * each word a fresh string sliced out of a Latin-1 text, as a tokenizer makes them. */
export type Variant = 'array' | 'text';
export const variants: Variant[] = ['array', 'text'];

export interface WordsResult {
  words: number;
  increments: number;
  distinctSeen: number;
  /** Increments per second, the fastest of `rounds` runs. */
  rate: Record<Variant, Record<Impl, number>>;
  /**
   * hmap stats().bytes / size (keys' text included, off-heap), hmap's GC heap growth / size, and Map's heap
   * growth / size without ('array': keys owned by the caller) and with ('text': keys kept alive by the Map
   * only) the key strings.
   */
  bytes: { hmap: number; hmapGcHeap: number; map: number; mapWithKeys: number };
  latency: Record<Variant, Record<Impl, Latency>>;
  seconds: number;
}

function newHmap(): Counter {
  return new HashMap({ key: 'string', value: 'int32' }) as unknown as Counter;
}

type Loop = (m: Counter, list: WordList, seq: Int32Array) => void;
type TimedLoop = (m: Counter, list: WordList, seq: Int32Array, h: hdr.Histogram) => void;

/** Fresh copies of the loops for one variant and impl, wrapped to take the word list. */
function loopFor(v: Variant, impl: Impl): { run: Loop; timed: TimedLoop } {
  if (v === 'array') {
    const run = fresh(impl === 'Map' ? countMap : countHmap);
    const timed = fresh(impl === 'Map' ? timedMap : timedHmap);
    return { run: (m, l, q) => run(m, l.words, q), timed: (m, l, q, h) => timed(m, l.words, q, h) };
  }
  const run = fresh(impl === 'Map' ? countMapText : countHmapText);
  const timed = fresh(impl === 'Map' ? timedMapText : timedHmapText);
  return { run: (m, l, q) => run(m, l.text, l.off, q), timed: (m, l, q, h) => timed(m, l.text, l.off, q, h) };
}

/** The word count: throughput, bytes per entry and per-op latency for Map and hmap, both variants. */
export async function wordsBench(n = 1_000_000, increments = 20 * n, rounds = 2, log: (s: string) => void = () => {}): Promise<WordsResult> {
  const started = performance.now();
  log(`words: ${n} distinct words, ${increments} Zipf(1) increments: generating`);
  const list = makeWords(n);
  const seq = zipfSequence(n, increments);
  // The word strings are made again (from the text) only for the array variant, which runs last: while the text
  // variant runs, the JS heap holds no 1e6 strings of the benchmark's own (a GC there marks only what the maps keep).
  list.words = [];
  const wordAt = (i: number): string => list.text.toString('latin1', list.off[i]!, list.off[i + 1]!);
  const seenFlag = new Uint8Array(n);
  for (let i = 0; i < seq.length; i++) seenFlag[seq[i]!] = 1;
  let distinctSeen = 0;
  for (let i = 0; i < n; i++) distinctSeen += seenFlag[i]!;

  const make: Record<Impl, () => Counter> = { Map: () => new Map<string, number>() as unknown as Counter, hmap: newHmap };
  const rate = {} as Record<Variant, Record<Impl, number>>;
  const latency = {} as Record<Variant, Record<Impl, Latency>>;
  // Memory first, on a clean heap. hmap's GC heap: what a filled map keeps on the JS heap besides its ArrayBuffers.
  log('words: memory');
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) if (seenFlag[i]) distinct.push(i);
  gc();
  gc();
  let before = process.memoryUsage().heapUsed;
  const h2 = newHmap();
  for (const i of distinct) h2.increment(wordAt(i));
  gc();
  const hmapGcHeap = (process.memoryUsage().heapUsed - before) / distinct.length;
  if (h2.size !== distinct.length) throw new Error('words: memory map size');
  // Keys owned by the caller: the strings exist before the Map (and are dropped after).
  let keyOf: string[] | null = distinct.map(wordAt);
  gc();
  before = process.memoryUsage().heapUsed;
  let m1: Map<string, number> | null = new Map<string, number>();
  for (let j = 0; j < keyOf.length; j++) m1.set(keyOf[j]!, j);
  gc();
  const mapBytes = (process.memoryUsage().heapUsed - before) / distinct.length;
  // Read after the measurement: optimized code may otherwise treat m1 as dead, and the GC free it, before it.
  if (m1.size !== distinct.length) throw new Error('words: memory map size');
  m1 = null;
  keyOf = null;
  gc();
  before = process.memoryUsage().heapUsed;
  let m2: Map<string, number> | null = new Map<string, number>();
  for (const i of distinct) m2.set(wordAt(i), i);
  gc();
  const mapWithKeys = (process.memoryUsage().heapUsed - before) / distinct.length;
  if (m2.size !== distinct.length) throw new Error('words: memory map size');
  m2 = null;
  gc();
  gc();
  let hmapBytes = 0;
  for (const v of ['text', 'array'] as const) {
    if (v === 'array') list.words = Array.from({ length: n }, (_, i) => wordAt(i));
    const loop = { Map: loopFor(v, 'Map'), hmap: loopFor(v, 'hmap') };
    const best: Record<Impl, number> = { Map: Infinity, hmap: Infinity };
    for (let r = 0; r < rounds; r++) {
      for (const impl of ['Map', 'hmap'] as const) {
        gc();
        log(`words (${v}): ${impl} round ${r + 1}/${rounds}`);
        const m = make[impl]();
        const t0 = performance.now();
        loop[impl].run(m, list, seq);
        best[impl] = Math.min(best[impl], performance.now() - t0);
        if (m.size !== distinctSeen) throw new Error(`words: ${impl} holds ${m.size} words, expected ${distinctSeen}`);
        if (impl === 'Map') {
          last = m;
        } else {
          // Both counted the same: every word's count agrees.
          for (let i = 0; i < n; i += 97) {
            const w = wordAt(i);
            if (last!.get(w) !== m.get(w)) throw new Error(`words: counts of ${w} differ: ${last!.get(w)} vs ${m.get(w)}`);
          }
          hmapBytes = (m as unknown as { stats(): { bytes: number } }).stats().bytes / m.size;
          last = null;
        }
      }
    }
    rate[v] = { Map: increments / (best.Map / 1000), hmap: increments / (best.hmap / 1000) };
    // Latency of every single operation of one count on an empty map.
    latency[v] = {} as Record<Impl, Latency>;
    for (const impl of ['Map', 'hmap'] as const) {
      log(`words (${v}): ${impl} latency of each op`);
      gc();
      const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });
      const { pauses } = await withGcPauses(() => loop[impl].timed(make[impl](), list, seq, hist));
      latency[v][impl] = {
        p50: hist.getValueAtPercentile(50),
        p99: hist.getValueAtPercentile(99),
        p999: hist.getValueAtPercentile(99.9),
        max: hist.maxValue,
        longestGc: Math.max(0, ...pauses.map((p) => p.duration)),
        gcOver2ms: pauses.filter((p) => p.duration > 2).length,
      };
      hist.destroy();
    }
  }

  gc();
  return {
    words: n,
    increments,
    distinctSeen,
    rate,
    bytes: { hmap: hmapBytes, hmapGcHeap, map: mapBytes, mapWithKeys },
    latency,
    seconds: (performance.now() - started) / 1000,
  };
}

let last: Counter | null = null;

export interface ChurnResult {
  live: number;
  cycles: number;
  /** hmap stats().bytes / size at the end of each cycle. */
  bytesPerEntry: number[];
  sameSizeGrowths: number;
  doublings: number;
  /** Map's heap growth per entry after the last cycle (fresh key strings, kept alive by the Map only). */
  mapBytesPerEntry: number;
}

/** L live string keys -> int32; each cycle deletes the oldest 10% and inserts as many never-used keys. */
export function churnBench(live = 100_000, cycles = 60, log: (s: string) => void = () => {}): ChurnResult {
  log(`churn: ${live} live string keys, ${cycles} cycles of 10% delete + insert`);
  const key = (i: number): string => `session:${(i * 2654435761) >>> 0}:${i.toString(36)}`;
  const step = Math.max(1, Math.floor(live / 10));
  const hm = new HashMap({ key: 'string', value: 'int32' });
  const bytesPerEntry: number[] = [];
  let oldest = 0;
  let next = 0;
  for (; next < live; next++) hm.set(key(next), next | 0);
  for (let c = 0; c < cycles; c++) {
    for (let j = 0; j < step; j++) {
      hm.delete(key(oldest++));
      hm.set(key(next), next++ | 0);
    }
    bytesPerEntry.push(hm.stats().bytes / hm.size);
  }
  const met = hm.metrics();
  gc();
  const before = process.memoryUsage().heapUsed;
  let m: Map<string, number> | null = new Map<string, number>();
  for (let i = 0; i < live; i++) m.set(key(i), i);
  oldest = 0;
  next = live;
  for (let c = 0; c < cycles; c++) {
    for (let j = 0; j < step; j++) {
      m.delete(key(oldest++));
      m.set(key(next), next++);
    }
  }
  gc();
  const mapBytesPerEntry = (process.memoryUsage().heapUsed - before) / m.size;
  m = null;
  return { live, cycles, bytesPerEntry, sameSizeGrowths: met.sameSizeGrowths, doublings: met.doublings, mapBytesPerEntry };
}

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M/s` : `${(x / 1e3).toFixed(1)}K/s`;
}

function fmtNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} us` : `${ns} ns`;
}

export function printWords(r: WordsResult): void {
  console.log(
    `\nword count: ${r.words} distinct words (${r.distinctSeen} seen), ${r.increments} Zipf(1) increments, node ${process.version} (ratio = hmap / Map)`,
  );
  console.log("Map: m.set(w, (m.get(w) ?? 0) + 1); hmap: { key: 'string', value: 'int32' }, m.increment(w)");
  console.log(`array: words from an array of ${r.words} JS strings (hash cached in each for Map); text: each word a fresh string sliced from a text`);
  const rows: Record<string, string>[] = [];
  for (const v of variants) {
    rows.push({ variant: v, metric: 'throughput (best run)', Map: fmtRate(r.rate[v].Map), hmap: fmtRate(r.rate[v].hmap), ratio: `${(r.rate[v].hmap / r.rate[v].Map).toFixed(2)}x`, target: '>= 1.0x' });
  }
  rows.push({ variant: 'array', metric: 'bytes/entry (Map: keys owned by the caller)', Map: r.bytes.map.toFixed(1), hmap: r.bytes.hmap.toFixed(1), ratio: `${(r.bytes.hmap / r.bytes.map).toFixed(2)}x`, target: '<= 0.4x' });
  rows.push({ variant: 'text', metric: 'bytes/entry (Map: keys kept alive by it)', Map: r.bytes.mapWithKeys.toFixed(1), hmap: r.bytes.hmap.toFixed(1), ratio: `${(r.bytes.hmap / r.bytes.mapWithKeys).toFixed(2)}x`, target: '<= 0.4x' });
  for (const v of variants) {
    for (const p of ['p50', 'p99', 'p999', 'max'] as const) {
      rows.push({
        variant: v,
        metric: `latency ${p === 'p999' ? 'p99.9' : p}`,
        Map: fmtNs(r.latency[v].Map[p]),
        hmap: fmtNs(r.latency[v].hmap[p]),
        ratio: `${(r.latency[v].hmap[p] / r.latency[v].Map[p]).toFixed(2)}x`,
        target: p === 'max' ? 'hmap <= 2 ms' : '',
      });
    }
  }
  for (const v of variants) {
    const g = (impl: Impl): string => `${r.latency[v][impl].longestGc.toFixed(2)} ms (${r.latency[v][impl].gcOver2ms} over 2 ms)`;
    rows.push({ variant: v, metric: 'longest GC pause in the latency run', Map: g('Map'), hmap: g('hmap'), ratio: '', target: '' });
  }
  console.table(rows);
  console.log(`hmap GC heap per entry (besides its ArrayBuffers): ${r.bytes.hmapGcHeap.toFixed(2)} bytes; ${r.seconds.toFixed(0)} s`);
}

export function printChurn(r: ChurnResult): void {
  const b = r.bytesPerEntry;
  const pick = [0, 1, 2, 4, 7, 9, 10, 14, 19, 24, 29, 39, 49, 59].filter((i) => i < b.length);
  const half = b.slice(b.length >> 1);
  const mean = half.reduce((x, y) => x + y, 0) / half.length;
  console.log(
    `\nchurn memory, string keys -> int32: ${r.live} live keys, cycles of 10% delete + insert; hmap bytes/entry after cycle ` +
      pick.map((i) => `${i + 1}: ${b[i]!.toFixed(1)}`).join(', '),
  );
  console.log(
    `churn memory: hmap min ${Math.min(...b).toFixed(1)}, max ${Math.max(...b).toFixed(1)}, last half: mean ${mean.toFixed(1)}, max ${Math.max(...half).toFixed(1)} bytes/entry over ${r.cycles} cycles ` +
      `(${r.sameSizeGrowths} same-size growths, ${r.doublings} doublings); Map ${r.mapBytesPerEntry.toFixed(1)} bytes/entry after the same churn (keys kept alive by it)`,
  );
}

/** Inserts `n` distinct string keys (-> int32) into one hmap, each op timed; then fills a Map until it refuses. */
export function hugeStrings(n = 5e7, log: (s: string) => void = () => {}): void {
  const key = (i: number): string => `w${i.toString(36)}`;
  log(`huge strings: inserting ${n} string -> int32 keys into one hmap`);
  const m = new HashMap({ key: 'string', value: 'int32' });
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  const t0 = performance.now();
  let units = 0;
  for (let i = 0; i < n; i++) {
    const k = key(i);
    units += k.length;
    const s = performance.now();
    m.set(k, i | 0);
    h.recordValue(Math.max(1, Math.round((performance.now() - s) * 1e6)));
    if ((i & 0xffffff) === 0 && i > 0) log(`huge strings: ${i} keys, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const secs = (performance.now() - t0) / 1000;
  let ok = 0;
  for (let i = 0; i < n; i += 997) if (m.get(key(i)) === (i | 0)) ok++;
  const st = m.stats();
  console.log(`\nhuge strings: ${st.count} string keys in ${secs.toFixed(1)} s (timed per op), spot-checked ${ok} of ${Math.ceil(n / 997)} keys`);
  console.log(`huge strings: set latency p50 ${fmtNs(h.getValueAtPercentile(50))}, p99 ${fmtNs(h.getValueAtPercentile(99))}, p99.9 ${fmtNs(h.getValueAtPercentile(99.9))}, max ${fmtNs(h.maxValue)}`);
  console.log(
    `huge strings: ${(st.bytes / st.count).toFixed(2)} bytes/entry (keys average ${(units / n).toFixed(2)} units), B=${st.B}, ${st.overflowBuckets} overflow buckets, growing ${st.growing}`,
  );
  h.destroy();
  log('huge strings: filling a native Map with string keys until it refuses');
  const ref = new Map<string, number>();
  try {
    for (let i = 0; i < n; i++) ref.set(key(i), i);
    console.log(`huge strings: Map accepted ${ref.size} entries`);
  } catch (e) {
    console.log(`huge strings: Map threw at ${ref.size} entries: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

// Run directly: node --expose-gc build/bench/words.js [N] [rounds]
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const n = Number(process.argv[2] ?? 1e6);
  const rounds = Number(process.argv[3] ?? 2);
  const log = (s: string): void => console.error(`  ... ${s}`);
  printWords(await wordsBench(n, 20 * n, rounds, log));
  printChurn(churnBench(100_000, 60, log));
}
