// memory: bytes per entry of hmap for every numeric key kind (int32, uint32, float64, bigint64) with int32 and
// float64 values (and 'any' values for int32 keys), against native Map holding the same keys and values.
//
// For hmap three figures per entry: stats().bytes (the ArrayBuffers the map holds), the growth of
// process.memoryUsage().arrayBuffers (off-heap) and the growth of heapUsed (GC-scanned heap) across the build, both
// after a full gc(). For Map: the growth of heapUsed (its whole table is GC heap). The keys and values are created
// inside the measured build from one Int32Array of distinct random int32s, so a Map that holds boxed keys or values
// (HeapNumbers for doubles and for ints outside V8's 31-bit Smi range, BigInt objects) is charged for them.
//
// Two further measurements:
//   - a sweep: bytes per entry of int32 -> int32 while one hmap and one Map fill up to the largest N, at
//     log-spaced sizes: both move in a sawtooth with their doublings, so a single N is not "the" figure;
//   - Go's row: a float64 -> float64 hmap (8-byte keys and values, as in the table in Go's runtime/map.go header)
//     filled to the largest count before a doubling (13 * 2^(B-1), load 6.5): overhead bytes per entry (bytes per
//     entry minus the 16 payload bytes), share of buckets with an overflow bucket, hitprobe and missprobe, against
//     Go's 10.79 bytes, 20.90 %, 4.25 and 6.5.

import type { ChartSpec, Experiment, LabContext, Series, TableSpec, Verdict } from '../types.js';
import { HashMap } from '../../map.js';
import { census } from '../../table/census.js';
import { finishGrowth, fmtN, fresh, gc, keepAlive, makeKeys, round } from '../measure.js';
import { ANCHOR_NOTE, logSpaced, settledMemory } from './cost-vs-size.js';

type KeyKind = 'int32' | 'uint32' | 'float64' | 'bigint64';
type ValueKind = 'int32' | 'float64' | 'any';

interface Setter {
  set(k: unknown, v: unknown): unknown;
}

/** A key of the kind made from a distinct int32 (distinct inputs give distinct keys for every kind). */
export const keyMakers: Record<KeyKind, (x: number) => number | bigint> = {
  int32: (x) => x,
  uint32: (x) => x >>> 0,
  // Non-integer doubles: a Map boxes every one of them (HeapNumber).
  float64: (x) => x + 0.5,
  // 62-bit magnitudes, well inside int64.
  bigint64: (x) => BigInt(x) << 31n,
};

export const valueMakers: Record<ValueKind, (i: number) => unknown> = {
  int32: (i) => i,
  float64: (i) => i + 0.5,
  any: (i) => i,
};

/** Inserts mk(base[i]) -> mv(i) for every i; keys and values are created here, inside the measured build. */
function buildLoop(m: Setter, base: Int32Array, mk: (x: number) => unknown, mv: (i: number) => unknown): void {
  for (let i = 0; i < base.length; i++) m.set(mk(base[i]!), mv(i));
}

/** Go's table (runtime/map.go header, 64-bit, 8-byte keys and elems) at loadFactor 6.50. */
export const goRow = { overheadBytes: 10.79, overflowPct: 20.9, hitprobe: 4.25, missprobe: 6.5 } as const;

/**
 * The largest count a map of 2^B buckets holds before its next doubling at load factor `lf`: Go grows when
 * count + 1 > lf * 2^B (overLoadFactor), so floor(lf * 2^B).
 */
export function maxCountBeforeGrowth(B: number, lf = 6.5): number {
  return Math.floor(lf * 2 ** B);
}

/** Payload bytes of one entry (key + value as stored in the bucket; 0 for 'any', whose values live on the heap). */
export function payloadBytes(key: KeyKind, value: ValueKind): number {
  const kb = key === 'int32' || key === 'uint32' ? 4 : 8;
  const vb = value === 'int32' ? 4 : value === 'float64' ? 8 : 0;
  return kb + vb;
}

