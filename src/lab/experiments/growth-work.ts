// growth-work: what one doubling of an int32 -> int32 hmap does, write by write.
//
// The map is filled with distinct random keys, untimed, up to the start of the growth before the one observed
// (count = floor(6.5 * 2^(B0-1))). From there every insert is timed and followed by a read of the header: growing
// or not (before and after the op), old buckets evacuated so far (h.evacuated, exact), bytes held (h.bytes, which
// is what stats().bytes reports). That covers the previous growth, the quiet stretch after it ("outside growth"),
// the doubling from 2^B0 to 2^(B0+1) buckets, which starts at the insert that finds count = floor(6.5 * 2^B0), and
// 2^(B0-2) inserts after it completes. Each write evacuates the old chain it lands on plus the lowest one not yet
// evacuated (nevacuate), so a growth lasts at most 2^B0 writes. After the run, a WeakRef to the old table and a
// full collection show whether the old array is really released.

import type { ChartSpec, Experiment, LabContext, TableSpec } from '../types.js';
import { HashMap } from '../../map.js';
import { fmtN, fmtNs, fresh, gc, keepAlive, makeKeys, now, round } from '../measure.js';
import { latencySeries, percentilesOf, plainFill, windowMax, windowMinMax } from './growth-common.js';

type IntMap = HashMap<number, number>;

/** The header fields the sampled loop reads. */
interface Header {
  oldbuckets: unknown;
  evacuated: number;
  readonly bytes: number;
  readonly buckets: { readonly bytes: number };
}

/**
 * Inserts keys[from..to) (value = index), timing each set() and recording after it: flags (bit 0: growing before
 * the op, bit 1: growing after it), old buckets evacuated in the current growth, bytes held, and of those the bytes
 * of the old array (h.bytes minus the current table's). Arrays are indexed by i - from. Refers only to its
 * parameters, for fresh().
 */
function sampledFill(
  m: { set(k: number, v: number): unknown },
  h: Header,
  keys: Int32Array,
  from: number,
  to: number,
  lat: Float64Array,
  flags: Uint8Array,
  evac: Int32Array,
  bytes: Float64Array,
  oldHeld: Float64Array,
  clock: () => number,
): void {
  for (let i = from; i < to; i++) {
    const k = keys[i]!;
    const before = h.oldbuckets !== null ? 1 : 0;
    const t0 = clock();
    m.set(k, i);
    const t1 = clock();
    const j = i - from;
    lat[j] = t1 - t0;
    flags[j] = before | (h.oldbuckets !== null ? 2 : 0);
    evac[j] = h.evacuated;
    const b = h.bytes;
    bytes[j] = b;
    oldHeld[j] = b - h.buckets.bytes;
  }
}

interface Trace {
  B0: number;
  /** Op index (into keys) of the first recorded op. */
  from: number;
  /** Op index of the op that starts the observed doubling (count = floor(6.5 * 2^B0) before it). */
  start: number;
  lat: Float64Array;
  flags: Uint8Array;
  evac: Int32Array;
  bytes: Float64Array;
  oldHeld: Float64Array;
  m: IntMap;
  oldRef: WeakRef<object>;
  oldTableBytes: number;
  arrayBuffersBefore: number;
}

function record(B0: number, keys: Int32Array, seed: number, fill: typeof plainFill, loop: typeof sampledFill): Trace {
  const m: IntMap = new HashMap({ key: 'int32', value: 'int32', seed });
  const h = m._h;
  const from = Math.floor(6.5 * 2 ** (B0 - 1));
  const start = Math.floor(6.5 * 2 ** B0);
  const to = start + 2 ** B0 + 2 ** Math.max(0, B0 - 2);
  if (to > keys.length) throw new Error(`growth-work: ${to} keys needed, ${keys.length} made`);
  const len = to - from;
  const t: Omit<Trace, 'oldRef' | 'oldTableBytes' | 'arrayBuffersBefore'> = {
    B0,
    from,
    start,
    lat: new Float64Array(len),
    flags: new Uint8Array(len),
    evac: new Int32Array(len),
    bytes: new Float64Array(len),
    oldHeld: new Float64Array(len),
    m,
  };
  fill(m, keys, 0, from);
  loop(m, h, keys, from, start, t.lat, t.flags, t.evac, t.bytes, t.oldHeld, now);
  if (h.B !== B0 || h.oldbuckets !== null) throw new Error(`growth-work: expected B=${B0} and no growth before op ${start}, got B=${h.B}`);
  // The table that the next insert turns into the old array.
  const oldRef = new WeakRef(h.buckets);
  const oldTableBytes = h.buckets.bytes;
  gc();
  const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
  const a = start - from;
  loop(m, h, keys, start, to, t.lat.subarray(a), t.flags.subarray(a), t.evac.subarray(a), t.bytes.subarray(a), t.oldHeld.subarray(a), now);
  return { ...t, oldRef, oldTableBytes, arrayBuffersBefore };
}

