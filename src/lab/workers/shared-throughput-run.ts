// shared-throughput's driver, used by the lab experiment (../experiments/shared-throughput.ts) and by
// bench/shared.ts: builds each contestant's map in this thread, runs every mix with 1 and 2 worker threads
// (../workers/shared-throughput-worker.ts) while this thread awaits (or serves the Map, for the served
// contestants), and checks the issue's targets.
//
// One pool of worker threads runs every contestant in turn; each contestant runs its own copy of the worker's
// loop (no call site sees two contestants' maps). Runs of one contestant go round by round: every mix and
// worker count once per round; a cell's figure is the median of its rounds.

import { Worker } from 'node:worker_threads';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import type { Verdict } from '../types.js';
import { createHmap, hmapUnavailable } from './shared-throughput-hmap.js';
import { createShareable, createSharedMap, loadShareable, loadSharedMap } from './shared-throughput-npm.js';
import { RunMem, batchSize, contestantNames, mixNames, readShare } from './shared-throughput-shared.js';
import type { ContestantName, Mix, ServedRequest, ThroughputJob, ThroughputReply } from './shared-throughput-shared.js';

export { contestantLabels, contestantNames, mixLabels, mixNames } from './shared-throughput-shared.js';
export type { ContestantName, Mix } from './shared-throughput-shared.js';

const workerUrl = new URL('./shared-throughput-worker.js', import.meta.url);

/** Worker threads spawned once per contestant and reused for each of its runs. */
class Pool {
  private readonly workers: Worker[];
  private failed: Error | null = null;

  constructor(n: number) {
    this.workers = Array.from({ length: n }, () => {
      const w = new Worker(workerUrl);
      w.on('error', (e: Error) => {
        this.failed ??= e;
      });
      return w;
    });
  }