/**
 * Bucket bytes of Go's packed layout (8 tophash bytes, 8 keys, 8 values; hmap adds no overflow word) and of an
 * interleaved key/value layout where each value is aligned to its own size, as a C struct would be (the padding
 * Go's bmap comment says packing avoids).
 */
export function bucketBytes(keyBytes: number, valueBytes: number): { packed: number; interleaved: number } {
  const packed = 8 + 8 * keyBytes + 8 * valueBytes;
  const align = Math.max(keyBytes, valueBytes, 1);
  const pair = Math.ceil((keyBytes + valueBytes) / align) * align;
  // The first pair must start aligned after the 8 tophash bytes (8 is a multiple of every alignment here).
  return { packed, interleaved: 8 + 8 * pair };
}

interface Config {
  id: string;
  key: KeyKind;
  value: ValueKind;
  label: string;
}

interface HmapRow {
  stats: number;
  buffers: number;
  heap: number;
}

interface Row {
  n: number;
  cfg: Config;
  hmap: HmapRow;
  /** Map's GC heap growth per entry (NaN for 'any': same as int32 values). */
  map: number;
  mapBuffers: number;
}

const b2 = (x: number): number => round(x, 3);
/** "About a third" of Map's bytes (README: 16 vs 47 = 0.34): a ratio up to 1/3 plus 25%. */
const thirdBound = (1 / 3) * 1.25;
const fmtB = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');

