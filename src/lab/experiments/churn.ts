// churn: delete + insert cycles at a steady size. Overflow buckets are never unlinked one by one (neither in Go
// nor here): a chain that once needed an overflow bucket keeps it, and later inserts reuse its free slots. So
// under churn the overflow count creeps up until it reaches about the number of main buckets, when a same-size
// growth re-packs every chain. This measures that cycle, the bytes it costs, and Map's heap on the same ops.
//
// Cases (all int32 -> int32, loadFactor 6.5):
//   main      N live keys (2e5 by default: 2^15 buckets at load 6.1), each cycle deletes a random 10% and
//             inserts as many new keys; Map runs the same operations for reference;
//   low load  the same table at load ~3.4 (just past a doubling), where overflow piles up slowly;
//   heavy     a small table filled to exactly 6.5 per bucket with 50% replaced per cycle: the designed
//             overflow-churn case, which goes through many same-size growths.

import type { ChartSpec, Experiment, LabContext, Series, TableSpec } from '../types.js';
import { HashMap } from '../../map.js';
import { census } from '../../table/census.js';
import { fmix32 } from '../../hash.js';
import { finishGrowth, fresh, gc, keepAlive, now, rng, round } from '../measure.js';

type IntMap = HashMap<number, number>;

/** The keys a cycle deletes (live[picks[j]]) and their replacements; identical for every implementation. */
class Plan {
  readonly live: Int32Array;
  private readonly perm: Int32Array;
  readonly picks: Int32Array;
  readonly newKeys: Int32Array;
  private next: number;
  private readonly rand: () => number;

  constructor(
    readonly n: number,
    readonly d: number,
    private readonly salt: number,
    seed: number,
  ) {
    this.live = new Int32Array(n);
    this.perm = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.live[i] = fmix32(i ^ salt);
      this.perm[i] = i;
    }
    this.next = n;
    this.picks = new Int32Array(d);
    this.newKeys = new Int32Array(d);
    this.rand = rng(seed);
  }

  /** Chooses the next cycle: d distinct live positions (partial Fisher-Yates) and d never-used keys. */
  advance(): void {
    const { perm, n, d } = this;
    for (let j = 0; j < d; j++) {
      const r = j + Math.floor(this.rand() * (n - j));
      const t = perm[j]!;
      perm[j] = perm[r]!;
      perm[r] = t;
      this.picks[j] = perm[j]!;
      this.newKeys[j] = fmix32(this.next++ ^ this.salt); // fmix32 is a bijection: never a key used before
    }
  }
}

// Loops, copied per implementation with fresh().
function fillLoop(m: { set(k: number, v: number): unknown }, live: Int32Array): void {
  for (let i = 0; i < live.length; i++) m.set(live[i]!, i);
}

function deleteLoop(m: { delete(k: number): boolean }, live: Int32Array, picks: Int32Array): number {
  let gone = 0;
  for (let j = 0; j < picks.length; j++) if (m.delete(live[picks[j]!]!)) gone++;
  return gone;
}

function insertLoop(m: { set(k: number, v: number): unknown }, live: Int32Array, picks: Int32Array, keys: Int32Array): void {
  for (let j = 0; j < picks.length; j++) {
    const k = keys[j]!;
    live[picks[j]!] = k;
    m.set(k, j);
  }
}

/**
 * hmap's insert loop, watching the table: out[0] = overflow buckets of the table when a same-size growth started
 * during this loop (-1: none), out[1] = its main buckets, out[2] = most bytes held at a sample (every 1024 ops).
 */
function insertLoopH(
  m: { set(k: number, v: number): unknown; stats(): { bytes: number } },
  h: { sameSizeGrowths: number; buckets: { novf: number; nb: number } },
  live: Int32Array,
  picks: Int32Array,
  keys: Int32Array,
  out: Float64Array,
): void {
  let ssg = h.sameSizeGrowths;
  for (let j = 0; j < picks.length; j++) {
    const k = keys[j]!;
    live[picks[j]!] = k;
    const ovf = h.buckets.novf;
    const nb = h.buckets.nb;
    m.set(k, j);
    if (h.sameSizeGrowths !== ssg) {
      ssg = h.sameSizeGrowths;
      out[0] = ovf;
      out[1] = nb;
    }
    if ((j & 1023) === 0) {
      const b = m.stats().bytes;
      if (b > out[2]!) out[2] = b;
    }
  }
}

