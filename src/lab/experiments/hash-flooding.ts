// hash-flooding: keys crafted to collide under one known hash seed (src/lab/craft.ts), against 001 §4.1's claim that
// collision attacks degrade a hash map to O(n) operations and that a random hash seed is the defence.
//
// N crafted int32 keys share the low B bits of their hash under the pinned seed (B = the bucket bits a map of N
// entries reaches, so they share one chain at every size the table passes through) and as many top bits as 32-bit
// hashes leave room for (tophash matches force key compares). Six cases, each inserting N keys into an empty
// int32 -> int32 map, then getting every key:
//   hmap (random seed) with N random keys            the baseline
//   hmap (pinned seed) with N random keys            control: pinning a seed costs nothing by itself
//   hmap (pinned seed) with the crafted keys         the attack: one chain of N entries
//   hmap (random seed) with the crafted keys         the defence: the keys are crafted against the wrong seed
//   Map with the random keys, Map with the crafted keys (crafted against hmap's hash: Map should not notice)
// Inserts and gets run in windows of N/W keys, each window timed, so the report shows the cumulative insert time
// (quadratic for the attack) and ns per insert as the map fills (linear growth for the attack). Cheap cases are
// repeated (medians); the attack runs once. After the gets, each hmap's growth is finished and a census
// (src/table/census.ts) gives the longest chain.

import type { ChartSpec, Experiment, LabContext, TableSpec } from '../types.js';
import { HashMap } from '../../map.js';
import { fmix32, hash1 } from '../../hash.js';
import { census } from '../../table/census.js';
import { tophash } from '../../table/layout.js';
import { bucketBitsFor, collisionCapacity, craftCollidingKeys } from '../craft.js';
import { finishGrowth, fmtN, fmtNs, fresh, gc, keepAlive, makeKeys, median, now, round } from '../measure.js';

type IntMap = HashMap<number, number>;

interface NumMap {
  set(k: number, v: number): unknown;
  get(k: number): number | undefined;
}

/** Inserts keys[from..to) with value i. Copied per case by fresh(): it must not reference module bindings. */
function setRange(m: NumMap, keys: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) m.set(keys[i]!, i);
}

/** Gets keys[from..to) and returns the int32 sum of the values. Copied per case by fresh(). */
function getRange(m: NumMap, keys: Int32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s = (s + m.get(keys[i]!)!) | 0;
  return s;
}

interface Loops {
  set: typeof setRange;
  get: typeof getRange;
}

interface Case {
  id: string;
  label: string;
  impl: 'hmap' | 'Map';
  /** Keys this case inserts. */
  keys: Int32Array;
  make(): NumMap;
  loops: Loops;
  /** Runs (1 for the attack). */
  reps: number;
}

interface Run {
  insertNs: number;
  getNs: number;
  /** Cumulative insert ms at the end of each window. */
  cumMs: Float64Array;
  /** The map, kept for the last run of a case only (earlier ones are dropped so they do not load the GC). */
  map: NumMap | null;
}

interface CaseResult {
  c: Case;
  /** Median over runs, ns per operation. */
  insertNs: number;
  getNs: number;
  /** The last run (its timeline and map). */
  last: Run;
  longestChain?: number;
  /** Census hitProbe: mean entries checked to find a present key. */
  hitProbe?: number;
  B?: number;
  overflowBuckets?: number;
  sameSizeGrowths?: number;
  doublings?: number;
}

/** Windows per pass (timeline points). */
const W = 100;

/**
 * Exponent k of the per-insert cost as the map fills (cost per insert ~ n^k): log2 of the median ns per insert over
 * the windows ending in (0.8N, N] (centre 0.9N) over the median in (0.4N, 0.5N] (centre 0.45N, half as full).
 * 0 for O(1) per insert, 1 for O(n). Medians, so one slow window (a growth step, a GC, another process) does not
 * move it.
 */
function costExponent(cumMs: Float64Array): number {
  const w = cumMs.length;
  const per = (i: number) => cumMs[i]! - (i === 0 ? 0 : cumMs[i - 1]!);
  const range = (from: number, to: number) => {
    const xs: number[] = [];
    for (let i = Math.floor(from * w); i < Math.floor(to * w); i++) xs.push(per(i));
    return median(xs);
  };
  return Math.log2(range(0.8, 1) / range(0.4, 0.5));
}

