// shared-throughput: hmap's shared map (new HashMap({ shared: true }), one table in SharedArrayBuffers used by
// every worker thread at once) against a Map owned by the main thread and served by postMessage, and against the
// npm shared maps `sharedmap` and `shared-memory-datastructures`, with 1 and 2 worker threads on read-heavy
// (90/10), write-heavy (50/50) and read-only mixes over uniformly random present keys.
//
// The measuring code is shared with bench/shared.ts: ../workers/shared-throughput-run.ts (driver, targets,
// table), ../workers/shared-throughput-worker.ts (the worker's loops) and the contestants' modules beside them.

import { availableParallelism, loadavg } from 'node:os';
import type { ChartSpec, Experiment, LabContext, Series, TableSpec } from '../types.js';
import { fmtRate, round } from '../measure.js';
import {
  cellOf,
  checkTargets,
  contestantLabels,
  contestantNames,
  defaultShape,
  mixLabels,
  mixNames,
  naReasons,
  ratios,
  runShape,
  scalingOf,
  tableColumns,
  tableRows,
  targetLines,
  targets,
} from '../workers/shared-throughput-run.js';
import type { Cell, ContestantName, Mix } from '../workers/shared-throughput-run.js';

/** The article's sync.Map figures (004 §2.2, "1M 操作, Go 1.22"): mean latency per op by mix. */
export const article = { readHeavyNs: 3.2, balancedNs: 86, writeHeavyNs: 210 } as const;

