// load-factor: the engine's loadFactor option swept from 1 to 12, against Go's table in the runtime/map.go header
// comment and the Java-style 0.5 / 0.75 / 0.9 figures of 000 §2.1.
//
// For every load factor lf, two states of an int32 -> int32 map:
//   (a) just before growth: filled from empty to exactly floor(lf * 2^B) entries for one fixed B (the next insert
//       would double the table), which is the state Go's table describes ("maximally loaded tables");
//   (b) on average: fills to k sizes spread uniformly over one doubling interval (lf * 2^(B-1), lf * 2^B], the
//       same 2^B buckets, averaged. Uniform in n is the weighting a map that grows by inserts sees.
// Bytes per entry come from stats().bytes / count, probes from census() (src/table/census.ts), times from fresh
// loop copies (insert: fill from empty, growth included; get hit: every present key; get miss: as many absent
// keys, capped). A growth still running at the end of a fill is finished (finishGrowth) before census and gets.

import type { ChartSpec, Experiment, LabContext, TableSpec } from '../types.js';
import { HashMap } from '../../map.js';
import { census } from '../../table/census.js';
import { finishGrowth, fmtNs, fresh, gc, keepAlive, makeKeys, now, round } from '../measure.js';

type IntMap = HashMap<number, number>;

/** Go 1.23 runtime/map.go header: loadFactor, %overflow, bytes/entry (overhead beyond 8+8 bytes), hitprobe, missprobe. */
export const goTable: ReadonlyArray<readonly [number, number, number, number, number]> = [
  [4.0, 2.13, 20.77, 3.0, 4.0],
  [4.5, 4.05, 17.3, 3.25, 4.5],
  [5.0, 6.85, 14.77, 3.5, 5.0],
  [5.5, 10.55, 12.94, 3.75, 5.5],
  [6.0, 15.27, 11.67, 4.0, 6.0],
  [6.5, 20.9, 10.79, 4.25, 6.5],
  [7.0, 27.14, 10.15, 4.5, 7.0],
  [7.5, 34.03, 9.73, 4.75, 7.5],
  [8.0, 41.1, 9.4, 5.0, 8.0],
];

/** 000 §2.1 (Java HashMap-style open addressing, 1e6 random keys): load factor, mean lookup ns. */
const articleTable: ReadonlyArray<readonly [number, number]> = [
  [0.5, 38],
  [0.75, 32],
  [0.9, 67],
];

/** The brief's load factors, plus 6 and 7.2 (slot occupancy lf/8 = 0.75 and 0.9, the article's two loads). */
const loadFactors = [1, 2, 4, 6, 6.5, 7.2, 8, 12];

interface Point {
  lf: number;
  n: number;
  B: number;
  bytesPerEntry: number;
  insertNs: number;
  hitNs: number;
  missNs: number;
  hitProbe: number;
  missProbe: number;
  hitSlots: number;
  missSlots: number;
  /** Share of main buckets with an overflow bucket (fraction). */
  overflowShare: number;
  overflowBuckets: number;
}

const pointKeys: Array<keyof Point> = [
  'n',
  'bytesPerEntry',
  'insertNs',
  'hitNs',
  'missNs',
  'hitProbe',
  'missProbe',
  'hitSlots',
  'missSlots',
  'overflowShare',
  'overflowBuckets',
];

function fillLoop(m: { set(k: number, v: number): unknown }, keys: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) m.set(keys[i]!, i);
}

function getLoop(m: { get(k: number): number | undefined }, keys: Int32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = m.get(keys[i]!);
    if (v !== undefined) s = (s + v) | 0;
  }
  return s;
}

interface Loops {
  fill: typeof fillLoop;
  get: typeof getLoop;
}

interface Sample {
  insertNs: number;
  hitNs: number;
  missNs: number;
}