export const growthWork: Experiment = {
  name: 'growth-work',
  title: 'Growth work: what each write does during one doubling',
  claim:
    'During growth each write migrates a bounded amount of work (the article: "each write migrates only one bucket", avoiding stop-the-world); old and new bucket arrays coexist while the map grows, and the old one is released when the growth completes.',
  source:
    'shared/seeds/000_f55fb209d67fe6e8.txt ch. 1, 扩容过程详解 ("新旧 bucket 并存", "每次写操作(mapassign)只迁移一个 bucket,避免 STW"); Go src/runtime/map.go growWork',
  method:
    'An int32 -> int32 hmap (pinned seed) is filled with distinct random keys, untimed, to floor(6.5 * 2^(B0-1)) entries; from there every insert is timed (performance.now()) and followed by a read of the header: growing before/after the op, old buckets evacuated in the current growth (exact counter), bytes held (= stats().bytes). This covers the previous growth, the quiet stretch after it, the doubling from 2^B0 to 2^(B0+1) buckets (it starts at the insert that finds floor(6.5 * 2^B0) entries) and 2^(B0-2) inserts after it completes. Reported: writes from growth start to completion, old buckets evacuated per write (distribution, max, mean; Go\'s growWork does at most 2: the written bucket\'s old chain plus nevacuate), bytes before / peak / after, whether the old table is collected (WeakRef + full GC after the run) and process.memoryUsage().arrayBuffers before and after, and set() latency during the growth vs outside it (non-growing writes after the previous growth and after this one). Verdict: confirmed when (a) no write evacuates more than 2 old buckets, (b) the peak holds old and new arrays together (peak >= old table + new main array), and (c) after completion the map holds exactly the new table and the old table is garbage-collected; partly when some of (a)-(c) hold.',
  async run(ctx: LabContext) {
    const B0 = ctx.pick({ smoke: 8, default: 18, full: 20 });
    const seed = (ctx.seed * 2246822519) >>> 0;
    const need = Math.floor(6.5 * 2 ** B0) + 2 ** B0 + 2 ** Math.max(0, B0 - 2);
    const keys = makeKeys(need, ctx.seed ^ 0x27d4eb2f);
    const fill = fresh(plainFill);
    const loop = fresh(sampledFill);
    const total = 4;
    ctx.progress(0, total);

    // Warm-up on a smaller doubling, same loop copies.
    const warm = record(Math.min(B0, 12), keys, seed, fill, loop);
    keepAlive(warm.m);
    keepAlive(null);
    ctx.progress(1, total);

    gc();
    const t = record(B0, keys, seed, fill, loop);
    ctx.progress(2, total);
    const m = t.m;
    const h = m._h;
    const len = t.lat.length;
    const a = t.start - t.from; // index of the growth-start op in the arrays
    const bucketBytes = h.layout.bucketBytes;

    // ---- the growth, from the recorded flags ----
    if ((t.flags[a]! & 1) !== 0 || (t.flags[a]! & 2) === 0) throw new Error(`growth-work: op ${t.start} did not start the growth (flags ${t.flags[a]})`);
    let end = -1; // index of the op after which the map no longer grows
    for (let j = a; j < len; j++) {
      if ((t.flags[j]! & 2) === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) throw new Error('growth-work: the growth did not complete within 2^B0 writes');
    const growthOps = end - a + 1; // writes from the start op to the completing op, both included
    const oldBuckets = 2 ** B0;
    const newBuckets = 2 ** (B0 + 1);
    const evacuatedTotal = t.evac[end]!;
    const perWrite = [0, 0, 0, 0]; // writes that evacuated 0, 1, 2, more old buckets
    let maxPer = 0;
    for (let j = a; j <= end; j++) {
      const d = t.evac[j]! - (j === a ? 0 : t.evac[j - 1]!);
      perWrite[Math.min(3, d)]!++;
      if (d > maxPer) maxPer = d;
    }
    const meanPer = evacuatedTotal / growthOps;

    // ---- bytes ----
    const bytesBefore = t.bytes[a - 1]!;
    let peak = 0;
    let peakAt = a;
    for (let j = a; j <= end; j++) {
      if (t.bytes[j]! > peak) {
        peak = t.bytes[j]!;
        peakAt = j;
      }
    }
    const bytesAfter = t.bytes[end]!;
    const statsBytes = m.stats().bytes;
    const newMainBytes = newBuckets * bucketBytes;
    // While growing, the header holds the whole old table next to the new one: oldHeld is exactly the old table's
    // bytes on every write from the start to the one before completion; the completing write drops it.
    let heldAll = true;
    for (let j = a; j < end; j++) if (t.oldHeld[j] !== t.oldTableBytes || t.bytes[j]! - t.oldHeld[j]! < newMainBytes) heldAll = false;
    // Is the old array released? Let the WeakRef's keep-alive lapse (next turn), collect, look.
    await new Promise((r) => setTimeout(r, 0));
    gc();
    const oldCollected = t.oldRef.deref() === undefined;
    const arrayBuffersAfter = process.memoryUsage().arrayBuffers;
    ctx.progress(3, total);

    // ---- latency during vs outside the growth ----
    let prevEnd = -1; // the previous growth's completing op (non-growing stretch starts after it)
    for (let j = 0; j < a; j++) if ((t.flags[j]! & 1) !== 0 && (t.flags[j]! & 2) === 0) prevEnd = j;
    const outside = (j: number): boolean => ((j > prevEnd && j < a) || j > end) && t.flags[j] === 0;
    const during = percentilesOf(t.lat, a, end + 1);
    const duringRest = percentilesOf(t.lat, a + 1, end + 1);
    const out = percentilesOf(t.lat, 0, len, outside);
    const startOpNs = t.lat[a]! * 1e6;

    // ---- verdict ----
    const bounded = maxPer <= 2;
    const coexist = heldAll && peak >= t.oldTableBytes + newMainBytes;
    const dropped = t.oldHeld[end] === 0 && h.oldbuckets === null && statsBytes === h.bytes;
    const released = dropped && oldCollected;
    const held = [bounded, coexist, released].filter(Boolean).length;
    const verdict = held === 3 ? 'confirmed' : held === 0 ? 'refuted' : 'partly';
    const pct = (x: number): string => `${((100 * x) / growthOps).toFixed(1)}%`;
    const reason =
      `Rule: confirmed when (a) no write evacuates more than 2 old buckets, (b) every write of the growth leaves both arrays held (the whole old table next to the new one), (c) the completing write drops the old array (bytes held = the new table's) and a full GC collects it. ` +
      `Doubling 2^${B0} -> 2^${B0 + 1} buckets took ${fmtN(growthOps)} writes (start to completion) for ${fmtN(evacuatedTotal)} old buckets: ` +
      `(a) ${bounded ? 'holds' : 'fails'}: max ${maxPer} old buckets per write, mean ${meanPer.toFixed(2)}; ${pct(perWrite[2]!)} of writes moved 2, ${pct(perWrite[1]!)} moved 1, ${pct(perWrite[0]!)} moved none (their chain and nevacuate were already done). ` +
      `The article's "one bucket per write" is not what Go's growWork does and not what hmap (faithful to it) does: up to two per write (the written bucket's old chain, then nevacuate), so a growth ends in about 2^B0 / ${meanPer.toFixed(2)} writes. ` +
      `(b) ${coexist ? 'holds' : 'fails'}: bytes ${fmtN(bytesBefore)} before, peak ${fmtN(peak)} (old table ${fmtN(t.oldTableBytes)} + new ${fmtN(peak - t.oldTableBytes)}), the old table ${heldAll ? 'held on every write of the growth' : 'NOT held throughout'}; ` +
      `(c) ${released ? 'holds' : 'fails'}: ${fmtN(bytesAfter)} right after completion, ${dropped ? 'the new table alone (old array dropped by the header)' : 'NOT the new table alone'}; old table ${oldCollected ? 'collected' : 'NOT collected'} by a full GC after the run (WeakRef emptied). ` +
      `-> ${verdict}. Latency: writes during the growth p99 ${fmtNs(during.p99)}, max ${fmtNs(during.max)} (the start op, which allocates the new array: ${fmtNs(startOpNs)}); outside p99 ${fmtNs(out.p99)}, max ${fmtNs(out.max)}.`;

    const figures: Record<string, number | string> = {
      B0,
      old_buckets: oldBuckets,
      growth_writes: growthOps,
      evacuated_per_write_max: maxPer,
      evacuated_per_write_mean: round(meanPer, 4),
      writes_moving_2_pct: round((100 * perWrite[2]!) / growthOps),
      writes_moving_1_pct: round((100 * perWrite[1]!) / growthOps),
      writes_moving_0_pct: round((100 * perWrite[0]!) / growthOps),
      bytes_before: bytesBefore,
      bytes_peak: peak,
      bytes_after: bytesAfter,
      old_table_collected: oldCollected ? 'yes' : 'no',
      array_buffers_delta_bytes: arrayBuffersAfter - t.arrayBuffersBefore,
      during_p99_ns: during.p99,
      during_max_ns: during.max,
      start_op_ns: Math.round(startOpNs),
      during_excl_start_max_ns: duringRest.max,
      outside_p99_ns: out.p99,
      outside_max_ns: out.max,
    };
    const summary = `2^${B0}->2^${B0 + 1}: ${fmtN(growthOps)} writes, <= ${maxPer} (mean ${meanPer.toFixed(2)}) old buckets/write; bytes ${fmtN(bytesBefore)} -> peak ${fmtN(peak)} -> ${fmtN(bytesAfter)}, old ${oldCollected ? 'collected' : 'kept'}; p99 during ${fmtNs(during.p99)} vs outside ${fmtNs(out.p99)}`;

    // ---- checkpoints ----
    const cp = (label: string, j: number): Array<string | number> => {
      const g = (t.flags[j]! & 2) !== 0;
      return [label, j - a, g ? 'yes' : 'no', j < a ? '-' : t.evac[j]!, g ? oldBuckets : 0, j >= a ? newBuckets : oldBuckets, t.bytes[j]!, t.oldHeld[j]!, fmtNs(t.lat[j]! * 1e6)];
    };
    const q = (f: number): number => a + Math.floor(f * (growthOps - 1));
    const tables: TableSpec[] = [
      {
        title: `Header after selected writes (op index relative to the write that starts the doubling 2^${B0} -> 2^${B0 + 1})`,
        columns: ['moment', 'op', 'growing after', 'old buckets evacuated (this growth)', 'old buckets held', 'buckets of the current table', 'bytes held', 'of which the old array', 'that write took'],
        rows: [
          cp('last write before', a - 1),
          cp('growth start', a),
          cp('25% of the growth', q(0.25)),
          cp('50%', q(0.5)),
          cp('75%', q(0.75)),
          cp('bytes peak', peakAt),
          cp('completion', end),
          cp(`end of run (+${len - 1 - end})`, len - 1),
        ],
      },
      {
        title: 'Old buckets evacuated by each write during the growth (Go growWork: the written bucket\'s old chain, then nevacuate)',
        columns: ['old buckets moved by the write', 'writes', 'share'],
        rows: [0, 1, 2, 3].filter((d) => d < 3 || perWrite[3]! > 0).map((d) => [d === 3 ? '3 or more' : d, perWrite[d]!, pct(perWrite[d]!)]),
      },
      {
        title: 'Latency of a set() during the growth vs outside it',
        columns: ['writes', 'count', 'p50', 'p99', 'p99.9', 'max'],
        rows: [
          ['during growth (start to completion)', during.count, fmtNs(during.p50), fmtNs(during.p99), fmtNs(during.p999), fmtNs(during.max)],
          ['  of which the start op (allocates the new array)', 1, fmtNs(startOpNs), fmtNs(startOpNs), fmtNs(startOpNs), fmtNs(startOpNs)],
          ['  the others', duringRest.count, fmtNs(duringRest.p50), fmtNs(duringRest.p99), fmtNs(duringRest.p999), fmtNs(duringRest.max)],
          ['outside growth (not growing, B fixed)', out.count, fmtNs(out.p50), fmtNs(out.p99), fmtNs(out.p999), fmtNs(out.max)],
        ],
      },
    ];

    // ---- charts: a window around the growth, x relative to its start ----
    const pre = Math.min(a, Math.max(8, growthOps >> 3));
    const from = a - pre;
    const to = len;
    const xo = { from, to, x0: -pre };
    const line = (label: string, pts: Array<[number, number]>) => ({ label, points: pts });
    const charts: ChartSpec[] = [
      {
        title: `Old buckets evacuated vs writes, doubling 2^${B0} -> 2^${B0 + 1}`,
        type: 'line',
        x: { label: 'write index (0 = the write that starts the growth)' },
        y: { label: 'old buckets evacuated (of ' + fmtN(oldBuckets) + ')' },
        series: [
          { label: 'hmap (h.evacuated)', points: windowMax(t.evac, 2000, xo).map(([x, y]) => [x, x < 0 ? 0 : y]) },
          line('1 per write (the article)', [
            [0, 1],
            [oldBuckets - 1, oldBuckets],
          ]),
          line('2 per write (Go growWork bound)', [
            [0, 2],
            [oldBuckets / 2 - 1, oldBuckets],
          ]),
        ],
      },
      {
        title: `Bytes held (stats().bytes) vs writes, doubling 2^${B0} -> 2^${B0 + 1}`,
        type: 'line',
        x: { label: 'write index (0 = the write that starts the growth)' },
        y: { label: 'bytes held (MB)' },
        series: [
          { label: 'hmap bytes held', points: windowMinMax(t.bytes, 2000, { ...xo, scale: 1e-6 }) },
          { label: 'of which the old array', points: windowMinMax(t.oldHeld, 2000, { ...xo, scale: 1e-6 }) },
        ],
      },
      {
        title: 'Slowest set() per window around the growth (log y)',
        type: 'line',
        x: { label: 'write index (0 = the write that starts the growth)' },
        y: { label: 'max latency in window (us)', log: true },
        series: [latencySeries('hmap set()', t.lat, 2000, xo)],
      },
    ];
    keepAlive(m);
    ctx.progress(4, total);
    return {
      figures,
      summary,
      verdict,
      reason,
      params: { B0, oldBuckets, newBuckets, keys: need, recordedWrites: len, key: 'int32', value: 'int32' },
      tables,
      charts,
      notes: [
        'Evacuated counts come from the header\'s exact counter h.evacuated; bytes from h.bytes (the value stats().bytes reports; checked equal at the end), the old array\'s share as h.bytes minus the current table\'s bytes. Reading them after each write is outside the timed window.',
        'A write can move 0 old buckets when its own chain is already evacuated and nevacuate points at an evacuated bucket (the mark advances at most 1024 buckets per write). The work per old bucket is one chain: its main bucket plus any overflow buckets, so entries moved per write are bounded in expectation (about 6.5 per bucket), not absolutely.',
        `process.memoryUsage().arrayBuffers went ${fmtN(t.arrayBuffersBefore)} -> ${fmtN(arrayBuffersAfter)} bytes between a full GC just before the growth and one after the run (new table ${fmtN(h.buckets.bytes)} minus old ${fmtN(t.oldTableBytes)} = ${fmtN(h.buckets.bytes - t.oldTableBytes)}); the process figure also counts other buffers freed or allocated meanwhile, and V8 frees backing stores lazily, so it is a cross-check, not part of the verdict (the WeakRef is).`,
        'Latency figures come from one run on a shared 2-core machine; the start op\'s time includes allocating (and zeroing) the new ArrayBuffer and any garbage collection V8 runs in response.',
      ],
    };
  },
};
