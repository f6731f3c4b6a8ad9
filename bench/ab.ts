// npm run bench:ab -- --baseline <rev>: this build against an earlier one (any git revision), on one operation,
// in one process, for changes to hot paths. Both builds' maps hold the same keys; their work is cut into
// chunks of 50,000 operations that alternate between the builds (order rotating), and each chunk's time is
// paired with the other build's same chunk. The module loaded second measured a few percent faster or slower
// than the first on otherwise identical code (bench:metrics' control), so every size runs in processes of both
// load orders, and the estimate is the geometric mean of the two orders' median ratios.
//
//   get     random hits into a map of N keys (2e6 gets per round, 6 rounds)
//   set     inserts of N keys into an empty map (rounds until 6e6 inserts)
// --key int32 | float64 keys (values int32); --shared: maps with shared: true (one thread).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { fmix32 } from '../src/hash.js';
import { compileRevision } from './revision.js';

interface AnyMap {
  set(k: number, v: number): unknown;
  get(k: number): number | undefined;
}
type MapClass = new (o: object) => AnyMap;

interface ChildResult {
  /** ns per operation over the run: the baseline build, this build. */
  baseNs: number;
  thisNs: number;
  /** Median over chunks of (baseline chunk time / this build's chunk time): this build's relative speed. */
  ratio: number;
}

const chunk = 50_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type Keys = Int32Array | Float64Array;

/** n distinct keys (int32 keys in an Int32Array, as a caller holding int32 data would pass them). */
function keysFor(n: number, kind: string): Keys {
  const keys = kind === 'float64' ? new Float64Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) keys[i] = (fmix32(i ^ 0x9e3779b9) | 0) + (kind === 'float64' ? 0.5 : 0);
  return keys;
}