const fig = (x: number): number | string => (Number.isFinite(x) ? round(x) : 'n/a');
const fx = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(x >= 100 ? 0 : 2)}x` : 'n/a');
const key = (s: string): string => s.replace(/-/g, '_');

export const sharedThroughput: Experiment = {
  name: 'shared-throughput',
  title: 'A map shared by worker threads: scaling, and against a served Map and the npm shared maps',
  claim:
    "A map many threads use directly in shared memory, behind locks, serves a read-heavy load in parallel instead of funnelling every op through one owner (the article: a map behind an RWMutex suits 读多写少, read-mostly use; sync.Map's ops cost 3.2 ns at 95% reads and 86 ns at 50/50). Issue 5 §4 turns this into targets for hmap's shared map in worker_threads on this 2-core machine: on a read-heavy mix (90% get / 10% set) two workers reach at least 1.7x one worker; hmap is at least 10x a Map in the main thread served to the workers by postMessage; and it is ahead of the npm shared maps `sharedmap` and `shared-memory-datastructures` on every mix they support (read-heavy, write-heavy 50/50, read-only).",
  source:
    'shared/seeds/004_d44edec36020cade.txt §1 (治理方案 table: "sync.RWMutex 包裹 | 读多写少,需强一致性 | 写操作阻塞全部读,吞吐瓶颈明显"; "分片锁(Sharded Map) | 中等规模写负载") and §2.2 (性能边界实测, 1M 操作, Go 1.22: 高读低写(95%读) 3.2 ns, 均衡读写(50/50) 86 ns, 高写低读(95%写) 210 ns); the targets are issue 5 §4 "shared-throughput"',
  method:
    "One map per contestant, filled in the main thread with N distinct pseudo-random int32 keys -> their index: hmap shared (new HashMap({ key: 'int32', value: 'int32', shared: true, capacity: N }), concurrency 'locked'; attached in each worker with HashMap.attach(m.share())), the same with concurrency 'none' (a reference: 1 worker, or 2 on the read-only mix), a Map in the main thread served by postMessage over a MessageChannel per worker (one request/response per op; and a labeled variant with 64 ops per message), npm sharedmap (fixed capacity 1.25N, keys String(k): it takes string keys only; values come back as strings), npm shared-memory-datastructures ShareableMap (read-only mix only: it cannot update a key and has no locks), and as a reference a private Map in each worker (nothing shared: the scaling this machine allows). One pool of 2 worker_threads runs the contestants in turn (each with its own copy of the loop); each mix runs with 1 and 2 workers: the workers meet at a barrier, then each runs ops for the run's duration, an op being a uniformly random index, then get(key) with the mix's probability, else set(key, random int32), an update of a present key. ops/s = all workers' ops over the longest worker's run (median of rounds); one op in 32 is timed (performance.now(), hdr-histogram-js; the served Map: every op; batched: every message's round trip). The main thread awaits while the workers run (for the served Map it serves the requests). After the runs every map must still hold N keys and every get must have found its key. Verdict: confirmed when all four targets hold (2 workers / 1 worker on read-heavy >= 1.7x; hmap / served Map >= 10x on every mix and worker count; hmap faster than each npm map on every mix and worker count it ran); refuted when none holds; partly otherwise.",
  async run(ctx: LabContext) {
    const keys = ctx.pick({ smoke: 10_000, default: 100_000, full: 1_000_000 });
    const durationMs = ctx.pick({ smoke: 20, default: 120, full: 1000 });
    const warmupMs = ctx.pick({ smoke: 0, default: 50, full: 200 });
    const rounds = ctx.pick({ smoke: 1, default: 1, full: 3 });
    const cores = availableParallelism();
    const loadBefore = loadavg()[0]!;
    const result = await runShape({
      ...defaultShape,
      keys,
      durationMs,
      warmupMs,
      rounds,
      seed: ctx.seed,
      onProgress: (done, total) => ctx.progress(done, total),
    });
    const loadAfter = loadavg()[0]!;
    const cells = result.cells;
    const { checks, verdict } = checkTargets(cells);
    const check = (name: string) => checks.find((c) => c.name === name)!;
    const ops = (c: ContestantName, mix: Mix, w: number): number => cellOf(cells, c, mix, w)?.opsPerSec ?? NaN;

    // ---- figures ----
    const figures: Record<string, number | string> = { keys, duration_ms: durationMs, rounds, cores };
    for (const x of cells) figures[`${key(x.contestant)}_${key(x.mix)}_${x.workers}w_ops_per_s`] = x.na === undefined ? Math.round(x.opsPerSec) : 'n/a';
    figures.scaling_read_heavy = fig(check('scaling').value);
    figures.scaling_write_heavy = fig(ops('hmap', 'write-heavy', 2) / ops('hmap', 'write-heavy', 1));
    figures.scaling_read_only = fig(ops('hmap', 'read-only', 2) / ops('hmap', 'read-only', 1));
    figures.local_map_scaling_read_heavy = fig(scalingOf(cells, 'local-map', 'read-heavy'));
    figures.local_map_scaling_write_heavy = fig(scalingOf(cells, 'local-map', 'write-heavy'));
    figures.min_vs_served_map = fig(check('vs-served-map').value);
    figures.min_vs_served_map_batched = fig(ratios(cells, 'hmap', 'served-map-batched').min);
    figures.min_vs_sharedmap = fig(check('vs-sharedmap').value);
    figures.min_vs_shareable_map = fig(check('vs-shareable-map').value);
    // The article's mixes: per-op time at 50/50 over per-op time read-mostly (sync.Map: 86 / 3.2 = 27x).
    const perOpRatio = ops('hmap', 'read-heavy', 1) / ops('hmap', 'write-heavy', 1);
    figures.hmap_write_heavy_per_op_over_read_heavy = fig(perOpRatio);
    const hmapCells = cells.filter((x) => x.contestant === 'hmap' && x.na === undefined && Number.isFinite(x.runqueueShare));
    const maxWait = hmapCells.length > 0 ? Math.max(...hmapCells.map((x) => x.runqueueShare)) : NaN;
    figures.hmap_max_runqueue_share = fig(maxWait);
    figures.load_average_before = round(loadBefore);
    figures.load_average_after = round(loadAfter);

    const summary =
      `hmap read-heavy ${fmtRate(ops('hmap', 'read-heavy', 1))} (1 worker) -> ${fmtRate(ops('hmap', 'read-heavy', 2))} (2): ${fx(check('scaling').value)}; ` +
      `vs served Map >= ${fx(check('vs-served-map').value)}, vs sharedmap >= ${fx(check('vs-sharedmap').value)}, vs shareable-map >= ${fx(check('vs-shareable-map').value)}`;

    const unavailable = Object.entries(result.unavailable).map(([c, why]) => `${c}: ${why}`);
    const reason =
      `Rule: confirmed when all four targets hold, refuted when none does, partly otherwise (a target whose contestant did not run is left out). ` +
      targetLines(checks).join('; ') +
      ` -> ${verdict}.` +
      (unavailable.length > 0 ? ` Did not run: ${unavailable.join('; ')}.` : '') +
      (result.problems.length > 0 ? ` Problems: ${result.problems.join('; ')}.` : ' Every map held its keys after the runs and every get found its key.') +
      ` Not in the rule: hmap's write-heavy op costs ${fx(perOpRatio)} its read-heavy op with 1 worker (sync.Map in the article: ${fx(article.balancedNs / article.readHeavyNs)}); 2 workers / 1 worker is ${fx(ops('hmap', 'write-heavy', 2) / ops('hmap', 'write-heavy', 1))} on write-heavy and ${fx(ops('hmap', 'read-only', 2) / ops('hmap', 'read-only', 1))} on read-only, where a private Map in each worker (the reference: nothing shared) gets ${fx(scalingOf(cells, 'local-map', 'read-heavy'))} on read-heavy and ${fx(scalingOf(cells, 'local-map', 'write-heavy'))} on write-heavy; against the batched served Map (64 ops per message) hmap's lowest ratio is ${fx(ratios(cells, 'hmap', 'served-map-batched').min)}.` +
      ` Load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after on ${cores} cores; hmap's workers spent at most ${Number.isFinite(maxWait) ? `${Math.round(maxWait * 100)}%` : 'n/a'} of a run waiting for a core (Linux run-queue time).`;

    // ---- tables ----
    const reasons = naReasons(cells);
    const tables: TableSpec[] = [
      {
        title: `ops/s of each map, mix and worker count (${keys} keys, ${durationMs} ms runs, median of ${rounds} round(s)); ratios are this row's ops/s over the other map's on the same mix and worker count; latency of sampled ops`,
        columns: tableColumns,
        rows: tableRows(cells),
      },
      {
        title: 'The targets (issue 5 §4)',
        columns: ['target', 'threshold', 'measured', 'result', 'detail'],
        rows: checks.map((c) => [c.label, `${c.threshold}x`, fx(c.value), c.pass === null ? 'not measured' : c.pass ? 'met' : 'missed', c.detail]),
      },
      {
        title: 'The contestants',
        columns: ['name', 'what', 'filled in (ms)', 'did not run'],
        rows: contestantNames.map((c) => [c, contestantLabels[c], result.prefillMs[c] !== undefined ? Math.round(result.prefillMs[c]!) : 'n/a', result.unavailable[c] ?? '']),
      },
    ];
    if (reasons.length > 0) tables.push({ title: 'Why some cells are n/a', columns: ['n/a', 'reason'], rows: reasons.map((r, i) => [`n/a (${i + 1})`, r]) });

    // ---- charts ----
    const ran = contestantNames.filter((c) => cells.some((x) => x.contestant === c && x.na === undefined));
    const opsChart = (mix: Mix): ChartSpec => {
      const series = (w: number): Series => ({
        label: `${w} worker${w > 1 ? 's' : ''}`,
        points: ran.flatMap((c, i): Array<[number, number]> => {
          const v = ops(c, mix, w);
          return Number.isFinite(v) && v > 0 ? [[i, v]] : [];
        }),
      });
      return {
        title: `${mixLabels[mix]}: ops/s, all workers together`,
        type: 'bar',
        x: { label: 'map', categories: ran },
        y: { label: 'ops per second', log: true },
        series: [series(1), series(2)].filter((s) => s.points.length > 0),
      };
    };
    const scalingSeries = (mix: Mix): Series => ({
      label: mixLabels[mix],
      points: ran.flatMap((c, i): Array<[number, number]> => {
        const v = ops(c, mix, 2) / ops(c, mix, 1);
        return Number.isFinite(v) && v > 0 ? [[i, v]] : [];
      }),
    });
    const latSeries = (stat: 'p50' | 'p99'): Series => ({
      label: `${stat}, read-heavy, 2 workers`,
      points: ran.flatMap((c, i): Array<[number, number]> => {
        const x: Cell | undefined = cellOf(cells, c, 'read-heavy', 2) ?? cellOf(cells, c, 'read-only', 2);
        const v = x?.latency[stat] ?? NaN;
        return Number.isFinite(v) && v > 0 ? [[i, v / 1000]] : [];
      }),
    });
    const allCharts: ChartSpec[] = [
      ...mixNames.map(opsChart).filter((c) => c.series.length > 0),
      {
        title: `2 workers over 1 worker (the target: ${targets.scaling}x for hmap on read-heavy)`,
        type: 'bar',
        x: { label: 'map', categories: ran },
        y: { label: 'ops/s with 2 workers / ops/s with 1' },
        series: mixNames.map(scalingSeries).filter((s) => s.points.length > 0),
      },
      {
        title: 'Latency of sampled ops, read-heavy with 2 workers (read-only where a map has no read-heavy run; batched: a 64-op message)',
        type: 'bar',
        x: { label: 'map', categories: ran },
        y: { label: 'latency (us)', log: true },
        series: [latSeries('p50'), latSeries('p99')].filter((s) => s.points.length > 0),
      },
    ];
    const charts = allCharts.filter((c) => c.series.length > 0);

    return {
      figures,
      summary,
      verdict,
      reason,
      params: {
        keys,
        duration_ms: durationMs,
        warmup_ms: warmupMs,
        rounds,
        workers: [1, 2],
        mixes: [...mixNames],
        sample_every: defaultShape.sampleEvery,
        cores,
        target_scaling: targets.scaling,
        target_vs_served: targets.vsServed,
      },
      tables,
      charts,
      notes: [
        `This machine has ${cores} cores: with 2 workers the main thread shares them (it only awaits, except for the served Map, where it is the server); anything else running (load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after) takes cores from the workers and skews the 2-worker figures most.`,
        "The last column is each worker's time on a core and in a run queue (waiting for a core) over its run, from /proc/thread-self/schedstat: a shared map's worker never sleeps, so run-queue time is time taken by other load; figures from runs with much of it say more about the machine than about the map.",
        'The served Map is one owner thread answering messages: every op is two message hops and two event-loop turns; 64 ops per message cuts those hops 64-fold and is shown for reference (callers rarely batch like this; its latency is the whole message round trip). The target compares hmap with the one-op-per-message version.',
        "npm sharedmap takes string keys only: the keys are String(k), made once per worker before the run; its values come back as strings. Every op takes its map-wide shared lock (a spin/wait lock taken twice per op) besides its line locks.",
        'npm shared-memory-datastructures (ShareableMap) has no locks, throws on delete, and set() of a present key appends an entry that get() never returns: it runs the read-only mix only.',
        "local-map is a reference, not a contestant: each worker its own private Map of the same keys, so its 2-worker scaling is what this machine gives two threads on this workload at that moment (cores, memory, other load); hmap's scaling is best read against it.",
        "hmap with concurrency 'none' allows one writer at a time: it runs with 2 workers on the read-only mix only, as a reference for what the locks cost.",
        'Default runs are short (120 ms, 1e5 keys) to keep the lab quick; `hmap lab --full` uses 1e6 keys, 1 s runs and 3 rounds, and `npm run bench:shared` 1e6 keys and 2 s runs.',
      ],
    };
  },
};
