// npm run bench:shared [-- --keys N --ms N --rounds N --only a,b --json]: maps shared by worker_threads.
//
// Issue 5 §4, "shared-throughput": one and two workers (worker_threads), read-heavy (90% get / 10% set) and
// write-heavy (50/50) mixes, plus a read-only mix (100% get: the only one every contestant supports), on 1e6
// int32 keys (all present: a set is an update), against
//   hmap                 hmap's shared HashMap ({ shared: true }, concurrency 'locked')
//   hmap-none            the same, concurrency 'none' (a reference: 1 worker, or 2 on the read-only mix)
//   served-map           a Map in the main thread served to the workers by postMessage, 1 op per request/response
//   served-map-batched   the same with 64 ops per message (labeled; latency is the whole message's round trip)
//   sharedmap            npm sharedmap (string keys: String(k); values come back as strings)
//   shareable-map        npm shared-memory-datastructures ShareableMap (read-only only: no updates, no locks)
//   local-map            reference: a private Map in each worker (nothing shared: the scaling the machine allows)
// Each worker runs random ops for --ms; ops/s is all workers' ops over the longest worker's run. Latency: one op
// in 32 timed (hdr-histogram-js), every op of served-map, every message of served-map-batched. The main thread
// awaits while the workers run (the served contestants' main thread serves the Map).
//
// The measuring code is the lab's (src/lab/workers/shared-throughput-*.ts; `hmap lab --only shared-throughput`).

import { availableParallelism, cpus, loadavg } from 'node:os';
import { Command } from 'commander';
import Table from 'cli-table3';
import { checkTargets, contestantLabels, contestantNames, defaultShape, mixLabels, mixNames, naReasons, runShape, tableColumns, tableRows, targetLines } from '../src/lab/workers/shared-throughput-run.js';
import type { ContestantName } from '../src/lab/workers/shared-throughput-run.js';

const intArg =
  (name: string, min: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };

const program = new Command()
  .name('node build/bench/shared.js')
  .description('Maps shared by worker_threads: hmap shared vs a postMessage-served Map vs npm sharedmap and shared-memory-datastructures')
  .option('--keys <n>', 'keys in each map (1e6 accepted)', intArg('keys', 1), defaultShape.keys)
  .option('--ms <n>', 'duration of each run, ms', intArg('ms', 1), defaultShape.durationMs)
  .option('--warmup-ms <n>', 'a run of every cell before the measured ones, ms (0: none)', intArg('warmup-ms', 0), defaultShape.warmupMs)
  .option('--rounds <n>', 'measured runs of every cell (the median is reported)', intArg('rounds', 1), defaultShape.rounds)
  .option('--only <list>', `contestants, comma-separated: ${contestantNames.join(', ')}`)
  .option('--seed <n>', 'seed of the keys and the ops', intArg('seed', 0), 1)
  .option('--json', 'print the results as JSON instead of tables')
  .showHelpAfterError();

program.parse();
const o = program.opts<{ keys: number; ms: number; warmupMs: number; rounds: number; only?: string; seed: number; json?: boolean }>();

let contestants: ContestantName[] = [...contestantNames];
if (o.only !== undefined) {
  const names = o.only.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!contestantNames.includes(n as ContestantName)) {
      console.error(`--only: unknown contestant ${JSON.stringify(n)}; contestants are ${contestantNames.join(', ')}`);
      process.exit(2);
    }
  }
  contestants = contestantNames.filter((c) => names.includes(c));
}

const started = performance.now();
const loadBefore = loadavg()[0]!;
const result = await runShape({
  ...defaultShape,
  keys: o.keys,
  durationMs: o.ms,
  warmupMs: o.warmupMs,
  rounds: o.rounds,
  contestants,
  seed: o.seed,
  log: o.json ? undefined : (line) => process.stderr.write(`  ${line}\n`),
});
const { checks, verdict } = checkTargets(result.cells);

if (o.json) {
  console.log(
    JSON.stringify({ node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', loadAverage: { before: loadBefore, after: loadavg()[0]! }, ...result, targets: checks, verdict }, null, 2),
  );
} else {
  console.log(
    `shared-throughput: ${o.keys} int32 keys, ${o.ms} ms per run, ${o.rounds} round(s) (median), warm-up ${o.warmupMs} ms; node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'})`,
  );
  for (const m of mixNames) console.log(`  ${m}: ${mixLabels[m]}`);
  for (const c of contestants) console.log(`  ${c}: ${contestantLabels[c]}${result.prefillMs[c] !== undefined ? `, filled in ${Math.round(result.prefillMs[c]!)} ms` : ''}`);
  const table = new Table({ head: tableColumns, style: { head: [], border: [] } });
  for (const r of tableRows(result.cells)) table.push(r);
  console.log(table.toString());
  naReasons(result.cells).forEach((r, i) => console.log(`n/a (${i + 1}): ${r}`));
  console.log('Ratios: this row\'s ops/s over the other map\'s on the same mix and worker count. Latency: sampled ops (served-map-batched: a 64-op message\'s round trip).');
  console.log('Targets (issue 5 §4):');
  for (const line of targetLines(checks)) console.log(`  ${line}`);
  console.log(`  => ${verdict}`);
  for (const p of result.problems) console.log(`  PROBLEM: ${p}`);
  const waits = result.cells.filter((x) => x.na === undefined && Number.isFinite(x.runqueueShare));
  const worst = waits.reduce((a, x) => (a === null || x.runqueueShare > a.runqueueShare ? x : a), null as (typeof waits)[number] | null);
  if (worst !== null && worst.runqueueShare > 0.1) {
    console.log(
      `  WARNING: workers spent up to ${Math.round(worst.runqueueShare * 100)}% of a run waiting for a core (${worst.contestant}, ${worst.mix}, ${worst.workers} worker(s)): other load on this machine; rerun when it is idle.`,
    );
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after, on ${availableParallelism()} cores: other processes running skew every figure)`);
}
if (result.problems.length > 0) process.exitCode = 1;