interface CycleRow {
  cycle: number;
  overflow: number;
  buckets: number;
  noverflow: number;
  sameSize: number;
  doublings: number;
  bytes: number;
  peakBytes: number;
  growing: boolean;
  /** Overflow buckets when a same-size growth started in this cycle, else -1. */
  triggerOverflow: number;
  /** New overflow buckets allocated in this cycle (NaN when a growth ran in it: evacuation allocates too). */
  newOverflow: number;
  missSlots: number;
  hitSlots: number;
  overflowShare: number;
}

interface CaseResult {
  name: string;
  n: number;
  d: number;
  rows: CycleRow[];
  B: number;
  firstBytes: number;
  mainBytes: number;
  /** Doublings before the first cycle. */
  startDoublings: number;
  nsPerOp: number;
  events: CycleRow[];
}

interface Hooks {
  fill: typeof fillLoop;
  del: typeof deleteLoop;
  ins: typeof insertLoopH;
}

function runHmap(name: string, n: number, frac: number, cycles: number, salt: number, seed: number, hooks: Hooks, progress: () => void): CaseResult {
  const d = Math.max(1, Math.round(n * frac));
  const plan = new Plan(n, d, salt, seed);
  const m: IntMap = new HashMap({ key: 'int32', value: 'int32', seed });
  const h = m._h;
  hooks.fill(m, plan.live);
  // Start from a settled table: the last doubling finished.
  finishGrowth(m);
  const startDoublings = h.doublings;
  const rows: CycleRow[] = [];
  const out = new Float64Array(3);
  let ops = 0;
  let nsTotal = 0;
  for (let c = 1; c <= cycles; c++) {
    plan.advance();
    const ssg0 = h.sameSizeGrowths;
    const dbl0 = h.doublings;
    const novf0 = h.buckets.novf;
    const table0 = h.buckets;
    const growing0 = h.oldbuckets !== null;
    out[0] = -1;
    out[1] = 0;
    out[2] = 0;
    const t0 = now();
    const gone = hooks.del(m, plan.live, plan.picks);
    hooks.ins(m, h, plan.live, plan.picks, plan.newKeys, out);
    nsTotal += (now() - t0) * 1e6;
    ops += 2 * d;
    if (gone !== d) throw new Error(`churn: ${name}: deleted ${gone} of ${d} live keys`);
    if (h.count !== n) throw new Error(`churn: ${name}: count ${h.count}, expected ${n}`);
    const st = m.stats();
    const growing = h.oldbuckets !== null;
    let missSlots = NaN;
    let hitSlots = NaN;
    let overflowShare = NaN;
    if (!growing) {
      const cs = census(h);
      missSlots = cs.missSlots;
      hitSlots = cs.hitSlots;
      overflowShare = cs.overflowShare;
    }
    // Only cycles that start and end on one settled table: evacuation allocates overflow buckets too.
    const sameTable = h.buckets === table0 && !growing0 && !growing && h.sameSizeGrowths === ssg0 && h.doublings === dbl0;
    rows.push({
      cycle: c,
      overflow: st.overflowBuckets,
      buckets: st.buckets,
      noverflow: h.noverflow,
      sameSize: h.sameSizeGrowths,
      doublings: h.doublings,
      bytes: st.bytes,
      peakBytes: Math.max(out[2]!, st.bytes),
      growing,
      triggerOverflow: h.sameSizeGrowths !== ssg0 ? out[0]! : -1,
      newOverflow: sameTable ? h.buckets.novf - novf0 : NaN,
      missSlots,
      hitSlots,
      overflowShare,
    });
    progress();
  }
  keepAlive(m);
  const B = h.B;
  return {
    name,
    n,
    d,
    rows,
    B,
    firstBytes: rows[0]!.bytes,
    startDoublings,
    mainBytes: h.buckets.nb * h.layout.bucketBytes,
    nsPerOp: nsTotal / ops,
    events: rows.filter((r) => r.triggerOverflow >= 0),
  };
}

interface MapRun {
  heap: Array<[number, number]>;
  firstHeap: number;
  nsPerOp: number;
}