export const hashFlooding: Experiment = {
  name: 'hash-flooding',
  title: 'Hash flooding: keys crafted for one seed, against a pinned seed and a random one',
  claim:
    'Keys crafted so that their hashes collide degrade a hash map: they all land in one bucket chain and every ' +
    'insert and lookup becomes O(n). A random per-map hash seed is the defence: the same keys, hashed with a seed ' +
    'the attacker does not know, spread out like random keys.',
  source:
    'shared/seeds/001_d59ee136c37f06e1.txt §4.1 "构造哈希碰撞DoS攻击" (hash-collision DoS: buckets degenerate into lists, ' +
    'O(n) lookups; Go\'s random hash seed as the defence)',
  method:
    'N int32 keys are crafted by inverting hmap\'s MurmurHash3 x86_32 (src/lab/craft.ts) under a pinned seed so ' +
    'their hashes share the low B bits (B = bucket bits of a map of N entries: one chain at every size) and as ' +
    'many top bits as 32-bit hashes leave room for (same tophash: full key compares). N keys are inserted into an ' +
    'empty int32 -> int32 map and then all N are read back, in 100 timed windows, for: hmap with a random seed and ' +
    'random keys (baseline), hmap with the pinned seed and random keys (control), hmap with the pinned seed and the ' +
    'crafted keys (attack), hmap with its own random seed and the crafted keys (defence), and Map with both key ' +
    'sets. Cheap cases run round-robin (smoke 3, default 9, full 7 rounds after a warm-up round): medians of ns/op, ' +
    'and ratios as medians of per-round ratios; the attack runs once. N: smoke 500, default 3e4, full 1e5. ' +
    'The longest chain and the hitprobe (mean entries checked to find a present key) come from a census of each ' +
    'hmap after its growth is finished.',

  run(ctx: LabContext) {
    const N = ctx.pick({ smoke: 500, default: 30_000, full: 100_000 });
    const reps = ctx.pick({ smoke: 3, default: 9, full: 7 });
    const pinnedSeed = fmix32(ctx.seed ^ 0x0f100d5) >>> 0;
    const bucketBits = bucketBitsFor(N);
    const crafted = craftCollidingKeys(N, pinnedSeed, { bucketBits });
    const randomKeys = makeKeys(N, ctx.seed ^ 0x7a11);
    const distinctTops = new Set(Array.from(crafted.keys, (k) => tophash(hash1(k, pinnedSeed | 0)))).size;

    // A fresh copy of both loops per case (V8 type feedback per case, see fresh()).
    const loops = (): Loops => ({ set: fresh(setRange), get: fresh(getRange) });
    const newHmap = (seed?: number) => (): NumMap =>
      (seed === undefined ? new HashMap({ key: 'int32', value: 'int32' }) : new HashMap({ key: 'int32', value: 'int32', seed })) as IntMap;
    const cases: Case[] = [
      { id: 'random', label: 'hmap, random keys', impl: 'hmap', keys: randomKeys, make: newHmap(), loops: loops(), reps },
      { id: 'pinnedRandom', label: 'hmap pinned seed, random keys', impl: 'hmap', keys: randomKeys, make: newHmap(pinnedSeed), loops: loops(), reps },
      { id: 'randseedCrafted', label: 'hmap random seed, crafted keys', impl: 'hmap', keys: crafted.keys, make: newHmap(), loops: loops(), reps },
      { id: 'mapRandom', label: 'Map, random keys', impl: 'Map', keys: randomKeys, make: () => new Map<number, number>(), loops: loops(), reps },
      { id: 'mapCrafted', label: 'Map, crafted keys', impl: 'Map', keys: crafted.keys, make: () => new Map<number, number>(), loops: loops(), reps },
      { id: 'pinnedCrafted', label: 'hmap pinned seed, crafted keys', impl: 'hmap', keys: crafted.keys, make: newHmap(pinnedSeed), loops: loops(), reps: 1 },
    ];

    const cheap = cases.filter((c) => c.reps > 1);
    const attack = cases.find((c) => c.id === 'pinnedCrafted')!;
    // Progress units: one per cheap run (plus a warm-up round), one per window of the attack's two passes.
    const total = (reps + 1) * cheap.length + 2 * W;
    let done = 0;
    const expectedSum = (() => {
      let s = 0;
      for (let i = 0; i < N; i++) s = (s + i) | 0;
      return s;
    })();

    const bounds = Array.from({ length: W + 1 }, (_, w) => Math.round((w * N) / W));
    const runOnce = (c: Case, perWindow?: () => void): Run => {
      const m = c.make();
      const cumMs = new Float64Array(W);
      gc();
      const t0 = now();
      for (let w = 0; w < W; w++) {
        c.loops.set(m, c.keys, bounds[w]!, bounds[w + 1]!);
        cumMs[w] = now() - t0;
        perWindow?.();
      }
      const insertMs = now() - t0;
      let sum = 0;
      const t1 = now();
      for (let w = 0; w < W; w++) {
        sum = (sum + c.loops.get(m, c.keys, bounds[w]!, bounds[w + 1]!)) | 0;
        perWindow?.();
      }
      const getMs = now() - t1;
      if (sum !== expectedSum) throw new Error(`hash-flooding: ${c.label}: gets returned the wrong values`);
      keepAlive(m);
      return { insertNs: (insertMs * 1e6) / N, getNs: (getMs * 1e6) / N, cumMs, map: m };
    };

    // Cheap cases: one warm-up round, then `reps` rounds, round-robin so machine noise spreads over all cases.
    const runs = new Map<string, Run[]>(cheap.map((c) => [c.id, []]));
    for (let r = 0; r <= reps; r++) {
      for (const c of cheap) {
        const run = runOnce(c);
        const list = runs.get(c.id)!;
        const prev = list[list.length - 1];
        if (prev !== undefined) prev.map = null;
        if (r > 0) list.push(run);
        ctx.progress(++done, total);
      }
    }
    // The attack, once (its cost is the chain walk in the library's own, already warm, code).
    runs.set(attack.id, [runOnce(attack, () => ctx.progress(++done, total))]);

    const results = new Map<string, CaseResult>();
    for (const c of cases) {
      const rs = runs.get(c.id)!;
      const r: CaseResult = {
        c,
        insertNs: median(rs.map((x) => x.insertNs)),
        getNs: median(rs.map((x) => x.getNs)),
        last: rs[rs.length - 1]!,
      };
      if (c.impl === 'hmap') {
        const m = r.last.map as IntMap;
        finishGrowth(m);
        const cs = census(m._h);
        r.longestChain = cs.maxEntries;
        r.hitProbe = cs.hitProbe;
        r.B = m._h.B;
        r.overflowBuckets = cs.overflowBuckets;
        r.sameSizeGrowths = m._h.sameSizeGrowths;
        r.doublings = m._h.doublings;
      }
      results.set(c.id, r);
    }
    const R = (id: string): CaseResult => results.get(id)!;
    const base = R('random');
    const atk = R('pinnedCrafted');
    const def = R('randseedCrafted');
    const ctl = R('pinnedRandom');
    const mapR = R('mapRandom');
    const mapC = R('mapCrafted');

    const slowInsert = atk.insertNs / base.insertNs;
    const slowGet = atk.getNs / base.getNs;
    // Cheap cases ran round-robin: compare them round by round (runs next to each other in time share the machine's
    // load), and take the median of the per-round ratios.
    const paired = (a: string, b: string, f: 'insertNs' | 'getNs'): number => {
      const ra = runs.get(a)!;
      const rb = runs.get(b)!;
      return median(ra.map((r, i) => r[f] / rb[i]![f]));
    };
    const defInsert = paired('randseedCrafted', 'random', 'insertNs');
    const defGet = paired('randseedCrafted', 'random', 'getNs');
    const ctlInsert = paired('pinnedRandom', 'random', 'insertNs');
    const mapInsert = paired('mapCrafted', 'mapRandom', 'insertNs');
    const mapGet = paired('mapCrafted', 'mapRandom', 'getNs');
    // Cost exponent of a case: median over its runs (one window of a cheap run is tens of microseconds, so a
    // single run's exponent is at the mercy of one growth step or one scheduling hiccup).
    const exponent = (id: string): number => median(runs.get(id)!.map((r) => costExponent(r.cumMs)));
    const expAtk = exponent('pinnedCrafted');
    const expDef = exponent('randseedCrafted');
    const expBase = exponent('random');

    // ---- verdict ----
    // Degraded: the attack costs at least 10x the baseline per insert and per get, and a lookup is O(n): in the
    // census, the mean number of entries checked to find a present key (Go's hitprobe) is at least N/4 (one chain
    // of N gives (N + 1) / 2; random keys give about 1 + loadFactor/2 whatever N). The structural measure decides
    // O(n), not the timing exponent k: the attack runs once, for seconds, and one change in the machine's load
    // during it moves k (reported, not used).
    // Defended: the random-seed map with the same crafted keys stays within 2x of random keys for inserts and gets.
    const degraded = slowInsert >= 10 && slowGet >= 10 && atk.hitProbe! >= N / 4;
    const defended = defInsert <= 2 && defGet <= 2;
    const verdict = degraded ? (defended ? 'confirmed' : 'partly') : 'refuted';
    const x = (v: number) => `${round(v, 3)}x`;
    const mapSays = mapInsert <= 2 && mapGet <= 2 ? 'unaffected, as expected: the keys were crafted against hmap\'s hash, not V8\'s' : 'affected';
    const reason =
      `Rule: degraded if the pinned-seed map with crafted keys is >= 10x the baseline (hmap, random keys) per insert ` +
      `and per get and its lookups are O(n): the census's mean entries checked per hit (Go's hitprobe) >= N/4 ` +
      `(one chain of N: (N + 1)/2; random keys: at most about 1 + 6.5/2 = 4.25 at any N); ` +
      `defended if the random-seed map with the same crafted keys stays within 2x of the baseline for insert and get ` +
      `(median of per-round ratios; the cases ran round-robin). ` +
      `Confirmed if both, partly if degraded but not defended, refuted if not degraded. ` +
      `Measured at N = ${fmtN(N)}: attack ${fmtNs(atk.insertNs)}/insert vs ${fmtNs(base.insertNs)} (${x(slowInsert)}), ` +
      `${fmtNs(atk.getNs)}/get vs ${fmtNs(base.getNs)} (${x(slowGet)}), hitprobe ${round(atk.hitProbe!)} entries ` +
      `(N/4 = ${round(N / 4)}; baseline ${round(base.hitProbe!)}), longest chain ${atk.longestChain} entries, ` +
      `per-insert cost exponent k ${round(expAtk, 2)} (cost ~ n^k; 0 = O(1), 1 = O(n)): ${degraded ? 'degraded' : 'not degraded'}. Random seed, same keys: ` +
      `${fmtNs(def.insertNs)}/insert (${x(defInsert)}), ${fmtNs(def.getNs)}/get (${x(defGet)}), longest chain ` +
      `${def.longestChain} (random keys: ${base.longestChain}): ${defended ? 'within 2x, defended' : 'beyond 2x, not defended'}. ` +
      `Map with the crafted keys: ${x(mapInsert)} insert, ${x(mapGet)} get vs random keys, ${mapSays}.`;

    // ---- tables ----
    const order = ['random', 'pinnedRandom', 'pinnedCrafted', 'randseedCrafted', 'mapRandom', 'mapCrafted'];
    const table: TableSpec = {
      title: `Per-operation cost, N = ${fmtN(N)} keys inserted into an empty map, then all read back`,
      columns: ['case', 'runs', 'ns/insert', 'ns/get', 'insert vs baseline', 'get vs baseline', 'cost exponent k (per insert ~ n^k; median over runs)', 'longest chain (entries)', 'hitprobe (entries per hit)', 'B', 'overflow buckets', 'doublings', 'same-size growths'],
      rows: order.map((id) => {
        const r = R(id);
        const b = r.c.impl === 'Map' ? mapR : base;
        const dash = (v: number | undefined) => (v === undefined ? '-' : v);
        return [
          r.c.label,
          r.c.reps,
          round(r.insertNs),
          round(r.getNs),
          x(r.c.reps > 1 ? paired(id, b.c.id, 'insertNs') : r.insertNs / b.insertNs),
          x(r.c.reps > 1 ? paired(id, b.c.id, 'getNs') : r.getNs / b.getNs),
          round(exponent(id), 3),
          dash(r.longestChain),
          r.hitProbe === undefined ? '-' : round(r.hitProbe),
          dash(r.B),
          dash(r.overflowBuckets),
          dash(r.doublings),
          dash(r.sameSizeGrowths),
        ];
      }),
    };
    const craftTable: TableSpec = {
      title: 'The crafted keys',
      columns: ['keys', 'pinned seed', 'fixed low bits (bucket)', 'fixed top bits', 'distinct tophash values', 'max keys with these fixed bits'],
      rows: [[N, `0x${pinnedSeed.toString(16).padStart(8, '0')}`, `${bucketBits} (= 0x${crafted.bucket.toString(16)})`, crafted.topBits, distinctTops, collisionCapacity(bucketBits, crafted.topBits)]],
    };

    // ---- charts ----
    const charts: ChartSpec[] = [
      {
        title: `ns per operation by case (N = ${fmtN(N)}; log scale)`,
        type: 'bar',
        x: { label: 'case', categories: order.map((id) => R(id).c.label) },
        y: { label: 'ns per operation', log: true },
        series: [
          { label: 'insert', points: order.map((id, i) => [i, round(R(id).insertNs)] as [number, number]) },
          { label: 'get', points: order.map((id, i) => [i, round(R(id).getNs)] as [number, number]) },
        ],
      },
      {
        title: 'Cumulative insert time vs keys inserted (log-log: slope 1 = O(1) per insert, slope 2 = O(n) per insert)',
        type: 'line',
        x: { label: 'keys inserted', log: true },
        y: { label: 'cumulative ms', log: true },
        series: order.map((id) => ({
          label: R(id).c.label,
          points: Array.from(R(id).last.cumMs, (ms, w) => [bounds[w + 1]!, round(Math.max(ms, 1e-4), 4)] as [number, number]),
        })),
      },
      {
        title: 'ns per insert in each window of keys, as the map fills (log y)',
        type: 'line',
        x: { label: 'keys inserted' },
        y: { label: 'ns per insert (window mean)', log: true },
        series: order.map((id) => {
          const cum = R(id).last.cumMs;
          return {
            label: R(id).c.label,
            points: Array.from(cum, (ms, w) => {
              const dt = ms - (w === 0 ? 0 : cum[w - 1]!);
              const k = bounds[w + 1]! - bounds[w]!;
              return [bounds[w + 1]!, round(Math.max(1, (dt * 1e6) / k))] as [number, number];
            }),
          };
        }),
      },
    ];

    const figures = {
      n: N,
      crafted_bucket_bits: bucketBits,
      crafted_top_bits: crafted.topBits,
      baseline_insert_ns: round(base.insertNs),
      baseline_get_ns: round(base.getNs),
      pinned_random_insert_ns: round(ctl.insertNs),
      attack_insert_ns: round(atk.insertNs),
      attack_get_ns: round(atk.getNs),
      randseed_crafted_insert_ns: round(def.insertNs),
      randseed_crafted_get_ns: round(def.getNs),
      map_random_insert_ns: round(mapR.insertNs),
      map_crafted_insert_ns: round(mapC.insertNs),
      map_random_get_ns: round(mapR.getNs),
      map_crafted_get_ns: round(mapC.getNs),
      attack_slowdown_insert_x: round(slowInsert),
      attack_slowdown_get_x: round(slowGet),
      randseed_vs_baseline_insert_x: round(defInsert),
      randseed_vs_baseline_get_x: round(defGet),
      pinned_random_vs_baseline_insert_x: round(ctlInsert),
      map_crafted_vs_random_insert_x: round(mapInsert),
      map_crafted_vs_random_get_x: round(mapGet),
      attack_cost_exponent: round(expAtk),
      randseed_cost_exponent: round(expDef),
      baseline_cost_exponent: round(expBase),
      attack_hit_probe: round(atk.hitProbe!),
      randseed_hit_probe: round(def.hitProbe!),
      baseline_hit_probe: round(base.hitProbe!),
      attack_longest_chain: atk.longestChain!,
      randseed_longest_chain: def.longestChain!,
      baseline_longest_chain: base.longestChain!,
    };

    const summary =
      `N=${fmtN(N)}: attack ${fmtNs(atk.insertNs)}/insert (${x(slowInsert)}), ${fmtNs(atk.getNs)}/get (${x(slowGet)}), ` +
      `chain ${atk.longestChain}, k ${round(expAtk, 2)}; random seed ${x(defInsert)}/${x(defGet)}, chain ${def.longestChain}; ` +
      `Map crafted ${x(mapInsert)}`;

    const maxOneChain = (() => {
      // Largest n whose crafted keys can all share one chain: n <= 2^(32 - B(n)) with no top bits fixed.
      let n = 1;
      while (n * 2 <= collisionCapacity(bucketBitsFor(n * 2), 0)) n *= 2;
      let step = n >> 1;
      while (step >= 1) {
        if (n + step <= collisionCapacity(bucketBitsFor(n + step), 0)) n += step;
        step >>= 1;
      }
      return n;
    })();

    return {
      figures,
      summary,
      verdict,
      reason,
      params: {
        n: N,
        reps,
        windows: W,
        pinnedSeed,
        bucketBits,
        topBits: crafted.topBits,
        loadFactor: 6.5,
        keyKind: 'int32',
        valueKind: 'int32',
      },
      tables: [table, craftTable],
      charts,
      notes: [
        ...(ctx.mode === 'smoke'
          ? [`Smoke size (N = ${N}): a chain of ${N} entries and maps this small are dominated by allocation and JIT warm-up, so the verdict means little here; see default or full mode.`]
          : []),
        `hmap's hash is 32 bits (README, "Departures from Go"), so full collisions (same bucket and same tophash) are ` +
          `scarce: at most 2^(24 - B) keys, ${collisionCapacity(bucketBits, 8)} at B = ${bucketBits}. The crafted keys fix ` +
          `the ${bucketBits} bucket bits and the top ${crafted.topBits} bits (${distinctTops} distinct tophash values), so ` +
          `about 1 in ${distinctTops} chain entries costs a key compare beyond its tophash byte; every insert still walks the whole chain. ` +
          `All keys of a flood fit in one chain only up to about ${fmtN(maxOneChain)} keys (n <= 2^(32 - B(n))); a bigger ` +
          `flood must spread over several chains, each still O(n / chains) per operation.`,
        'Per the README, each map draws a random 32-bit seed from the OS CSPRNG (crypto.getRandomValues) and draws a ' +
          'new one whenever it becomes empty (delete of the last key, or clear()). The defence holds only while the seed ' +
          'stays secret: an attacker who learns it (or a map built with the `seed` option, as the pinned map here) can ' +
          'craft keys offline exactly as this experiment does, since every step of the hash is invertible. Do not pin ' +
          'the seed of a map fed by untrusted keys.',
        `Map is unaffected by these keys because they were crafted against hmap's hash (${x(mapInsert)} insert, ` +
          `${x(mapGet)} get vs random keys). V8 itself hashes small-integer (Smi) Map keys with a fixed unseeded ` +
          'integer hash (ComputeUnseededHash in Object::GetSimpleHash, v8/src/objects/objects.cc), so keys crafted ' +
          'against V8\'s hash could degrade Map; that is not tested here.',
        'The article\'s own generator (fmt.Sprintf("collide_%d", i^(i<<16)), "low-bit sensitivity" of Go\'s string hash) ' +
          'cannot produce collisions under a seeded hash, and its latency table (map 12,470 us p99 vs sync.Map 389 us) is ' +
          'not reproduced here (no sync.Map analogue). This experiment floods the only way a seeded hash can be flooded: ' +
          'by inverting it for a known seed.',
        'Cheap cases are the median of several runs after a warm-up round, run round-robin, and their ratios are medians ' +
          'of per-round ratios; the attack runs once. Timings on this ' +
          'shared 2-core machine are noisy, but the attack\'s slowdown is orders of magnitude above the noise. The ' +
          'cost exponent k (ns/insert at 0.8-1.0 N vs 0.4-0.5 N) is shown for the reader but does not decide the ' +
          'verdict: on one run of the attack a change in the machine\'s load moves it; the census hitprobe does not.',
      ],
    };
  },
};