  run(i: number, job: ThroughputJob, transfer: MessagePort[], timeoutMs: number): Promise<ThroughputReply> {
    const w = this.workers[i]!;
    if (this.failed !== null) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (msg: { ok: boolean; reply?: ThroughputReply; error?: string }): void => {
        done();
        if (msg.ok) resolve(msg.reply!);
        else reject(new Error(`shared-throughput: ${job.contestant}: worker ${i}: ${msg.error}`));
      };
      const onError = (e: Error): void => {
        done();
        reject(e);
      };
      const onExit = (code: number): void => {
        done();
        reject(new Error(`shared-throughput: worker ${i} exited (${code})`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`shared-throughput: ${job.contestant}: worker ${i} did not answer in ${timeoutMs} ms`));
      }, timeoutMs);
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      w.postMessage({ job }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** null when the contestant can run this mix with this many workers, else why not. */
export function unsupported(c: ContestantName, mix: Mix, workers: number): string | null {
  if (c === 'shareable-map' && mix !== 'read-only') {
    return 'ShareableMap cannot update a key (set() of a present key adds an entry get() never returns), has no delete and no locks';
  }
  if (c === 'hmap-none' && workers > 1 && mix !== 'read-only') return "concurrency 'none' allows one writer at a time (a second one throws ConcurrentWriteError)";
  return null;
}

/** A contestant's map, built and filled in this thread. */
interface Host {
  /** What each job carries for the worker to attach. */
  handle: unknown;
  /** Served contestants: answer the requests arriving on this port. */
  serve?(port: MessagePort, batched: boolean): void;
  /** After the runs: the map still holds every key (null), or what is wrong. */
  check(): string | null;
}

async function openHost(c: ContestantName, keys: Int32Array): Promise<Host | string> {
  const n = keys.length;
  const sizeCheck = (size: number): string | null => (size === n ? null : `${c}: ${size} entries after the runs, expected ${n}`);
  switch (c) {
    case 'hmap':
    case 'hmap-none': {
      const why = hmapUnavailable();
      if (why !== null) return why;
      const m = createHmap(keys, c === 'hmap' ? 'locked' : 'none');
      return {
        handle: m.share(),
        check: () => {
          m.verify?.();
          return sizeCheck(m.size);
        },
      };
    }
    case 'served-map':
    case 'served-map-batched': {
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) m.set(keys[i]!, i);
      return {
        handle: null,
        serve(port, batched) {
          if (batched) {
            port.on('message', (req: Int32Array) => {
              const out = new Float64Array(batchSize);
              for (let j = 0; j < batchSize; j++) {
                const k = req[3 * j + 1]!;
                if (req[3 * j] === 0) {
                  const v = m.get(k);
                  out[j] = v === undefined ? NaN : v;
                } else m.set(k, req[3 * j + 2]!);
              }
              port.postMessage(out);
            });
          } else {
            port.on('message', (req: ServedRequest) => {
              if (req[0] === 0) port.postMessage(m.get(req[1]));
              else {
                m.set(req[1], req[2]);
                port.postMessage(0);
              }
            });
          }
        },
        check: () => sizeCheck(m.size),
      };
    }
    case 'sharedmap': {
      const C = await loadSharedMap();
      if (typeof C === 'string') return C;
      const m = createSharedMap(C, keys);
      return { handle: m, check: () => sizeCheck(m.length) };
    }
    case 'local-map':
      // Each worker builds its own Map (before the barrier); this thread holds nothing.
      return { handle: null, check: () => null };
    case 'shareable-map': {
      const C = await loadShareable();
      if (typeof C === 'string') return C;
      const m = createShareable(C, keys);
      return { handle: m.getBuffers(), check: () => sizeCheck(m.size) };
    }
  }
}

export interface ShapeOptions {
  /** Keys in the map (all present; every op picks one uniformly at random). */
  keys: number;
  durationMs: number;
  /** A run of every cell before the measured rounds, not counted (0: none). */
  warmupMs: number;
  rounds: number;
  contestants: readonly ContestantName[];
  mixes: readonly Mix[];
  workers: readonly number[];
  seed: number;
  /** Time one op in this many on the shared maps (served-map: every op; batched: every message). */
  sampleEvery: number;
  onProgress?(done: number, total: number): void;
  /** A line about what is starting (the bench prints it to stderr). */
  log?(line: string): void;
}

export const defaultShape: Omit<ShapeOptions, 'seed'> = {
  keys: 1e6,
  durationMs: 2000,
  warmupMs: 300,
  rounds: 1,
  contestants: contestantNames,
  mixes: mixNames,
  workers: [1, 2],
  sampleEvery: 32,
};

/** Latency percentiles, ns. */
export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** One contestant, mix and worker count: the median of its rounds (n/a when it cannot run it). */
export interface Cell {
  contestant: ContestantName;
  mix: Mix;
  workers: number;
  /** Why it did not run (unsupported mix, package not installed, no shared maps in this build). */
  na?: string;
  /** Ops per second, all workers together: median over rounds of (their ops / the longest worker's run). */
  opsPerSec: number;
  /** Per round. */
  roundOpsPerSec: number[];
  /** Ops per second of each worker (median over rounds). */
  perWorker: number[];
  ops: number;
  gets: number;
  hits: number;
  sets: number;
  /**
   * The workers' time on a core and in a run queue (waiting for a core) over their run time, mean of the workers,
   * median of rounds (Linux; NaN elsewhere). A shared map's worker runs flat out: cpu near 1 unless other load
   * takes the cores, which shows as run-queue time. A served Map's worker sleeps while it waits for answers.
   */
  cpuShare: number;
  runqueueShare: number;
  /** 'op': one op timed; 'message': a 64-op message's round trip (served-map-batched). */
  latencyOf: 'op' | 'message';
  latency: LatencyStats;
}

export interface ShapeResult {
  options: Omit<ShapeOptions, 'onProgress' | 'log'>;
  cells: Cell[];
  /** Time to build and fill each contestant's map in this thread, ms. */
  prefillMs: Partial<Record<ContestantName, number>>;
  /** Contestants that did not run at all, and why. */
  unavailable: Partial<Record<ContestantName, string>>;
  /** Sanity failures (gets that missed a present key, maps that lost entries). Empty when all is well. */
  problems: string[];
}

const newHist = (): hdr.Histogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });

interface RawRun {
  opsPerSec: number;
  perWorker: number[];
  cpuShare: number;
  runqueueShare: number;
  replies: ThroughputReply[];
}

async function runOnce(pool: Pool, host: Host, c: ContestantName, mix: Mix, workers: number, keys: Int32Array, durationMs: number, sampleEvery: number, seed: number): Promise<RawRun> {
  const mem = new Int32Array(new SharedArrayBuffer(RunMem.words * 4));
  const served = c === 'served-map' || c === 'served-map-batched';
  const ports: MessagePort[] = [];
  const runs = Array.from({ length: workers }, (_, i) => {
    const job: ThroughputJob = {
      contestant: c,
      handle: host.handle,
      keys,
      mem,
      threads: workers,
      readShare: readShare[mix],
      durationMs,
      sampleEvery: served ? 1 : sampleEvery,
      seed: (seed + i * 0x9e3779b1) | 0,
    };
    const transfer: MessagePort[] = [];
    if (served) {
      const ch = new MessageChannel();
      host.serve!(ch.port1, c === 'served-map-batched');
      ports.push(ch.port1);
      job.port = ch.port2;
      transfer.push(ch.port2);
    }
    return pool.run(i, job, transfer, durationMs + 120_000);
  });
  try {
    const replies = await Promise.all(runs);
    const longest = Math.max(...replies.map((r) => r.elapsedMs));
    const total = replies.reduce((a, r) => a + r.ops, 0);
    const mean = (f: (r: ThroughputReply) => number): number => replies.reduce((a, r) => a + f(r), 0) / replies.length;
    return {
      opsPerSec: total / (longest / 1000),
      perWorker: replies.map((r) => r.ops / (r.elapsedMs / 1000)),
      cpuShare: mean((r) => r.cpuMs / r.elapsedMs),
      runqueueShare: mean((r) => r.runqueueMs / r.elapsedMs),
      replies,
    };
  } finally {
    for (const p of ports) p.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function naCell(contestant: ContestantName, mix: Mix, workers: number, na: string): Cell {
  return {
    contestant,
    mix,
    workers,
    na,
    opsPerSec: NaN,
    roundOpsPerSec: [],
    perWorker: [],
    ops: 0,
    gets: 0,
    hits: 0,
    sets: 0,
    cpuShare: NaN,
    runqueueShare: NaN,
    latencyOf: contestant === 'served-map-batched' ? 'message' : 'op',
    latency: { count: 0, p50: NaN, p99: NaN, max: NaN },
  };
}

/**
 * The warm-up runs of a contestant: the mix with the most sets at the most workers it supports, then more
 * workers on another mix if that was fewer than the most any mix supports (every thread runs gets and sets,
 * or everything the contestant supports).
 */
export function warmups<T extends { mix: Mix; workers: number }>(todo: readonly T[]): T[] {
  const out: T[] = [];
  let warmed = 0;
  const byWrites = [...todo].sort((a, b) => readShare[a.mix] - readShare[b.mix] || b.workers - a.workers);
  for (const p of byWrites) {
    if (p.workers > warmed) {
      out.push(p);
      warmed = p.workers;
    }
  }
  return out;
}

/** Fills contestant by contestant, runs every cell, checks the maps; the calling thread awaits meanwhile. */
export async function runShape(opts: ShapeOptions): Promise<ShapeResult> {
  const keys = new Int32Array(new SharedArrayBuffer(opts.keys * 4));
  // Distinct pseudo-random int32 keys (an odd multiplier is a bijection on 32 bits), salted by the seed.
  const salt = Math.imul(opts.seed | 1, 0x2545f491);
  for (let i = 0; i < opts.keys; i++) keys[i] = Math.imul(i ^ salt, 0x9e3779b1);
  const plan: Array<{ c: ContestantName; mix: Mix; workers: number }> = [];
  for (const c of opts.contestants) for (const mix of opts.mixes) for (const w of opts.workers) plan.push({ c, mix, workers: w });
  const runnable = plan.filter((p) => unsupported(p.c, p.mix, p.workers) === null);
  const total = runnable.length * opts.rounds + opts.contestants.length;
  let done = 0;
  const progress = (): void => opts.onProgress?.(++done, total);
  const cells: Cell[] = [];
  const prefillMs: ShapeResult['prefillMs'] = {};
  const unavailable: ShapeResult['unavailable'] = {};
  const problems: string[] = [];
  const maxWorkers = Math.max(...opts.workers);
  // Spawned first: the threads load their modules while this one fills the first map.
  const pool = new Pool(maxWorkers);
  try {
    for (const c of opts.contestants) {
      const mine = plan.filter((p) => p.c === c);
      opts.log?.(`${c}: filling ${opts.keys} keys`);
      const t0 = performance.now();
      const host = await openHost(c, keys);
      if (typeof host === 'string') {
        unavailable[c] = host;
        for (const p of mine) cells.push(naCell(c, p.mix, p.workers, host));
        done += mine.filter((p) => unsupported(p.c, p.mix, p.workers) === null).length * opts.rounds;
        progress();
        continue;
      }
      prefillMs[c] = performance.now() - t0;
      const raw = new Map<string, RawRun[]>();
      const id = (mix: Mix, w: number): string => `${mix}/${w}`;
      let seed = opts.seed;
      const todo = mine.filter((p) => unsupported(c, p.mix, p.workers) === null);
      if (opts.warmupMs > 0) {
        opts.log?.(`${c}: warm-up`);
        for (const p of warmups(todo)) await runOnce(pool, host, c, p.mix, p.workers, keys, opts.warmupMs, opts.sampleEvery, seed++);
      }
      progress();
      for (let r = 0; r < opts.rounds; r++) {
        for (const p of todo) {
          opts.log?.(`${c}: ${p.mix}, ${p.workers} worker(s)${opts.rounds > 1 ? `, round ${r + 1}` : ''}`);
          const run = await runOnce(pool, host, c, p.mix, p.workers, keys, opts.durationMs, opts.sampleEvery, seed++);
          const k = id(p.mix, p.workers);
          raw.set(k, [...(raw.get(k) ?? []), run]);
          progress();
        }
      }
      const bad = host.check();
      if (bad !== null) problems.push(bad);
      for (const p of mine) {
        const why = unsupported(c, p.mix, p.workers);
        if (why !== null) {
          cells.push(naCell(c, p.mix, p.workers, why));
          continue;
        }
        const runs = raw.get(id(p.mix, p.workers))!;
        const h = newHist();
        let maxNs = 0;
        let ops = 0;
        let gets = 0;
        let hits = 0;
        let sets = 0;
        for (const run of runs) {
          for (const r of run.replies) {
            const d = hdr.decodeFromCompressedBase64(r.hist, 32, false);
            h.add(d);
            d.destroy();
            maxNs = Math.max(maxNs, r.maxNs);
            ops += r.ops;
            gets += r.gets;
            hits += r.hits;
            sets += r.sets;
          }
        }
        if (hits !== gets) problems.push(`${c}, ${p.mix}, ${p.workers} worker(s): ${gets - hits} of ${gets} gets missed a present key`);
        cells.push({
          contestant: c,
          mix: p.mix,
          workers: p.workers,
          opsPerSec: median(runs.map((x) => x.opsPerSec)),
          roundOpsPerSec: runs.map((x) => x.opsPerSec),
          perWorker: Array.from({ length: p.workers }, (_, i) => median(runs.map((x) => x.perWorker[i]!))),
          ops,
          gets,
          hits,
          sets,
          cpuShare: median(runs.map((x) => x.cpuShare)),
          runqueueShare: median(runs.map((x) => x.runqueueShare)),
          latencyOf: c === 'served-map-batched' ? 'message' : 'op',
          latency: { count: h.totalCount, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: maxNs },
        });
        h.destroy();
      }
    }
  } finally {
    await pool.close();
  }
  const { onProgress: _p, log: _l, ...options } = opts;
  return { options, cells, prefillMs, unavailable, problems };
}

// ---------------------------------------------------------------------------------------------------------------
// The issue's targets.

export const targets = {
  /** Two workers on the read-heavy mix: at least this many times one worker. */
  scaling: 1.7,
  /** At least this many times the Map served by postMessage (one op per message), on every mix and worker count. */
  vsServed: 10,
  /** Ahead of each npm shared map on every mix it supports. */
  vsNpm: 1,
} as const;

export function cellOf(cells: readonly Cell[], c: ContestantName, mix: Mix, workers: number): Cell | undefined {
  return cells.find((x) => x.contestant === c && x.mix === mix && x.workers === workers && x.na === undefined);
}

/** 2 workers' ops/s over 1 worker's (NaN when either did not run). */
export function scalingOf(cells: readonly Cell[], c: ContestantName, mix: Mix): number {
  const one = cellOf(cells, c, mix, 1);
  const two = cellOf(cells, c, mix, 2);
  return one && two ? two.opsPerSec / one.opsPerSec : NaN;
}

/** a / b over the cells both ran, with where the smallest ratio was. */
export interface RatioSet {
  pairs: Array<{ mix: Mix; workers: number; ratio: number }>;
  min: number;
  minAt: string;
}

export function ratios(cells: readonly Cell[], a: ContestantName, b: ContestantName): RatioSet {
  const pairs: RatioSet['pairs'] = [];
  for (const x of cells) {
    if (x.contestant !== a || x.na !== undefined) continue;
    const y = cellOf(cells, b, x.mix, x.workers);
    if (y !== undefined) pairs.push({ mix: x.mix, workers: x.workers, ratio: x.opsPerSec / y.opsPerSec });
  }
  let min = NaN;
  let minAt = '';
  for (const p of pairs) {
    if (!(p.ratio >= min)) {
      min = p.ratio;
      minAt = `${p.mix}, ${p.workers} worker(s)`;
    }
  }
  return { pairs, min, minAt };
}

export interface TargetCheck {
  name: 'scaling' | 'vs-served-map' | 'vs-sharedmap' | 'vs-shareable-map';
  label: string;
  /** The measured figure (a ratio), NaN when not measured. */
  value: number;
  threshold: number;
  /** null: not measured (a contestant did not run). */
  pass: boolean | null;
  detail: string;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const x2 = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(r >= 100 ? 0 : 2)}x` : 'n/a');

export function checkTargets(cells: readonly Cell[]): { checks: TargetCheck[]; verdict: Verdict } {
  const checks: TargetCheck[] = [];
  const one = cellOf(cells, 'hmap', 'read-heavy', 1);
  const two = cellOf(cells, 'hmap', 'read-heavy', 2);
  const scale = one && two ? two.opsPerSec / one.opsPerSec : NaN;
  checks.push({
    name: 'scaling',
    label: `hmap, read-heavy: 2 workers >= ${targets.scaling}x 1 worker`,
    value: scale,
    threshold: targets.scaling,
    pass: Number.isFinite(scale) ? scale >= targets.scaling : null,
    detail:
      (one && two ? `${Math.round(two.opsPerSec)} vs ${Math.round(one.opsPerSec)} ops/s: ${x2(scale)}` : 'not measured') +
      (one && two && Number.isFinite(two.runqueueShare) ? `, the workers waiting for a core ${pct(one.runqueueShare)} (1) and ${pct(two.runqueueShare)} (2) of the run` : '') +
      (Number.isFinite(scalingOf(cells, 'local-map', 'read-heavy')) ? ` (reference, a private Map in each worker: ${x2(scalingOf(cells, 'local-map', 'read-heavy'))})` : ''),
  });
  const vs = (name: TargetCheck['name'], other: ContestantName, threshold: number, label: string): void => {
    const r = ratios(cells, 'hmap', other);
    const strict = threshold === 1; // "ahead of": strictly faster
    checks.push({
      name,
      label,
      value: r.min,
      threshold,
      pass: r.pairs.length === 0 ? null : strict ? r.min > threshold : r.min >= threshold,
      detail: r.pairs.length === 0 ? 'not measured' : `lowest ${x2(r.min)} (${r.minAt}); ${r.pairs.map((p) => `${p.mix}/${p.workers}w ${x2(p.ratio)}`).join(', ')}`,
    });
  };
  vs('vs-served-map', 'served-map', targets.vsServed, `hmap >= ${targets.vsServed}x the Map served by postMessage, every mix and worker count`);
  vs('vs-sharedmap', 'sharedmap', targets.vsNpm, 'hmap ahead of npm sharedmap on every mix it supports');
  vs('vs-shareable-map', 'shareable-map', targets.vsNpm, 'hmap ahead of npm shared-memory-datastructures on every mix it supports');
  const measured = checks.filter((c) => c.pass !== null);
  const passed = measured.filter((c) => c.pass === true).length;
  const verdict: Verdict = measured.length > 0 && passed === measured.length && checks[0]!.pass === true ? 'confirmed' : passed > 0 ? 'partly' : 'refuted';
  return { checks, verdict };
}

// ---------------------------------------------------------------------------------------------------------------
// The table both the bench and the lab print.

const fmtRate = (r: number): string => (!Number.isFinite(r) ? 'n/a' : r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}K` : `${Math.round(r)}`);
export const fmtLat = (ns: number): string =>
  !Number.isFinite(ns) ? 'n/a' : ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} us` : `${Math.round(ns)} ns`;

export const tableColumns = [
  'map',
  'mix',
  'workers',
  'ops/s',
  'vs 1 worker',
  'vs served Map',
  'vs served Map (batched)',
  'vs sharedmap',
  'vs shareable-map',
  'latency p50',
  'p99',
  'max',
  'workers on a core / waiting for one',
];

/** The distinct reasons of the n/a cells, in order: tableRows marks a cell "n/a (k)" for reason k (from 1). */
export function naReasons(cells: readonly Cell[]): string[] {
  const out: string[] = [];
  for (const x of cells) if (x.na !== undefined && !out.includes(x.na)) out.push(x.na);
  return out;
}

export function tableRows(cells: readonly Cell[]): string[][] {
  const reasons = naReasons(cells);
  const vs = (x: Cell, other: ContestantName): string => {
    if (x.contestant === other) return '-';
    const y = cellOf(cells, other, x.mix, x.workers);
    return y === undefined ? 'n/a' : x2(x.opsPerSec / y.opsPerSec);
  };
  return cells.map((x) => {
    if (x.na !== undefined) return [x.contestant, x.mix, String(x.workers), `n/a (${reasons.indexOf(x.na) + 1})`, '', '', '', '', '', '', '', '', ''];
    const base = cellOf(cells, x.contestant, x.mix, 1);
    const per = x.latencyOf === 'message' ? ` /${batchSize}-op msg` : '';
    return [
      x.contestant,
      x.mix,
      String(x.workers),
      fmtRate(x.opsPerSec),
      base === undefined ? 'n/a' : x2(x.opsPerSec / base.opsPerSec),
      vs(x, 'served-map'),
      vs(x, 'served-map-batched'),
      vs(x, 'sharedmap'),
      vs(x, 'shareable-map'),
      fmtLat(x.latency.p50) + per,
      fmtLat(x.latency.p99),
      fmtLat(x.latency.max),
      Number.isFinite(x.cpuShare) ? `${pct(x.cpuShare)} / ${pct(x.runqueueShare)}` : 'n/a',
    ];
  });
}

/** The targets as lines: "PASS hmap, read-heavy: ... (detail)". */
export function targetLines(checks: readonly TargetCheck[]): string[] {
  return checks.map((c) => `${c.pass === null ? 'N/A ' : c.pass ? 'PASS' : 'FAIL'}  ${c.label}: ${c.detail}`);
}