function runMap(n: number, frac: number, cycles: number, salt: number, seed: number, every: number, progress: () => void): MapRun {
  const d = Math.max(1, Math.round(n * frac));
  const plan = new Plan(n, d, salt, seed);
  const fill = fresh(fillLoop);
  const del = fresh(deleteLoop);
  const ins = fresh(insertLoop);
  gc();
  const base = process.memoryUsage().heapUsed;
  const m = new Map<number, number>();
  fill(m, plan.live);
  const heap: Array<[number, number]> = [];
  let firstHeap = NaN;
  let ns = 0;
  for (let c = 1; c <= cycles; c++) {
    plan.advance();
    const t0 = now();
    del(m, plan.live, plan.picks);
    ins(m, plan.live, plan.picks, plan.newKeys);
    ns += (now() - t0) * 1e6;
    if (c === 1 || c % every === 0 || c === cycles) {
      // The plan's own arrays are allocated before `base` and do not change size.
      gc();
      const bytes = process.memoryUsage().heapUsed - base;
      heap.push([c, bytes]);
      if (c === 1) firstHeap = bytes;
    }
    progress();
  }
  keepAlive(m);
  return { heap, firstHeap, nsPerOp: ns / (cycles * 2 * d) };
}

const mb = (b: number): number => round(b / 2 ** 20, 4);
const fmtSlots = (x: number): string => x.toFixed(2);

/** Series that is 0 except a spike to `top` at each cycle where a same-size growth started. */
function spikes(r: CaseResult, top: number, label: string): Series {
  const pts: Array<[number, number]> = [[0, 0]];
  for (const e of r.events) pts.push([e.cycle - 0.01, 0], [e.cycle, top], [e.cycle + 0.01, 0]);
  pts.push([r.rows.length, 0]);
  return { label, points: pts };
}

/** Keeps at most max points (every k-th; first and last kept). */
function thin(points: Array<[number, number]>, max = 2000): Array<[number, number]> {
  if (points.length <= max) return points;
  const k = Math.ceil(points.length / max);
  return points.filter((_, i) => i % k === 0 || i === points.length - 1);
}