async function child(o: { url: string; n: number; op: string; key: string; shared: boolean; baseFirst: boolean }): Promise<ChildResult> {
  const load = async (u: string): Promise<MapClass> => ((await import(u)) as { HashMap: MapClass }).HashMap;
  const ours = new URL('../src/index.js', import.meta.url).href;
  const [first, second] = o.baseFirst ? [o.url, ours] : [ours, o.url];
  const a = await load(first);
  const b = await load(second);
  const [Base, This] = o.baseFirst ? [a, b] : [b, a];
  const builds = [Base, This].map((H) => ({
    make: (): AnyMap => new H({ key: o.key, value: 'int32', shared: o.shared || undefined }),
    // One copy of the loops per build: a call site sees one build's classes only.
    fill: new Function('m', 'k', 'a', 'b', 'for (let i = a; i < b; i++) m.set(k[i], i);') as (m: AnyMap, k: Keys, a: number, b: number) => void,
    look: new Function('m', 'k', 'a', 'b', 'let s = 0; for (let i = a; i < b; i++) s += m.get(k[i]); return s;') as (m: AnyMap, k: Keys, a: number, b: number) => number,
    times: [] as number[],
  }));
  const keys = keysFor(o.n, o.key);
  let sink = 0;
  const run = (total: number, work: (x: (typeof builds)[number], j: number, a: number, b: number) => void): void => {
    for (let a = 0, c = 0; a < total; a += chunk, c++) {
      for (let s = 0; s < 2; s++) {
        const j = (c + s) % 2;
        const t = performance.now();
        work(builds[j]!, j, a, Math.min(total, a + chunk));
        builds[j]!.times.push(performance.now() - t);
      }
    }
  };
  let ops = 0;
  if (o.op === 'get') {
    const order = o.key === 'float64' ? new Float64Array(2e6) : new Int32Array(2e6);
    for (let i = 0; i < order.length; i++) order[i] = keys[(fmix32(i + 7) >>> 0) % o.n]!;
    const maps = builds.map((x) => {
      const m = x.make();
      x.fill(m, keys, 0, o.n);
      return m;
    });
    for (const [j, x] of builds.entries()) sink += x.look(maps[j]!, order, 0, 50_000); // warm-up
    for (let r = 0; r < 6; r++) run(order.length, (x, j, a, b) => (sink += x.look(maps[j]!, order, a, b)));
    ops = 6 * order.length;
  } else {
    const rounds = Math.max(3, Math.round(6e6 / o.n));
    for (let r = 0; r < rounds; r++) {
      const maps = builds.map((x) => x.make());
      run(o.n, (x, j, a, b) => x.fill(maps[j]!, keys, a, b));
    }
    ops = rounds * o.n;
  }
  if (sink === 0.5) console.log('');
  const [base, ours2] = builds;
  const sum = (xs: number[]): number => xs.reduce((p, q) => p + q, 0);
  return {
    baseNs: (sum(base!.times) * 1e6) / ops,
    thisNs: (sum(ours2!.times) * 1e6) / ops,
    ratio: median(base!.times.map((t, i) => t / ours2!.times[i]!)),
  };
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run bench:ab --')
    .description('this build against an earlier revision on one operation, chunks interleaved in one process, both load orders')
    .requiredOption('--baseline <rev>', 'git revision to compare with')
    .option('--sizes <list>', 'comma-separated map sizes', '1e4,1e6')
    .addOption(new Option('--op <op>', 'operation').choices(['get', 'set']).default('get'))
    .addOption(new Option('--key <kind>', 'key kind').choices(['int32', 'float64']).default('int32'))
    .option('--shared', 'shared: true maps (used from one thread)', false)
    .option('--processes <n>', 'processes per load order and size', '2')
    .addOption(new Option('--child <json>', 'run one process').hideHelp());
  program.parse(process.argv);
  const opts = program.opts<{ baseline: string; sizes: string; op: string; key: string; shared: boolean; processes: string; child?: string }>();
  if (opts.child !== undefined) {
    console.log(JSON.stringify(await child(JSON.parse(opts.child) as Parameters<typeof child>[0])));
    return;
  }
  const sizes = opts.sizes.split(',').map(Number);
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1000)) program.error('--sizes: integers >= 1000');
  const processes = Number(opts.processes);
  if (!Number.isSafeInteger(processes) || processes < 1) program.error('--processes: a positive integer');
  const { commit, url } = compileRevision(opts.baseline);
  const script = fileURLToPath(import.meta.url);
  const rows: Array<Record<string, string>> = [];
  for (const n of sizes) {
    const byOrder: Record<'base first' | 'this first', ChildResult[]> = { 'base first': [], 'this first': [] };
    for (let p = 0; p < processes; p++) {
      for (const baseFirst of [true, false]) {
        const arg = JSON.stringify({ url, n, op: opts.op, key: opts.key, shared: opts.shared, baseFirst });
        const out = execFileSync(process.execPath, [script, '--baseline', opts.baseline, '--child', arg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        byOrder[baseFirst ? 'base first' : 'this first'].push(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
      }
    }
    const all = [...byOrder['base first'], ...byOrder['this first']];
    const r1 = median(byOrder['base first'].map((x) => x.ratio));
    const r2 = median(byOrder['this first'].map((x) => x.ratio));
    rows.push({
      N: String(n),
      op: `${opts.op} (${opts.key}${opts.shared ? ', shared' : ''})`,
      'baseline ns/op': median(all.map((x) => x.baseNs)).toFixed(1),
      'this ns/op': median(all.map((x) => x.thisNs)).toFixed(1),
      'this / base, base loaded first': `${r1.toFixed(3)}x`,
      'this / base, this loaded first': `${r2.toFixed(3)}x`,
      'this / base (geometric mean)': `${Math.sqrt(r1 * r2).toFixed(3)}x`,
    });
  }
  console.log(`bench:ab, this build vs ${commit.slice(0, 7)} (${opts.baseline}), ${processes} processes per load order and size, node ${process.version}; ratio > 1: this build faster`);
  console.table(rows);
}

await main();