/** Builds the map for (lf, n) from empty and times one insert pass, one get-hit pass and one get-miss pass. */
function measureOnce(lf: number, n: number, keys: Int32Array, miss: Int32Array, seed: number, loops: Loops, takeCensus: boolean, collect: boolean): { s: Sample; p: Point | null } {
  if (collect) gc();
  const m: IntMap = new HashMap({ key: 'int32', value: 'int32', loadFactor: lf, seed });
  let t0 = now();
  loops.fill(m, keys, n);
  const insertNs = ((now() - t0) * 1e6) / n;
  finishGrowth(m);
  let p: Point | null = null;
  if (takeCensus) {
    const c = census(m._h);
    if (c.count !== n) throw new Error(`load-factor: census found ${c.count} entries, expected ${n}`);
    p = {
      lf,
      n,
      B: m._h.B,
      bytesPerEntry: m.stats().bytes / n,
      insertNs: NaN,
      hitNs: NaN,
      missNs: NaN,
      hitProbe: c.hitProbe,
      missProbe: c.missProbe,
      hitSlots: c.hitSlots,
      missSlots: c.missSlots,
      overflowShare: c.overflowShare,
      overflowBuckets: c.overflowBuckets,
    };
  }
  const nm = Math.min(n, miss.length);
  t0 = now();
  let sink = loops.get(m, keys, n);
  const hitNs = ((now() - t0) * 1e6) / n;
  t0 = now();
  sink ^= loops.get(m, miss, nm);
  const missNs = ((now() - t0) * 1e6) / nm;
  keepAlive(sink);
  return { s: { insertNs, hitNs, missNs }, p };
}

/** Times fn reps times; returns the fastest, in ns per op (as for hmap's configurations). */
function timeOps(reps: number, ops: number, fn: () => void): number {
  const xs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    fn();
    xs.push(((now() - t0) * 1e6) / ops);
  }
  return Math.min(...xs);
}

function mean(points: Point[]): Point {
  const out = { ...points[0]! };
  for (const k of pointKeys) {
    let s = 0;
    for (const p of points) s += p[k];
    out[k] = s / points.length;
  }
  return out;
}