export const churn: Experiment = {
  name: 'churn',
  title: 'Churn: overflow buckets, same-size growth and bounded memory',
  claim:
    'Under steady delete + insert churn memory stays bounded: overflow buckets are reused, and once they pile up (about as many as main buckets) a same-size growth re-packs the table; there is no fragmentation to accumulate.',
  source:
    'shared/seeds/000_f55fb209d67fe6e8.txt ch. 1 (growth when overflow buckets >= buckets; same-size growth, 等量迁移); shared/seeds/001_d59ee136c37f06e1.txt §1 (零内存碎片: overflow buckets reused), §3.2 (the overflow limit stops fragmentation piling up), §4.4 (overflow-bucket reuse under delete + insert; growth at noverflow >= 2^(B-2))',
  method:
    'int32 -> int32, loadFactor 6.5. Main: N live keys; every cycle deletes a random 10% (distinct, uniformly chosen) and inserts as many never-used keys, for many cycles; per cycle: overflow buckets, same-size growths (_h.sameSizeGrowths), doublings, bytes held at the end of the cycle and the most seen inside it (sampled every 1024 ops), and a read-only census (miss/hit tophash bytes scanned). Map runs the same operations; its heapUsed after a full gc is sampled. Two more hmap cases: the same table at load ~3.4 (slow pile-up) and a small table at exactly 6.5 per bucket with 50% replaced per cycle (the designed heavy overflow churn). Settled bytes are cycle ends with no growth running. Verdict: confirmed if bytes stay bounded (no drift: last-half settled max <= 1.1x first-half settled max, judged once the first half has had a same-size growth; settled bytes never above Go\'s trigger bound of 2x the main array plus one overflow chunk, 2.05x above B = 15 where the overflow counter is sampled), same-size growths start when overflow buckets reach about the bucket count (>= 0.95x) and leave at most 60% of them, and the last-half settled max stays within 1.5x the bytes after cycle 1; partly if bounded and re-packed but above 1.5x; refuted if bytes drift upward or no same-size growth relieves the pile-up.',
  run(ctx: LabContext) {
    const n = ctx.pick({ smoke: 5000, default: 200_000, full: 1_600_000 });
    const cycles = ctx.pick({ smoke: 20, default: 250, full: 250 });
    const Bh = ctx.pick({ smoke: 7, default: 12, full: 14 });
    const heavyCycles = ctx.pick({ smoke: 40, default: 300, full: 500 });
    const lowCycles = ctx.pick({ smoke: 10, default: 150, full: 250 });
    const seed = Math.imul(ctx.seed, 0x9e3779b1) >>> 0;
    const salt = ctx.seed ^ 0x27d4eb2f;
    const mapEvery = Math.max(1, Math.ceil(cycles / 60));
    const hooks: Hooks = { fill: fresh(fillLoop), del: fresh(deleteLoop), ins: fresh(insertLoopH) };

    // B of the main case, for the low-load case's size (load 3.4 in the same number of buckets).
    let Bm = 0;
    while (n > 6.5 * 2 ** Bm) Bm++;
    const nLow = Math.floor(3.4 * 2 ** Bm);
    const nHeavy = Math.floor(6.5 * 2 ** Bh);
    const total = 2 * cycles + lowCycles + heavyCycles;
    let done = 0;
    const tick = (): void => ctx.progress(++done, total);

    gc();
    const main = runHmap('main', n, 0.1, cycles, salt, seed, hooks, tick);
    const low = runHmap('low load', nLow, 0.1, lowCycles, salt ^ 1, (seed ^ 1) >>> 0, hooks, tick);
    const heavy = runHmap('heavy', nHeavy, 0.5, heavyCycles, salt ^ 2, (seed ^ 2) >>> 0, hooks, tick);
    const map = runMap(n, 0.1, cycles, salt, seed, mapEvery, tick);

    // ---- verdict ----
    // Settled bytes: cycle ends where no growth is running (the old array dropped). A growth that straddles a
    // cycle end holds old and new arrays; that transient is reported separately (peak).
    const half = Math.floor(cycles / 2);
    const settled = main.rows.filter((r) => !r.growing);
    const firstHalf = settled.filter((r) => r.cycle <= half).map((r) => r.bytes);
    const lastHalf = settled.filter((r) => r.cycle > half).map((r) => r.bytes);
    const firstHalfMax = Math.max(...firstHalf);
    const lastHalfMax = lastHalf.length > 0 ? Math.max(...lastHalf) : NaN;
    const peak = Math.max(...main.rows.map((r) => r.peakBytes));
    const chunkBytes = 2 ** Math.max(0, Math.min(main.B - 6, 10)) * main.mainBytes / 2 ** main.B;
    // Go's trigger: about as many overflow buckets as buckets. Above B = 15 the overflow counter is sampled
    // (Go's incrnoverflow), so the count at the trigger is only ~2^B: allow 5% for that.
    const sampled = main.B >= 16;
    const goBound = (sampled ? 2.05 : 2) * main.mainBytes + chunkBytes;
    const settledMax = Math.max(...settled.map((r) => r.bytes));
    // Drift is only judged when the first half already went through a pile-up and its same-size growth;
    // before the first one, bytes rise by design.
    const firstHalfCycled = main.events.some((e) => e.cycle <= half);
    const noDrift = !firstHalfCycled || lastHalfMax <= 1.1 * firstHalfMax;
    const withinGo = settledMax <= goBound;
    const bounded = noDrift && withinGo;
    const ratioFirst = lastHalfMax / main.firstBytes;
    const within15 = ratioFirst <= 1.5;
    const cases = [main, low, heavy];
    const events = cases.flatMap((c) => c.events.map((e) => ({ c, e })));
    const triggerRatios = events.map(({ e }) => e.triggerOverflow / e.buckets);
    const atPileUp = events.length > 0 && triggerRatios.every((x) => x >= 0.95);
    // Overflow after each growth: at the end of the first cycle that is not growing any more, against at the trigger.
    const relief = events.map(({ c, e }) => {
      const after = c.rows.find((r) => r.cycle >= e.cycle && !r.growing);
      return after === undefined ? NaN : after.overflow / e.triggerOverflow;
    });
    const relieved = relief.filter((x) => Number.isFinite(x));
    const freed = relieved.length > 0 && relieved.every((x) => x <= 0.6);
    const repacks = atPileUp && freed;
    const verdict = !bounded || !repacks ? 'refuted' : within15 ? 'confirmed' : 'partly';

    const firstTrigger = (c: CaseResult): string => (c.events.length > 0 ? `cycle ${c.events[0]!.cycle}` : `none in ${c.rows.length} cycles`);
    const lowEnd = low.rows[low.rows.length - 1]!;
    const mainNewFirst = main.rows[0]!.newOverflow;
    // Allocation once the pile-up has saturated: the 10 measurable cycles before the first same-size growth
    // (or the last 10 when none came).
    const lateEnd = main.events.length > 0 ? main.events[0]!.cycle : cycles + 1;
    const lateNew = main.rows.filter((r) => r.cycle < lateEnd && Number.isFinite(r.newOverflow)).slice(-10);
    const mainNewLate = lateNew.reduce((s, r) => s + r.newOverflow, 0) / Math.max(1, lateNew.length);
    const meanRatio = triggerRatios.length > 0 ? triggerRatios.reduce((s, x) => s + x, 0) / triggerRatios.length : NaN;
    const mapLastHalfMax = Math.max(...map.heap.filter(([c]) => c > half).map(([, b]) => b));
    const reason =
      `Main case (${n} keys, 2^${main.B} buckets, load ${(n / 2 ** main.B).toFixed(2)}, ${cycles} cycles of 10%): bytes after cycle 1 ${mb(main.firstBytes)} MB; settled max ${mb(firstHalfMax)} MB in the first half, ${mb(lastHalfMax)} MB in the last (${firstHalfCycled ? (noDrift ? 'no drift' : 'upward drift') : 'drift not judged: no same-size growth in the first half'}), ${ratioFirst.toFixed(2)}x the first cycle (${within15 ? 'within' : 'above'} 1.5x); ` +
      `settled tables never above ${mb(settledMax)} MB vs Go's trigger bound ${mb(goBound)} MB (${sampled ? '2.05x (sampled overflow counter above B = 15)' : '2x'} the ${mb(main.mainBytes)} MB main array + a chunk) -> ${withinGo ? 'within' : 'above'}; transiently up to ${mb(peak)} MB (${(peak / main.firstBytes).toFixed(2)}x) while a same-size growth holds old and new arrays. ` +
      `Same-size growths: main ${main.events.length} (first at ${firstTrigger(main)}), low load ${low.events.length} (${firstTrigger(low)}; overflow reached ${(lowEnd.overflow / lowEnd.buckets * 100).toFixed(1)}% of buckets after ${low.rows.length} cycles), heavy ${heavy.events.length} in ${heavy.rows.length} cycles; ` +
      `each started at ${events.length > 0 ? `${Math.min(...triggerRatios).toFixed(2)}-${Math.max(...triggerRatios).toFixed(2)}x` : 'no'} as many overflow buckets as buckets (Go and hmap: 1x; 001 §4.4's 2^(B-2) would be 0.25x) and left ${relieved.length > 0 ? `${(Math.min(...relieved) * 100).toFixed(0)}-${(Math.max(...relieved) * 100).toFixed(0)}%` : 'n/a'} of them. ` +
      `Reuse: cycle 1 allocated ${mainNewFirst} new overflow buckets for ${main.d} inserts, ${main.events.length > 0 ? 'the 10 cycles before the first same-size growth' : 'the last 10 cycles'} ${mainNewLate.toFixed(0)} on average; deleted slots are reused, but an emptied overflow bucket stays linked until the next same-size growth, so settled bytes swing up to ${ratioFirst.toFixed(2)}x rather than staying flat, and a miss scans ${fmtSlots(main.rows[0]!.missSlots)} tophash bytes after cycle 1 but up to ${fmtSlots(Math.max(...settled.map((r) => r.missSlots)))} before a re-pack (emptied overflow buckets stay on the path). ` +
      `Map's heap after gc: ${mb(map.firstHeap)} MB after cycle 1, ${mb(mapLastHalfMax)} MB max in the last half.`;

    const figures: Record<string, number | string> = {
      main_keys: n,
      main_B: main.B,
      main_first_cycle_mb: mb(main.firstBytes),
      main_first_half_settled_max_mb: mb(firstHalfMax),
      main_last_half_settled_max_mb: mb(lastHalfMax),
      main_last_half_max_over_first: round(ratioFirst),
      main_peak_mb: mb(peak),
      main_miss_slots_first: round(main.rows[0]!.missSlots, 4),
      main_miss_slots_max: round(Math.max(...settled.map((r) => r.missSlots)), 4),
      main_go_bound_mb: mb(goBound),
      main_same_size_growths: main.events.length,
      main_first_same_size_cycle: main.events.length > 0 ? main.events[0]!.cycle : -1,
      main_doublings_during_churn: main.rows[main.rows.length - 1]!.doublings - main.startDoublings,
      low_same_size_growths: low.events.length,
      low_overflow_per_bucket_end: round(lowEnd.overflow / lowEnd.buckets),
      heavy_same_size_growths: heavy.events.length,
      trigger_overflow_per_bucket_mean: Number.isFinite(meanRatio) ? round(meanRatio) : -1,
      new_overflow_first_cycle: mainNewFirst,
      new_overflow_before_first_growth_mean: round(mainNewLate),
      hmap_ns_per_op: round(main.nsPerOp),
      map_ns_per_op: round(map.nsPerOp),
      map_first_cycle_heap_mb: mb(map.firstHeap),
      map_last_half_max_heap_mb: mb(mapLastHalfMax),
    };
    const summary =
      `main: ${mb(main.firstBytes)} MB after cycle 1, last-half settled max ${mb(lastHalfMax)} MB (${ratioFirst.toFixed(2)}x, peak ${(peak / main.firstBytes).toFixed(2)}x), ${main.events.length} same-size growths (first at ${firstTrigger(main)}), trigger at ${meanRatio.toFixed(2)} ovf/bucket; heavy: ${heavy.events.length} in ${heavy.rows.length} cycles; Map heap ${mb(map.firstHeap)} -> ${mb(mapLastHalfMax)} MB`;

    const caseRow = (c: CaseResult): Array<string | number> => {
      const last = c.rows[c.rows.length - 1]!;
      const endB = c.rows.map((r) => r.bytes);
      return [
        c.name,
        c.n,
        `2^${c.B}`,
        round(c.n / 2 ** c.B),
        `${c.d} (${Math.round((c.d / c.n) * 100)}%)`,
        c.rows.length,
        c.events.length,
        c.events.length > 0 ? c.events.map((e) => e.cycle).slice(0, 8).join(', ') + (c.events.length > 8 ? ', ...' : '') : 'none',
        c.events.length > 0 ? round(c.events.reduce((s, e) => s + e.triggerOverflow / e.buckets, 0) / c.events.length) : '',
        last.doublings - c.startDoublings,
        round(last.overflow / last.buckets),
        mb(c.firstBytes),
        mb(Math.max(...endB)),
        mb(Math.max(...c.rows.map((r) => r.peakBytes))),
        round(c.nsPerOp),
      ];
    };
    const tables: TableSpec[] = [
      {
        title: 'Cases (int32 -> int32, loadFactor 6.5)',
        columns: [
          'case',
          'live keys',
          'buckets',
          'load',
          'replaced per cycle',
          'cycles',
          'same-size growths',
          'at cycles',
          'overflow/buckets at trigger',
          'doublings during churn',
          'overflow/buckets at end',
          'MB after cycle 1',
          'max MB at cycle end',
          'max MB inside a cycle',
          'ns per op',
        ],
        rows: [...cases.map(caseRow), ['Map (main ops)', n, '', '', `${main.d} (10%)`, cycles, '', '', '', '', '', mb(map.firstHeap), mb(Math.max(...map.heap.map(([, b]) => b))), '', round(map.nsPerOp)]],
      },
      {
        title: 'Main case every ~10% of cycles',
        columns: ['cycle', 'overflow buckets', 'noverflow', 'same-size growths', 'growing', 'MB at end', 'max MB inside', 'new overflow buckets', 'miss probe (tophash bytes)', 'hit probe (tophash bytes)', '% buckets with overflow'],
        rows: main.rows
          .filter((r, i) => i === 0 || r.cycle % Math.max(1, Math.round(cycles / 10)) === 0 || r.triggerOverflow >= 0)
          .map((r) => [
            r.cycle,
            r.overflow,
            r.noverflow,
            r.sameSize,
            r.growing ? 'yes' : 'no',
            mb(r.bytes),
            mb(r.peakBytes),
            Number.isFinite(r.newOverflow) ? r.newOverflow : 'growth',
            Number.isFinite(r.missSlots) ? round(r.missSlots, 4) : 'growing',
            Number.isFinite(r.hitSlots) ? round(r.hitSlots, 4) : 'growing',
            Number.isFinite(r.overflowShare) ? round(r.overflowShare * 100) : 'growing',
          ]),
      },
    ];

    const pts = (c: CaseResult, f: (r: CycleRow) => number): Array<[number, number]> =>
      thin(c.rows.filter((r) => Number.isFinite(f(r))).map((r) => [r.cycle, round(f(r), 4)] as [number, number]));
    const maxOvf = Math.max(...main.rows.map((r) => r.overflow), main.rows[0]!.buckets);
    const maxMb = Math.max(...main.rows.map((r) => mb(r.peakBytes)), ...map.heap.map(([, b]) => mb(b)));
    const charts: ChartSpec[] = [
      {
        title: `Main case: overflow buckets over churn cycles (${n} keys, 2^${main.B} buckets)`,
        type: 'line',
        x: { label: 'cycle (10% of keys replaced each)' },
        y: { label: 'buckets' },
        series: [
          { label: 'overflow buckets (end of cycle)', points: pts(main, (r) => r.overflow) },
          { label: 'main buckets (same-size trigger)', points: [[1, main.rows[0]!.buckets], [cycles, main.rows[0]!.buckets]] },
          spikes(main, maxOvf, 'same-size growth started'),
        ],
      },
      {
        title: 'Main case: bytes held over churn cycles, hmap vs Map',
        type: 'line',
        x: { label: 'cycle' },
        y: { label: 'MB' },
        series: [
          { label: 'hmap bytes (end of cycle)', points: pts(main, (r) => mb(r.bytes)) },
          { label: 'hmap most bytes inside the cycle', points: pts(main, (r) => mb(r.peakBytes)) },
          { label: 'Map heapUsed after gc', points: map.heap.map(([c, b]) => [c, mb(b)] as [number, number]) },
          spikes(main, maxMb, 'same-size growth started'),
        ],
      },
      {
        title: 'Overflow buckets per main bucket, three cases',
        type: 'line',
        x: { label: 'cycle' },
        y: { label: 'overflow buckets / buckets' },
        series: [
          { label: `main (load ${(n / 2 ** main.B).toFixed(2)}, 10%/cycle)`, points: pts(main, (r) => r.overflow / r.buckets) },
          { label: `low load (${(nLow / 2 ** low.B).toFixed(2)}, 10%/cycle)`, points: pts(low, (r) => r.overflow / r.buckets) },
          { label: `heavy (2^${Bh} buckets at 6.5, 50%/cycle)`, points: pts(heavy, (r) => r.overflow / r.buckets) },
          spikes(heavy, 1.2, 'heavy: same-size growth started'),
        ],
      },
      {
        title: 'Main case: lookup cost and new overflow buckets per cycle',
        type: 'line',
        x: { label: 'cycle' },
        y: { label: 'tophash bytes / buckets' },
        series: [
          { label: 'miss probe, tophash bytes (census)', points: pts(main, (r) => r.missSlots) },
          { label: 'hit probe, tophash bytes (census)', points: pts(main, (r) => r.hitSlots) },
          { label: 'new overflow buckets this cycle / 100', points: pts(main, (r) => r.newOverflow / 100) },
        ],
      },
    ];

    return {
      figures,
      summary,
      verdict,
      reason,
      params: { n, cycles, replacedPerCycle: 0.1, nLow, lowCycles, nHeavy, heavyBuckets: 2 ** Bh, heavyReplaced: 0.5, heavyCycles, loadFactor: 6.5, seed, mapHeapEvery: mapEvery },
      tables,
      charts,
      notes: [
        'Overflow buckets are never unlinked one by one, in Go or here: deletes free slots (later inserts reuse them) but an emptied overflow bucket stays in its chain until a growth re-packs the table. 001 §4.4\'s free list of overflow buckets (h.free) and its 2^(B-2) trigger are not in Go\'s map.go: Go keeps spare overflow buckets preallocated with the bucket array (mapextra.nextOverflow) and starts a same-size growth at about 2^B overflow buckets (2^15 above B = 15).',
        'Bytes at the end of a cycle are the settled table (old arrays dropped); the most bytes inside a cycle include both arrays while a same-size growth evacuates (at least two old chains per write, so it ends within a cycle here).',
        'Map\'s figure is V8 heapUsed after a full gc (everything on the JS heap, not only the Map); hmap\'s is its ArrayBuffer bytes. Map has its own churn cost: deleted entries stay as holes until its table fills, and the first such rehash doubles its capacity because the live entries are more than half of it; after that it rehashes in place, so its heap also settles (at about twice the size after the first cycle).',
        'The low-load case is the same table just past a doubling: chains rarely exceed 8 entries there, so overflow buckets accumulate slowly and a same-size growth may not come within the run.',
      ],
    };
  },
};