export const memory: Experiment = {
  name: 'memory',
  title: 'Memory: bytes per entry of the packed bucket layout, off the GC heap, against Map',
  claim:
    "Go's buckets pack 8 keys together and then 8 values together, which needs no padding and keeps the overhead at the maximum load of 6.5 at 10.79 bytes per entry for 8-byte keys and values; hmap keeps this layout in ArrayBuffers off the GC heap and so holds an int32 -> int32 entry in about 16 bytes, a third of Map's ~47 bytes of GC-scanned heap.",
  source:
    'Go src/runtime/map.go (bmap comment: "packing all the keys together and then all the elems together ... allows us to eliminate padding"; header table: 10.79 bytes/entry at loadFactor 6.5); README.md (Why; Performance: 15.9 vs 47.0 bytes per entry at 1e7); shared/seeds/001_d59ee136c37f06e1.txt ch. 1 ("bucket 大小固定为 128 字节", memory amplification table) — 001 gives no byte figure for the packing itself',
  method:
    "For N = 1e4, 1e5, 1e6 (full: also 1e7) distinct random int32s turned into keys of each kind (int32; uint32 = x >>> 0; float64 = x + 0.5; bigint64 = BigInt(x) << 31n) with values i (int32), i + 0.5 (float64) or i ('any', int32 keys only), created inside the measured build: hmap's stats().bytes / N, and its arrayBuffers and heapUsed growth after gc() (off-heap vs GC-scanned); Map's heapUsed growth after gc() on the same keys and values. Plus a sweep of int32 -> int32 bytes per entry over log-spaced N while one hmap and one Map fill, and Go's table row reproduced: a float64 -> float64 hmap at its maximum load (13 * 2^(B-1) entries) against Go's 10.79 overhead bytes per entry. Verdict: confirmed when (a) hmap's overhead at maximum load is <= Go's 10.79 bytes, (b) hmap int32 -> int32 uses about a third of Map's bytes (ratio <= 1/3 + 25%) on average over a growth cycle (geometric mean over the sweep), and (c) hmap's GC-heap growth is <= 1 byte per entry for numeric values at the largest N; partly when one or two hold; refuted when none.",
  run(ctx: LabContext) {
    const sizes = ctx.pick({ smoke: [2_000, 10_000], default: [10_000, 100_000, 1_000_000], full: [10_000, 100_000, 1_000_000, 10_000_000] });
    const maxLoadB = ctx.pick({ smoke: 9, default: 16, full: 20 });
    const sweepPerDecade = ctx.pick({ smoke: 4, default: 8, full: 8 });
    const seed = (ctx.seed * 2654435761) >>> 0;
    const nMax = sizes[sizes.length - 1]!;
    const base = makeKeys(nMax, ctx.seed ^ 0x68e31da4);

    const configs: Config[] = [];
    for (const key of ['int32', 'uint32', 'float64', 'bigint64'] as const) {
      for (const value of ['int32', 'float64'] as const) configs.push({ id: `${key}_${value}`, key, value, label: `${key} -> ${value}` });
    }
    configs.push({ id: 'int32_any', key: 'int32', value: 'any', label: 'int32 -> any' });
    const loops = new Map(configs.map((c) => [c.id, { hmap: fresh(buildLoop), map: fresh(buildLoop) }]));
    const makeH = (c: Config): Setter => new HashMap({ key: c.key, value: c.value, seed }) as unknown as Setter;

    const sweepPoints = logSpaced(Math.min(1_000, nMax), nMax, sweepPerDecade);
    const total = configs.length + sizes.length * configs.length + sweepPoints.length + 1;
    let done = 0;

    // Anchors (see ANCHOR_NOTE): one small warmed-up hmap per configuration, alive to the end. Also warms the loops.
    const anchors: unknown[] = [];
    const warm = base.subarray(0, Math.min(nMax, 5_000));
    for (const c of configs) {
      const m = makeH(c);
      loops.get(c.id)!.hmap(m, warm, keyMakers[c.key], valueMakers[c.value]);
      anchors.push(m);
      if (c.value !== 'any') loops.get(c.id)!.map(new Map(), warm, keyMakers[c.key], valueMakers[c.value]);
      ctx.progress(++done, total);
    }

    // ---- bytes per entry at each N ----
    const rows: Row[] = [];
    for (const n of sizes) {
      const keys = base.subarray(0, n);
      for (const c of configs) {
        const L = loops.get(c.id)!;
        let before = settledMemory();
        let hm: Setter | null = makeH(c);
        L.hmap(hm, keys, keyMakers[c.key], valueMakers[c.value]);
        let after = settledMemory();
        const st = (hm as unknown as HashMap<number, number>).stats();
        if (st.count !== n) throw new Error(`memory: hmap ${c.label} holds ${st.count} entries, expected ${n}`);
        const hrow: HmapRow = { stats: st.bytes / n, buffers: (after.buffers - before.buffers) / n, heap: (after.heap - before.heap) / n };
        keepAlive(hm);
        hm = null;
        keepAlive(null);
        let map = NaN;
        let mapBuffers = NaN;
        if (c.value !== 'any') {
          before = settledMemory();
          let mm: Map<unknown, unknown> | null = new Map();
          L.map(mm, keys, keyMakers[c.key], valueMakers[c.value]);
          after = settledMemory();
          if (mm.size !== n) throw new Error(`memory: Map ${c.label} holds ${mm.size} entries, expected ${n}`);
          map = (after.heap - before.heap) / n;
          mapBuffers = (after.buffers - before.buffers) / n;
          keepAlive(mm);
          mm = null;
          keepAlive(null);
        }
        rows.push({ n, cfg: c, hmap: hrow, map, mapBuffers });
        ctx.progress(++done, total);
      }
    }

    // ---- sweep: int32 -> int32 while one hmap and one Map fill ----
    const sweepH: Array<[number, number]> = [];
    const sweepM: Array<[number, number]> = [];
    {
      const c = configs[0]!;
      const L = { hmap: fresh(buildLoop), map: fresh(buildLoop) };
      const before = settledMemory();
      const hm = makeH(c) as unknown as HashMap<number, number>;
      const mm = new Map<unknown, unknown>();
      let from = 0;
      for (const p of sweepPoints) {
        // Keys from..p-1 (values = their index, as in buildLoop: the loop's i is local to the slice, so offset).
        const slice = base.subarray(from, p);
        const off = from;
        L.hmap(hm as unknown as Setter, slice, keyMakers.int32, (i) => i + off);
        L.map(mm, slice, keyMakers.int32, (i) => i + off);
        from = p;
        sweepH.push([p, b2(hm.stats().bytes / p)]);
        const now = settledMemory();
        // The map's share of heap growth: hmap's own GC-heap part is a few hundred bytes (measured above).
        sweepM.push([p, b2((now.heap - before.heap) / p)]);
        ctx.progress(++done, total);
      }
      keepAlive([hm, mm]);
      keepAlive(null);
    }

    // ---- Go's row: float64 -> float64 at the maximum load ----
    const goN = maxCountBeforeGrowth(maxLoadB);
    const goKeys = makeKeys(goN, ctx.seed ^ 0x2f1c6a9d, nMax);
    const gm = new HashMap({ key: 'float64', value: 'float64', seed });
    fresh(buildLoop)(gm as unknown as Setter, goKeys, keyMakers.float64, valueMakers.float64);
    finishGrowth(gm as unknown as Parameters<typeof finishGrowth>[0]);
    const gst = gm.stats();
    if (gst.B !== maxLoadB || gst.growing || gst.count !== goN) throw new Error(`memory: the max-load map has B=${gst.B}, count ${gst.count}, growing ${gst.growing}; expected B=${maxLoadB}, ${goN}`);
    const gc1 = census(gm._h);
    const goMeasured = {
      overheadBytes: gst.bytes / goN - 16,
      overflowPct: 100 * gc1.overflowShare,
      hitprobe: gc1.hitProbe,
      missprobe: gc1.missProbe,
    };
    keepAlive(gm);
    keepAlive(null);
    ctx.progress(++done, total);
    keepAlive(anchors);
    keepAlive(null);
    gc();

    // ---- verdict ----
    const last = sizes[sizes.length - 1]!;
    const at = (n: number, id: string): Row => rows.find((r) => r.n === n && r.cfg.id === id)!;
    const i32 = sizes.map((n) => at(n, 'int32_int32'));
    const ratios = i32.map((r) => r.hmap.stats / r.map);
    const maxRatio = Math.max(...ratios);
    const aHolds = goMeasured.overheadBytes <= goRow.overheadBytes;
    // (b) over a whole growth cycle: the geometric mean, over the sweep's log-spaced N >= 1e4 (or all of them in
    // smoke mode), of hmap's bytes per entry over Map's. A single N can land on hmap's worst point (just after a
    // doubling, or with both arrays held while it grows) and on Map's best, or the other way round.
    // (Points where Map's heap growth is not positive are heap-accounting noise at tiny N: left out.)
    const sweepRatios = sweepH.flatMap(([n, y], i) => (sweepM[i]![1] > 0 ? [[n, y / sweepM[i]![1]] as [number, number]] : []));
    let cycle = sweepRatios.filter(([n]) => n >= Math.min(10_000, nMax / 10));
    if (cycle.length === 0) cycle = sweepRatios;
    const meanRatio = cycle.length === 0 ? NaN : Math.exp(cycle.reduce((a, [, r]) => a + Math.log(r), 0) / cycle.length);
    const bHolds = meanRatio <= thirdBound;
    const numericLast = rows.filter((r) => r.n === last && r.cfg.value !== 'any');
    const maxHeap = Math.max(...numericLast.map((r) => r.hmap.heap));
    const cHolds = maxHeap <= 1;
    const held = [aHolds, bHolds, cHolds].filter(Boolean).length;
    const verdict: Verdict = held === 3 ? 'confirmed' : held === 0 ? 'refuted' : 'partly';

    const hSweep = sweepH.filter(([n]) => n >= 10_000).map(([, y]) => y);
    const mSweep = sweepM.filter(([n]) => n >= 10_000).map(([, y]) => y);
    const range = (xs: number[]): string => (xs.length === 0 ? 'n/a' : `${fmtB(Math.min(...xs))}-${fmtB(Math.max(...xs))}`);
    const lastI = at(last, 'int32_int32');
    const bigI = at(last, 'bigint64_int32');
    const fI = at(last, 'float64_float64');
    const anyI = at(last, 'int32_any');
    const layoutF = bucketBytes(4, 8);
    const reason =
      `Rule: confirmed when (a) hmap's overhead at the maximum load is <= Go's ${goRow.overheadBytes} bytes per entry, (b) hmap int32 -> int32 (stats().bytes) is about a third of Map's heap bytes, i.e. <= ${thirdBound.toFixed(3)}x (1/3 + 25%), on average over a growth cycle (geometric mean of the ratio over the sweep's log-spaced N), and (c) hmap's GC-heap growth is <= 1 byte per entry for every numeric value kind at the largest N; partly when one or two hold; refuted when none. ` +
      `(a) float64 -> float64 at 2^${maxLoadB} buckets and ${fmtN(goN)} entries (load 6.5): ${fmtB(goMeasured.overheadBytes + 16)} bytes per entry, ${goMeasured.overheadBytes.toFixed(2)} overhead vs Go's ${goRow.overheadBytes} (${goMeasured.overflowPct.toFixed(1)}% of buckets with overflow vs Go's ${goRow.overflowPct}%; hitprobe ${goMeasured.hitprobe.toFixed(2)} vs ${goRow.hitprobe}, missprobe ${goMeasured.missprobe.toFixed(2)} vs ${goRow.missprobe}): ${aHolds ? 'holds' : 'fails'}. ` +
      `(b) int32 -> int32 hmap / Map over the sweep (${cycle.length} points from ${cycle.length > 0 ? fmtN(cycle[0]![0]) : '-'} to ${fmtN(nMax)}): geometric mean ${meanRatio.toFixed(2)}x (from ${Math.min(...cycle.map(([, r]) => r)).toFixed(2)}x to ${Math.max(...cycle.map(([, r]) => r)).toFixed(2)}x): ${bHolds ? 'holds' : 'fails'}; at the table's sizes ${i32.map((r) => `${fmtN(r.n)}: ${fmtB(r.hmap.stats)} vs ${fmtB(r.map)} (${ratios[i32.indexOf(r)]!.toFixed(2)}x)`).join(', ')}. ` +
      `(c) hmap GC-heap growth at ${fmtN(last)}: at most ${maxHeap.toFixed(2)} bytes per entry over the numeric configurations (off-heap arrayBuffers growth ${fmtB(lastI.hmap.buffers)} for int32 -> int32; the 'any' values' side arrays add ${fmtB(anyI.hmap.heap)} of GC heap): ${cHolds ? 'holds' : 'fails'}. ` +
      `README's figures (16 vs 47 at 1e7): here int32 -> int32 measured ${fmtB(lastI.hmap.stats)} vs ${fmtB(lastI.map)} at ${fmtN(last)}; while filling up to ${fmtN(nMax)} (sweep, N >= 1e4) hmap ranged ${range(hSweep)} and Map ${range(mSweep)} bytes per entry, both sawtooth with their doublings. ` +
      `Packing: an int32 -> float64 bucket is ${layoutF.packed} bytes packed vs ${layoutF.interleaved} interleaved with aligned values. Heaviest Map case: bigint64 keys at ${fmtB(bigI.map)} bytes per entry (hmap ${fmtB(bigI.hmap.stats)}); float64 -> float64 Map ${fmtB(fI.map)} vs hmap ${fmtB(fI.hmap.stats)} -> ${verdict}.`;

    const fin = (x: number): number | string => (Number.isFinite(x) ? b2(x) : 'n/a');
    const figures: Record<string, number | string> = {
      n_max: last,
      hmap_int32_int32_bytes_per_entry: fin(lastI.hmap.stats),
      map_int32_int32_bytes_per_entry: fin(lastI.map),
      hmap_over_map_int32_int32: fin(lastI.hmap.stats / lastI.map),
      hmap_over_map_int32_int32_cycle_mean: fin(meanRatio),
      hmap_over_map_int32_int32_max: fin(maxRatio),
      hmap_max_gc_heap_bytes_per_entry: fin(maxHeap),
      hmap_bigint64_int32_bytes_per_entry: fin(bigI.hmap.stats),
      map_bigint64_int32_bytes_per_entry: fin(bigI.map),
      hmap_max_load_overhead_bytes: fin(goMeasured.overheadBytes),
      go_max_load_overhead_bytes: goRow.overheadBytes,
      hmap_max_load_overflow_pct: fin(goMeasured.overflowPct),
    };
    const summary =
      `int32->int32 at ${fmtN(last)}: hmap ${fmtB(lastI.hmap.stats)} B/entry vs Map ${fmtB(lastI.map)} (${(lastI.hmap.stats / lastI.map).toFixed(2)}x); ` +
      `max-load overhead ${goMeasured.overheadBytes.toFixed(2)} B vs Go's ${goRow.overheadBytes}; hmap GC heap <= ${maxHeap.toFixed(2)} B/entry`;

    const tables: TableSpec[] = [
      {
        title: 'Bytes per entry: hmap (stats().bytes; arrayBuffers and heapUsed growth after gc) against Map (heapUsed growth after gc), same keys and values',
        columns: ['N', 'key -> value', 'payload bytes', 'hmap stats().bytes', 'hmap off-heap (arrayBuffers)', 'hmap GC heap', 'Map GC heap', 'hmap (stats + GC heap) / Map'],
        rows: rows.map((r) => [
          fmtN(r.n),
          r.cfg.label,
          payloadBytes(r.cfg.key, r.cfg.value),
          fmtB(r.hmap.stats),
          fmtB(r.hmap.buffers),
          fmtB(r.hmap.heap),
          r.cfg.value === 'any' ? '(as int32 values)' : fmtB(r.map),
          r.cfg.value === 'any' ? round((r.hmap.stats + r.hmap.heap) / at(r.n, 'int32_int32').map) : round((r.hmap.stats + Math.max(0, r.hmap.heap)) / r.map),
        ]),
      },
      {
        title: `Go's table row (runtime/map.go header, 8-byte keys and elems, load 6.5) against hmap float64 -> float64 with ${fmtN(goN)} entries in 2^${maxLoadB} buckets (the largest count before its next doubling)`,
        columns: ['', 'overhead bytes per entry', '% buckets with overflow', 'hitprobe', 'missprobe'],
        rows: [
          ['Go (map.go header)', goRow.overheadBytes, goRow.overflowPct, goRow.hitprobe, goRow.missprobe],
          ['hmap (measured)', b2(goMeasured.overheadBytes), b2(goMeasured.overflowPct), b2(goMeasured.hitprobe), b2(goMeasured.missprobe)],
        ],
      },
      {
        title: 'Bucket bytes: packed (keys together, values together; hmap) vs interleaved key/value pairs with aligned values',
        columns: ['key -> value', 'packed bucket bytes', 'interleaved bucket bytes', 'padding saved per bucket'],
        rows: (
          [
            ['int32 -> int32', 4, 4],
            ['int32 -> float64', 4, 8],
            ['float64 -> int32', 8, 4],
            ['float64 -> float64', 8, 8],
          ] as const
        ).map(([l, k, v]) => {
          const b = bucketBytes(k, v);
          return [l, b.packed, b.interleaved, b.interleaved - b.packed];
        }),
      },
    ];

    const perKind = (value: ValueKind): Series[] => {
      const out: Series[] = [];
      for (const c of configs.filter((x) => x.value === value)) {
        out.push({ label: `hmap ${c.label}`, points: sizes.map((n) => [n, b2(at(n, c.id).hmap.stats)] as [number, number]) });
        out.push({ label: `Map ${c.label}`, points: sizes.map((n) => [n, b2(at(n, c.id).map)] as [number, number]) });
      }
      return out;
    };
    const lastRows = rows.filter((r) => r.n === last);
    const charts: ChartSpec[] = [
      {
        title: 'Bytes per entry vs N, int32 values (hmap: stats().bytes; Map: GC heap growth)',
        type: 'line',
        x: { label: 'entries N', log: true },
        y: { label: 'bytes per entry' },
        series: [
          ...perKind('int32'),
          { label: 'hmap int32 -> any (buckets + side arrays on the GC heap)', points: sizes.map((n) => [n, b2(at(n, 'int32_any').hmap.stats + at(n, 'int32_any').hmap.heap)] as [number, number]) },
        ],
      },
      {
        title: 'Bytes per entry vs N, float64 values',
        type: 'line',
        x: { label: 'entries N', log: true },
        y: { label: 'bytes per entry' },
        series: perKind('float64'),
      },
      {
        title: `int32 -> int32 bytes per entry while one map fills to ${fmtN(nMax)} (sawtooth: doublings)`,
        type: 'line',
        x: { label: 'entries N', log: true },
        y: { label: 'bytes per entry' },
        series: [
          { label: 'hmap (stats().bytes; both arrays while growing)', points: sweepH },
          { label: 'Map (GC heap growth)', points: sweepM },
        ],
      },
      {
        title: 'int32 -> int32: hmap bytes per entry / Map bytes per entry over the same fill (0.33 = "a third")',
        type: 'line',
        x: { label: 'entries N', log: true },
        y: { label: 'hmap / Map' },
        series: [{ label: 'hmap / Map', points: sweepRatios.map(([n, r]) => [n, b2(r)] as [number, number]) }],
      },
      {
        title: `Where the bytes are at ${fmtN(last)}: off-heap vs GC-scanned heap, per entry`,
        type: 'bar',
        x: { label: 'key -> value', categories: lastRows.map((r) => r.cfg.label) },
        y: { label: 'bytes per entry' },
        series: [
          { label: 'hmap off-heap (arrayBuffers growth)', points: lastRows.map((r, i) => [i, b2(r.hmap.buffers)] as [number, number]) },
          { label: 'hmap GC heap', points: lastRows.map((r, i) => [i, b2(r.hmap.heap)] as [number, number]) },
          { label: 'Map GC heap', points: lastRows.map((r, i) => [i, r.cfg.value === 'any' ? b2(at(last, 'int32_int32').map) : b2(r.map)] as [number, number]) },
        ],
      },
    ];

    const notes = [
      'Bytes per entry depend on where N falls in the growth cycle (load between 3.25 and 6.5 for hmap; Map doubles too): see the sweep chart; the README figures are for 1e7.',
      "arrayBuffers growth can exceed stats().bytes: a doubled-away bucket array may still be counted right after gc() (V8 frees ArrayBuffer backing stores on its own schedule); stats().bytes is what the map holds.",
      "heapUsed deltas carry noise of tens of KB (code compiled, feedback vectors): at 1e4 that is a few bytes per entry, hence the GC-heap rule is checked at the largest N only. Negative values are that noise.",
      "Map stores int32 keys outside V8's Smi range (|x| >= 2^30, half of random int32s), all non-integer float64 keys and values, and every bigint as separate heap objects; hmap stores their bits in the bucket.",
      "'any' values live in JS side arrays (one per 2^10-bucket segment) on the GC heap; stats().bytes counts only the buckets then.",
      'The 001 article puts a bucket at a fixed 128 bytes that "fits an L1 cache line": Go\'s bucket for 8-byte keys and elems is 144 bytes (8 + 64 + 64 + 8), a cache line is 64 bytes, and hmap\'s int32 -> int32 bucket is 72 bytes; the article gives no figure for the packing itself.',
      ANCHOR_NOTE,
    ];
    return {
      figures,
      summary,
      verdict,
      reason,
      params: { sizes, configs: configs.map((c) => c.label), maxLoadB, maxLoadEntries: goN, sweepPoints: sweepPoints.length },
      tables,
      charts,
      notes,
    };
  },
};