/** memory x lookup cost; lower is better. */
function score(p: Point, metric: 'probes' | 'time'): number {
  const cost = metric === 'probes' ? (p.hitSlots + p.missSlots) / 2 : (p.hitNs + p.missNs) / 2;
  return p.bytesPerEntry * cost;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export const loadFactor: Experiment = {
  name: 'load-factor',
  title: 'Load factor: memory against probes (Go picked 6.5)',
  claim:
    "A load factor of 6.5 entries per 8-slot bucket is the right trade-off between memory and probes: lower wastes memory, higher makes lookups probe (and overflow) too much. Also (000 §2.1, a Java-style table) 0.75 is the sweet spot and 0.9 doubles lookup time, since failed lookups probe 1/(1-a) times.",
  source: 'Go src/runtime/map.go header comment (loadFactor table); shared/seeds/000_f55fb209d67fe6e8.txt §2.1',
  method:
    'int32 -> int32 maps with loadFactor 1, 2, 4, 6, 6.5, 7.2, 8, 12 (6 and 7.2 fill 8-slot buckets to 0.75 and 0.9, the article\'s loads), one fixed B. (a) Just before growth: filled from empty to exactly floor(lf * 2^B) entries. (b) Average: fills to k sizes spread uniformly over (lf * 2^(B-1), lf * 2^B], averaged. For each: bytes per entry (stats().bytes / count, total, not overhead), insert ns/op (fill from empty, growth included), get hit and get miss ns/op (minimum over rounds that interleave all configurations), and from a read-only census of every chain: hit/miss probes in entries (Go\'s hitprobe/missprobe) and in tophash bytes scanned, share of buckets with an overflow bucket. Verdict: 6.5 is on the knee if memory x lookup cost (bytes/entry x mean of hit and miss cost) at 6.5 is no higher than at its neighbours 4 and 8, checked with probes (tophash bytes) and with time, in states (a) and (b).',
  run(ctx: LabContext) {
    const B = ctx.pick({ smoke: 8, default: 15, full: 17 });
    const k = ctx.pick({ smoke: 2, default: 3, full: 4 });
    // A full gc before each build keeps one configuration's garbage off the next one's timing; smoke skips it.
    const collect = ctx.mode !== 'smoke';
    const rounds = ctx.pick({ smoke: 1, default: 3, full: 3 });
    const reps = rounds;
    const missCap = ctx.pick({ smoke: 1 << 12, default: 1 << 18, full: 1 << 21 });
    const seed = Math.imul(ctx.seed, 0x9e3779b1) >>> 0;
    const maxN = Math.floor(Math.max(...loadFactors) * 2 ** B);
    const keys = makeKeys(maxN, ctx.seed ^ 0x1f3d5b79);
    const miss = makeKeys(missCap, ctx.seed ^ 0x1f3d5b79, 2 ** 30); // indices never used by `keys`: all absent
    const hmapLoops: Loops = { fill: fresh(fillLoop), get: fresh(getLoop) };
    // Every (load factor, state) configuration; (b) has k fills per load factor.
    interface Config {
      lf: number;
      state: 'a' | 'b';
      n: number;
      p: Point | null;
      samples: Sample[];
    }
    const configs: Config[] = [];
    for (const lf of loadFactors) {
      configs.push({ lf, state: 'a', n: Math.floor(lf * 2 ** B), p: null, samples: [] });
      for (let j = 0; j < k; j++) {
        configs.push({ lf, state: 'b', n: Math.floor(lf * 2 ** (B - 1) * (1 + (j + 0.5) / k)), p: null, samples: [] });
      }
    }
    const total = rounds * configs.length + 1;
    let done = 0;

    // Warm-up: JIT the loops and the map's paths on a small map, so the first configuration does not pay for it.
    measureOnce(6.5, Math.min(maxN, 1 << 15), keys, miss, seed, hmapLoops, true, collect);

    // Rounds interleave the configurations (alternating direction), so drift in machine load lands on all of
    // them alike; each timing is the minimum over rounds (interference from other processes only ever adds
    // time). Census and bytes are exact and taken in round 0.
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? configs : [...configs].reverse();
      for (const c of order) {
        const { s, p } = measureOnce(c.lf, c.n, keys, miss, seed, hmapLoops, c.p === null, collect);
        if (p !== null) {
          if (p.B !== B) throw new Error(`load-factor: lf ${c.lf} with ${c.n} entries has B=${p.B}, expected ${B}`);
          c.p = p;
        }
        c.samples.push(s);
        ctx.progress(++done, total);
      }
    }
    const finish = (c: Config): Point => ({
      ...c.p!,
      insertNs: Math.min(...c.samples.map((x) => x.insertNs)),
      hitNs: Math.min(...c.samples.map((x) => x.hitNs)),
      missNs: Math.min(...c.samples.map((x) => x.missNs)),
    });
    const atMax: Point[] = [];
    const avg: Point[] = [];
    for (const lf of loadFactors) {
      atMax.push(finish(configs.find((c) => c.lf === lf && c.state === 'a')!));
      avg.push(mean(configs.filter((c) => c.lf === lf && c.state === 'b').map(finish)));
    }

    // Map reference at the lf 6.5 just-before-growth size (same keys).
    const nRef = Math.floor(6.5 * 2 ** B);
    const mapLoops: Loops = { fill: fresh(fillLoop), get: fresh(getLoop) };
    let ref: Map<number, number> = new Map();
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const mapInsertNs = timeOps(reps, nRef, () => {
      ref = new Map();
      mapLoops.fill(ref, keys, nRef);
    });
    gc();
    const mapBytes = (process.memoryUsage().heapUsed - heap0) / nRef;
    let sink = 0;
    const mapHitNs = timeOps(reps, nRef, () => {
      sink ^= mapLoops.get(ref, keys, nRef);
    });
    const nm = Math.min(nRef, miss.length);
    const mapMissNs = timeOps(reps, nm, () => {
      sink ^= mapLoops.get(ref, miss, nm);
    });
    keepAlive(sink);
    keepAlive(ref);
    ctx.progress(++done, total);

    // ---- verdict: is 6.5 on the knee? ----
    const at = (ps: Point[], lf: number): Point => ps.find((p) => p.lf === lf)!;
    const checks: Array<{ state: string; metric: 'probes' | 'time'; s4: number; s65: number; s8: number; knee: boolean }> = [];
    for (const [state, ps] of [
      ['(a) just before growth', atMax],
      ['(b) average', avg],
    ] as const) {
      for (const metric of ['probes', 'time'] as const) {
        const s4 = score(at(ps, 4), metric);
        const s65 = score(at(ps, 6.5), metric);
        const s8 = score(at(ps, 8), metric);
        checks.push({ state, metric, s4, s65, s8, knee: s65 <= Math.min(s4, s8) });
      }
    }
    const knees = checks.filter((c) => c.knee).length;
    const verdict = knees === checks.length ? 'confirmed' : knees === 0 ? 'refuted' : 'partly';
    const step = (ps: Point[], x: number, y: number): string => {
      const px = at(ps, x);
      const py = at(ps, y);
      const save = 1 - py.bytesPerEntry / px.bytesPerEntry;
      const probe = (py.hitSlots + py.missSlots) / (px.hitSlots + px.missSlots) - 1;
      const time = (py.hitNs + py.missNs) / (px.hitNs + px.missNs) - 1;
      return `${x}->${y}: bytes/entry ${px.bytesPerEntry.toFixed(1)}->${py.bytesPerEntry.toFixed(1)} (${pct(-save)}), tophash bytes scanned ${probe >= 0 ? '+' : ''}${pct(probe)}, lookup time ${time >= 0 ? '+' : ''}${pct(time)}`;
    };

    // ---- does the article's 1/(1-a) apply? a = lf / 8 (slot occupancy), at the just-before-growth state ----
    const a75 = at(atMax, 6);
    const a90 = at(atMax, 7.2);
    const predRatio = 1 / (1 - 0.9) / (1 / (1 - 0.75)); // 2.5
    const slotRatio = a90.missSlots / a75.missSlots;
    const timeRatio = a90.missNs / a75.missNs;
    const articleTimeRatio = 67 / 32;
    const openAddrApplies = slotRatio >= 1 + 0.5 * (predRatio - 1);

    const reason =
      `Score = bytes/entry x mean lookup cost (hit and miss), lower is better; 6.5 is on the knee when its score is no higher than at 4 and at 8. ` +
      checks
        .map((c) => `${c.state}, ${c.metric}: 4 ${round(c.s4, 4)}, 6.5 ${round(c.s65, 4)}, 8 ${round(c.s8, 4)} -> ${c.knee ? 'knee' : c.s8 < c.s65 ? '8 is better' : '4 is better'}`)
        .join('; ') +
      `. ${knees} of ${checks.length} checks put the knee at 6.5. Steps (average state): ${step(avg, 4, 6.5)}; ${step(avg, 6.5, 8)}. ` +
      `The article's open-addressing model does ${openAddrApplies ? '' : 'not '}apply: it predicts failed lookups probing 2.5x more at a = 0.9 than at 0.75 (10 vs 4); ` +
      `filling 8-slot buckets to the same occupancy (lf 7.2 vs 6) made a miss scan ${slotRatio.toFixed(2)}x the tophash bytes (${a75.missSlots.toFixed(2)} -> ${a90.missSlots.toFixed(2)}) and take ${timeRatio.toFixed(2)}x the time (article: ${articleTimeRatio.toFixed(2)}x, 32 -> 67 ns).`;

    const figures: Record<string, number | string> = {
      B,
      knee_checks_passed: knees,
      knee_checks: checks.length,
      miss_slot_ratio_a90_vs_a75: round(slotRatio),
      miss_time_ratio_a90_vs_a75: round(timeRatio),
      map_bytes_per_entry: round(mapBytes),
      map_hit_ns: round(mapHitNs),
      map_miss_ns: round(mapMissNs),
      map_insert_ns: round(mapInsertNs),
    };
    for (const [tag, ps] of [
      ['max', atMax],
      ['avg', avg],
    ] as const) {
      for (const p of ps) {
        const l = String(p.lf).replace('.', '_');
        figures[`lf${l}_${tag}_bytes_per_entry`] = round(p.bytesPerEntry);
        figures[`lf${l}_${tag}_hit_ns`] = round(p.hitNs);
        figures[`lf${l}_${tag}_miss_ns`] = round(p.missNs);
        figures[`lf${l}_${tag}_insert_ns`] = round(p.insertNs);
        figures[`lf${l}_${tag}_hitprobe`] = round(p.hitProbe);
        figures[`lf${l}_${tag}_overflow_pct`] = round(p.overflowShare * 100);
      }
    }
    const p4 = at(avg, 4);
    const p65 = at(avg, 6.5);
    const p8 = at(avg, 8);
    const summary =
      `avg bytes/entry 4: ${p4.bytesPerEntry.toFixed(1)}, 6.5: ${p65.bytesPerEntry.toFixed(1)}, 8: ${p8.bytesPerEntry.toFixed(1)}; ` +
      `hit ${fmtNs(p4.hitNs)}/${fmtNs(p65.hitNs)}/${fmtNs(p8.hitNs)}, miss ${fmtNs(p4.missNs)}/${fmtNs(p65.missNs)}/${fmtNs(p8.missNs)}; ` +
      `knee at 6.5 in ${knees}/${checks.length} checks; 1/(1-a) ${openAddrApplies ? 'applies' : 'does not apply'} (miss scan x${slotRatio.toFixed(2)} vs x2.5)`;

    const row = (state: string, p: Point): Array<string | number> => [
      p.lf,
      state,
      p.n,
      round(p.bytesPerEntry),
      round(p.bytesPerEntry - 8),
      round(p.insertNs),
      round(p.hitNs),
      round(p.missNs),
      round(p.hitProbe),
      round(p.missProbe),
      round(p.hitSlots),
      round(p.missSlots),
      round(p.overflowShare * 100),
      Math.round(p.overflowBuckets),
    ];
    const tables: TableSpec[] = [
      {
        title: `hmap by load factor, int32 -> int32, 2^${B} buckets ((a) just before growth; (b) mean of ${k} fills across one doubling interval)`,
        columns: [
          'loadFactor',
          'state',
          'entries',
          'bytes/entry (total)',
          'overhead bytes/entry (total - 8)',
          'insert ns/op',
          'get hit ns',
          'get miss ns',
          'hit probe (entries)',
          'miss probe (entries)',
          'hit probe (tophash bytes)',
          'miss probe (tophash bytes)',
          '%overflow',
          'overflow buckets',
        ],
        rows: loadFactors.flatMap((lf) => [row('(a) max', at(atMax, lf)), row('(b) avg', at(avg, lf))]),
      },
      {
        title:
          "Beside Go's table (runtime/map.go, Go 1.23, 64-bit, 8-byte keys and elems, maximally loaded; Go's bytes/entry is overhead beyond the 16-byte pair). hmap: state (a), 4-byte keys and values, overhead = total - 8",
        columns: ['loadFactor', 'Go %overflow', 'hmap %overflow', 'Go overhead bytes/entry', 'hmap overhead bytes/entry', 'hmap total bytes/entry', 'Go hitprobe', 'hmap hitprobe', 'Go missprobe', 'hmap missprobe'],
        rows: goTable
          .filter(([lf]) => loadFactors.includes(lf))
          .map(([lf, ovf, bpe, hp, mp]) => {
            const p = at(atMax, lf);
            return [lf, ovf, round(p.overflowShare * 100), bpe, round(p.bytesPerEntry - 8), round(p.bytesPerEntry), hp, round(p.hitProbe), mp, round(p.missProbe)];
          }),
      },
      {
        title: "000 §2.1's open-addressing figures beside hmap at the same slot occupancy a = lf / 8 (state (a))",
        columns: ['a', 'hmap loadFactor', 'article lookup ns', 'article failed-lookup probes 1/(1-a)', 'hmap get hit ns', 'hmap get miss ns', 'hmap miss probe (entries)', 'hmap miss probe (tophash bytes)'],
        rows: articleTable.map(([a, ns]) => {
          const p = at(atMax, a * 8);
          return [a, a * 8, ns, round(1 / (1 - a)), round(p.hitNs), round(p.missNs), round(p.missProbe), round(p.missSlots)];
        }),
      },
      {
        title: `Map reference (same keys, ${nRef} entries = the lf 6.5 state (a) size)`,
        columns: ['impl', 'bytes/entry', 'insert ns/op', 'get hit ns', 'get miss ns'],
        rows: [
          ['Map (heapUsed after gc)', round(mapBytes), round(mapInsertNs), round(mapHitNs), round(mapMissNs)],
          ['hmap lf 6.5 (a)', round(at(atMax, 6.5).bytesPerEntry), round(at(atMax, 6.5).insertNs), round(at(atMax, 6.5).hitNs), round(at(atMax, 6.5).missNs)],
        ],
      },
    ];

    const ser = (label: string, ps: Point[], f: (p: Point) => number): { label: string; points: Array<[number, number]> } => ({
      label,
      points: ps.map((p) => [p.lf, round(f(p), 4)] as [number, number]),
    });
    const goSeries = (label: string, col: number, f: (v: number) => number = (v) => v) => ({
      label,
      points: goTable.map((r) => [r[0], f(r[col]!)] as [number, number]),
    });
    const charts: ChartSpec[] = [
      {
        title: 'Bytes per entry vs load factor (int32 -> int32)',
        type: 'line',
        x: { label: 'loadFactor (entries per bucket)' },
        y: { label: 'bytes per entry', log: true },
        series: [
          ser('hmap total, (a) just before growth', atMax, (p) => p.bytesPerEntry),
          ser('hmap total, (b) average', avg, (p) => p.bytesPerEntry),
          ser('hmap overhead (total - 8), (a)', atMax, (p) => p.bytesPerEntry - 8),
          goSeries("Go overhead beyond 16-byte pair (map.go table)", 2),
        ],
      },
      {
        title: 'Time per operation vs load factor',
        type: 'line',
        x: { label: 'loadFactor (entries per bucket)' },
        y: { label: 'ns per op' },
        series: [
          ser('insert (a)', atMax, (p) => p.insertNs),
          ser('insert (b) avg', avg, (p) => p.insertNs),
          ser('get hit (a)', atMax, (p) => p.hitNs),
          ser('get hit (b) avg', avg, (p) => p.hitNs),
          ser('get miss (a)', atMax, (p) => p.missNs),
          ser('get miss (b) avg', avg, (p) => p.missNs),
        ],
      },
      {
        title: "Probes vs load factor, beside Go's hitprobe / missprobe",
        type: 'line',
        x: { label: 'loadFactor (entries per bucket)' },
        y: { label: 'entries checked / tophash bytes read' },
        series: [
          ser('hit probe, entries (a)', atMax, (p) => p.hitProbe),
          ser('miss probe, entries (a)', atMax, (p) => p.missProbe),
          goSeries('Go hitprobe', 3),
          goSeries('Go missprobe', 4),
          ser('hit, tophash bytes (a)', atMax, (p) => p.hitSlots),
          ser('miss, tophash bytes (a)', atMax, (p) => p.missSlots),
          ser('hit probe, entries (b) avg', avg, (p) => p.hitProbe),
          ser('miss, tophash bytes (b) avg', avg, (p) => p.missSlots),
        ],
      },
      {
        title: 'Share of buckets with an overflow bucket',
        type: 'line',
        x: { label: 'loadFactor (entries per bucket)' },
        y: { label: '% of main buckets' },
        series: [
          ser('hmap (a) just before growth', atMax, (p) => p.overflowShare * 100),
          ser('hmap (b) average', avg, (p) => p.overflowShare * 100),
          goSeries('Go %overflow (map.go table)', 1),
        ],
      },
    ];

    return {
      figures,
      summary,
      verdict,
      reason,
      params: { B, loadFactors, avgFills: k, rounds, missKeys: missCap, keys: 'int32 -> int32', seed },
      tables,
      charts,
      notes: [
        "Go's bytes/entry is overhead beyond an 8-byte key and 8-byte elem, in 144-byte buckets (8 tophash + 128 data + 8 overflow pointer); hmap's bucket for int32 -> int32 is 72 bytes (8 tophash + 64 data, no overflow pointer), so its overhead per entry is lower at every load factor; the table shows hmap's total and total - 8.",
        "hmap's overflow link takes slot 7 of a full bucket, so a chain of two buckets holds 15 entries (Go: 16) and a bucket overflows at its 9th entry as in Go; %overflow is close to Go's at loads <= 8, and differs above because longer chains need a third bucket one entry earlier.",
        'Above a load factor of 8 hmap scales its same-size-growth trigger with the load factor (README: departures from Go); at 12 most chains need two buckets by design.',
        'Go hitprobe / missprobe count entries checked; the "tophash bytes" columns count every tophash byte a lookup reads (empty slots before emptyRest and the link slot included), which is what a lookup actually walks.',
        'Timings come from one process on a shared 2-core machine (the fastest of the interleaved rounds); under load they move by tens of percent between runs, so the two time-based knee checks can flip from run to run. The probe and memory figures are exact for the seed, and so are the two probe-based checks.',
      ],
    };
  },
};
