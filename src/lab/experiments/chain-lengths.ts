// chain-lengths: entries per bucket chain against the Poisson model of 001 §2.2, just before growth (load 6.5)
// and just after a doubling (load ~3.25), with the probe counts the model predicts (Go's hitprobe (lambda+2)/2,
// missprobe lambda). The statistics helpers are exported for the unit tests (test/lab-census.test.ts).

import type { ChartSpec, Experiment, LabContext, TableSpec } from '../types.js';
import { HashMap } from '../../map.js';
import { Census, census, packedChain } from '../../table/census.js';
import { finishGrowth, makeKeys, round } from '../measure.js';

/** Poisson(lambda) probabilities for k = 0..kmax. */
export function poissonPmf(lambda: number, kmax: number): number[] {
  const p: number[] = [];
  let x = Math.exp(-lambda);
  for (let k = 0; k <= kmax; k++) {
    p.push(x);
    x *= lambda / (k + 1);
  }
  return p;
}

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(s, x) (series below s + 1, continued fraction above; Numerical Recipes). */
export function gammaQ(s: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = -x + s * Math.log(x) - lnGamma(s);
  if (x < s + 1) {
    let sum = 1 / s;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (s + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPre));
  }
  const tiny = 1e-300;
  let b = x + 1 - s;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(lnPre) * h;
}

export interface ChiSquare {
  chi2: number;
  df: number;
  pValue: number;
  bins: number;
}

/**
 * Pearson's chi-square of observed counts (index = entries per chain) against probabilities p over m chains.
 * Neighbouring values are merged from the low end until each bin expects at least 5; the last bin takes the whole
 * upper tail (1 - sum of p below it). df = bins - 1 - fittedParams.
 */
export function chiSquare(observed: readonly number[], p: readonly number[], m: number, fittedParams = 1): ChiSquare {
  const kmax = Math.max(observed.length, p.length);
  const binsObs: number[] = [];
  const binsExp: number[] = [];
  let o = 0;
  let e = 0;
  let below = 0;
  for (let k = 0; k < kmax; k++) {
    o += observed[k] ?? 0;
    const pk = p[k] ?? 0;
    e += pk * m;
    below += pk;
    if (e >= 5 && (1 - below) * m >= 5) {
      binsObs.push(o);
      binsExp.push(e);
      o = 0;
      e = 0;
    }
  }
  // The rest, with the tail beyond the last value: the final bin.
  binsObs.push(o);
  binsExp.push(e + Math.max(0, 1 - below) * m);
  let chi2 = 0;
  for (let i = 0; i < binsObs.length; i++) chi2 += (binsObs[i]! - binsExp[i]!) ** 2 / binsExp[i]!;
  const df = binsObs.length - 1 - fittedParams;
  return { chi2, df, pValue: df > 0 ? gammaQ(df / 2, chi2 / 2) : NaN, bins: binsObs.length };
}

/** Total-variation distance between observed shares and p (the tail beyond both counted once). */
export function totalVariation(observed: readonly number[], p: readonly number[], m: number): number {
  const kmax = Math.max(observed.length, p.length);
  let s = 0;
  let pSum = 0;
  for (let k = 0; k < kmax; k++) {
    const pk = p[k] ?? 0;
    pSum += pk;
    s += Math.abs((observed[k] ?? 0) / m - pk);
  }
  return 0.5 * (s + Math.max(0, 1 - pSum));
}

interface StateResult {
  name: string;
  c: Census;
  lambda: number;
  pmf: number[];
  tv: number;
  chi: ChiSquare;
  obsOver8: number;
  predOver8: number;
  obsOver15: number;
  predOver15: number;
  predHitProbe: number;
  predMissProbe: number;
  predHitSlots: number;
  predMissSlots: number;
  predOverflowShare: number;
}

function analyse(name: string, c: Census): StateResult {
  const m = c.buckets;
  const lambda = c.count / m;
  const kmax = Math.max(c.maxEntries, Math.ceil(lambda + 12 * Math.sqrt(lambda) + 10));
  const pmf = poissonPmf(lambda, kmax);
  const obsOver = (t: number): number => {
    let s = 0;
    for (let e = t + 1; e < c.histogram.length; e++) s += c.histogram[e]!;
    return s / m;
  };
  const predOver = (t: number): number => {
    let s = 0;
    for (let e = 0; e <= t; e++) s += pmf[e]!;
    return Math.max(0, 1 - s);
  };
  let hitSlots = 0;
  let missSlots = 0;
  for (let e = 0; e <= kmax; e++) {
    const pc = packedChain(e);
    hitSlots += pmf[e]! * pc.hitSlots;
    missSlots += pmf[e]! * pc.missSlots;
  }
  return {
    name,
    c,
    lambda,
    pmf,
    tv: totalVariation(c.histogram, pmf, m),
    chi: chiSquare(c.histogram, pmf, m, 1),
    obsOver8: obsOver(8),
    predOver8: predOver(8),
    obsOver15: obsOver(15),
    predOver15: predOver(15),
    predHitProbe: (lambda + 2) / 2,
    predMissProbe: lambda,
    predHitSlots: hitSlots / lambda,
    predMissSlots: missSlots,
    predOverflowShare: predOver(8),
  };
}

const pct = (x: number, d = 3): string => `${(x * 100).toFixed(d)}%`;

export const chainLengths: Experiment = {
  name: 'chain-lengths',
  title: 'Chain lengths: Poisson, tails and probes',
  claim:
    'Entries per bucket chain follow a Poisson distribution with mean lambda = load factor; at lambda = 6.5, 99.9% of chains hold at most 15 entries. Hence a present key takes (lambda+2)/2 entry checks and an absent one lambda (Go\'s hitprobe/missprobe).',
  source:
    'shared/seeds/001_d59ee136c37f06e1.txt §2.2 (Poisson, mean chain length, 99.9% <= 15), §1 and §3.2 (bounded lookup, at most 8 overflow buckets per chain); Go src/runtime/map.go header comment (hitprobe, missprobe)',
  method:
    'One int32 -> int32 map (loadFactor 6.5, pinned seed) filled from empty with distinct pseudo-random keys: read at floor(6.5 * 2^(B-1)) + 1 entries, just after its doubling to 2^B buckets (growth finished first, load ~3.25), then at floor(6.5 * 2^B), just before the next doubling (load 6.5). A read-only census of every chain gives the histogram of entries per chain, which is compared with Poisson(count/buckets): total-variation distance, Pearson chi-square (bins merged to >= 5 expected, df = bins - 2), shares of chains over 8 and over 15 entries, and the mean probes against (lambda+2)/2 and lambda. Verdict: confirmed if both states fit (chi-square p >= 0.001), hit probes are within 2% of (lambda+2)/2, and at lambda = 6.5 at least 99.85% of chains hold <= 15 entries (rounds to the article\'s 99.9%); refuted if neither state fits; partly otherwise.',
  run(ctx: LabContext) {
    const B = ctx.pick({ smoke: 10, default: 20, full: 21 });
    const seed = Math.imul(ctx.seed, 0x85ebca77) >>> 0;
    const nBefore = Math.floor(6.5 * 2 ** B);
    const nAfter = Math.floor(6.5 * 2 ** (B - 1)) + 1;
    const keys = makeKeys(nBefore, ctx.seed ^ 0x5bd1e995);
    const m = new HashMap({ key: 'int32', value: 'int32', seed });
    const total = nBefore + 2 * (nBefore >> 4);
    let i = 0;
    const fillTo = (n: number): void => {
      for (; i < n; i++) {
        m.set(keys[i]!, i);
        if ((i & 0xffff) === 0) ctx.progress(i, total);
      }
    };
    fillTo(nAfter);
    if (m._h.B !== B || m._h.oldbuckets === null) throw new Error(`chain-lengths: expected a doubling to 2^${B} at ${nAfter} entries`);
    finishGrowth(m);
    const after = analyse('just after doubling', census(m._h));
    ctx.progress(nAfter + (nBefore >> 4), total);
    fillTo(nBefore);
    if (m._h.B !== B || m._h.oldbuckets !== null) throw new Error(`chain-lengths: expected 2^${B} buckets, not growing, at ${nBefore} entries`);
    const before = analyse('just before growth', census(m._h));
    ctx.progress(total, total);
    const states = [before, after];

    // ---- verdict ----
    const fits = states.map((s) => s.chi.pValue >= 0.001);
    const probesOk = states.map((s) => Math.abs(s.c.hitProbe / s.predHitProbe - 1) <= 0.02);
    const within15 = 1 - before.obsOver15;
    const tailOk = within15 >= 0.9985;
    const nFit = fits.filter(Boolean).length;
    const verdict = nFit === 2 && probesOk.every(Boolean) && tailOk ? 'confirmed' : nFit === 0 ? 'refuted' : 'partly';
    const maxOverflow = Math.max(...states.map((s) => s.c.maxChainBuckets - 1));
    const reason =
      states
        .map(
          (s, j) =>
            `${s.name} (lambda ${s.lambda.toFixed(3)}, ${s.c.buckets} chains): chi-square ${s.chi.chi2.toFixed(1)} on ${s.chi.df} df, p = ${s.chi.pValue.toPrecision(3)} (${fits[j] ? 'fits' : 'does not fit'}), TV distance ${s.tv.toFixed(4)}; ` +
            `hit probe ${s.c.hitProbe.toFixed(3)} vs (lambda+2)/2 = ${s.predHitProbe.toFixed(3)} (${probesOk[j] ? 'within' : 'outside'} 2%), miss probe ${s.c.missProbe.toFixed(3)} = lambda by definition; ` +
            `chains > 8 entries ${pct(s.obsOver8, 2)} vs ${pct(s.predOver8, 2)} predicted, > 15 ${pct(s.obsOver15)} vs ${pct(s.predOver15)}`,
        )
        .join('. ') +
      `. At lambda 6.5, ${pct(within15)} of chains hold <= 15 entries (article: 99.9%; Poisson: ${pct(1 - before.predOver15)}) -> ${tailOk ? 'holds' : 'does not hold'}. ` +
      `Longest chain: ${Math.max(...states.map((s) => s.c.maxEntries))} entries, ${maxOverflow} overflow buckets (001 §3.2's cap of 8 overflow buckets per chain is not a rule in Go or hmap; uniform hashing just never gets near it).`;

    const figures: Record<string, number | string> = {
      B,
      before_lambda: round(before.lambda, 4),
      before_tv: round(before.tv),
      before_chi2_p: round(before.chi.pValue),
      before_over8_pct: round(before.obsOver8 * 100),
      before_over8_pred_pct: round(before.predOver8 * 100),
      before_over15_pct: round(before.obsOver15 * 100),
      before_over15_pred_pct: round(before.predOver15 * 100),
      before_hitprobe: round(before.c.hitProbe, 4),
      before_hitprobe_pred: round(before.predHitProbe, 4),
      before_missprobe: round(before.c.missProbe, 4),
      before_hit_slots: round(before.c.hitSlots, 4),
      before_hit_slots_pred: round(before.predHitSlots, 4),
      before_miss_slots: round(before.c.missSlots, 4),
      before_miss_slots_pred: round(before.predMissSlots, 4),
      after_lambda: round(after.lambda, 4),
      after_tv: round(after.tv),
      after_chi2_p: round(after.chi.pValue),
      after_over8_pct: round(after.obsOver8 * 100),
      after_over8_pred_pct: round(after.predOver8 * 100),
      after_hitprobe: round(after.c.hitProbe, 4),
      after_hitprobe_pred: round(after.predHitProbe, 4),
      max_entries: Math.max(before.c.maxEntries, after.c.maxEntries),
      max_overflow_buckets_per_chain: maxOverflow,
    };
    const summary =
      `lambda 6.5: TV ${before.tv.toFixed(4)}, chi2 p ${before.chi.pValue.toPrecision(2)}, >15 entries ${pct(before.obsOver15)} (Poisson ${pct(before.predOver15)}), hitprobe ${before.c.hitProbe.toFixed(2)} vs ${before.predHitProbe.toFixed(2)}; ` +
      `lambda ${after.lambda.toFixed(2)}: TV ${after.tv.toFixed(4)}, p ${after.chi.pValue.toPrecision(2)}, hitprobe ${after.c.hitProbe.toFixed(2)} vs ${after.predHitProbe.toFixed(2)}`;

    const tables: TableSpec[] = [
      {
        title: 'Observed chains against Poisson(lambda = count / buckets)',
        columns: ['state', 'metric', 'observed', 'predicted'],
        rows: states.flatMap((s) => [
          [s.name, 'chains (buckets) / entries', `${s.c.buckets} / ${s.c.count}`, `lambda ${round(s.lambda, 4)}`],
          [s.name, 'total-variation distance', round(s.tv), '~0 (sampling noise)'],
          [s.name, `chi-square (${s.chi.bins} bins, ${s.chi.df} df)`, round(s.chi.chi2, 4), `p = ${round(s.chi.pValue)}`],
          [s.name, '% chains > 8 entries (= % with an overflow bucket)', round(s.obsOver8 * 100), round(s.predOver8 * 100)],
          [s.name, '% with an overflow bucket (census)', round(s.c.overflowShare * 100), round(s.predOverflowShare * 100)],
          [s.name, '% chains > 15 entries', round(s.obsOver15 * 100), round(s.predOver15 * 100)],
          [s.name, 'hit probe, entries (Go hitprobe)', round(s.c.hitProbe, 4), round(s.predHitProbe, 4)],
          [s.name, 'miss probe, entries (Go missprobe)', round(s.c.missProbe, 4), round(s.predMissProbe, 4)],
          [s.name, 'hit probe, tophash bytes', round(s.c.hitSlots, 4), round(s.predHitSlots, 4)],
          [s.name, 'miss probe, tophash bytes', round(s.c.missSlots, 4), round(s.predMissSlots, 4)],
          [s.name, 'longest chain: entries / buckets', `${s.c.maxEntries} / ${s.c.maxChainBuckets}`, ''],
        ]),
      },
      {
        title: 'Chains by entries: observed count and Poisson expectation',
        columns: ['entries', 'before growth: observed', 'before growth: Poisson', 'after doubling: observed', 'after doubling: Poisson'],
        rows: Array.from({ length: Math.max(before.c.maxEntries, after.c.maxEntries) + 1 }, (_, e) => [
          e,
          before.c.histogram[e] ?? 0,
          round((before.pmf[e] ?? 0) * before.c.buckets),
          after.c.histogram[e] ?? 0,
          round((after.pmf[e] ?? 0) * after.c.buckets),
        ]),
      },
    ];

    const bar = (s: StateResult): ChartSpec => {
      const K = s.c.maxEntries;
      return {
        title: `Entries per chain, ${s.name} (lambda ${s.lambda.toFixed(2)}, ${s.c.buckets} chains)`,
        type: 'bar',
        x: { label: 'entries in the chain', categories: Array.from({ length: K + 1 }, (_, e) => String(e)) },
        y: { label: 'share of chains' },
        series: [
          { label: 'observed', points: Array.from({ length: K + 1 }, (_, e) => [e, round((s.c.histogram[e] ?? 0) / s.c.buckets, 4)] as [number, number]) },
          { label: `Poisson(${s.lambda.toFixed(2)})`, points: Array.from({ length: K + 1 }, (_, e) => [e, round(s.pmf[e] ?? 0, 4)] as [number, number]) },
        ],
      };
    };
    const tail = (s: StateResult, observed: boolean): Array<[number, number]> => {
      const pts: Array<[number, number]> = [];
      for (let e = 0; e <= s.c.maxEntries + 3; e++) {
        const y = observed ? (s.c.histogram[e] ?? 0) / s.c.buckets : s.pmf[e]!;
        if (y > 0) pts.push([e, round(y, 4)]);
      }
      return pts;
    };
    const charts: ChartSpec[] = [
      bar(before),
      bar(after),
      {
        title: 'Tails on a log scale: observed vs Poisson',
        type: 'line',
        x: { label: 'entries in the chain' },
        y: { label: 'share of chains', log: true },
        series: [
          { label: 'observed, lambda 6.5', points: tail(before, true) },
          { label: 'Poisson(6.5)', points: tail(before, false) },
          { label: `observed, lambda ${after.lambda.toFixed(2)}`, points: tail(after, true) },
          { label: `Poisson(${after.lambda.toFixed(2)})`, points: tail(after, false) },
        ],
      },
    ];

    return {
      figures,
      summary,
      verdict,
      reason,
      params: { B, chainsPerState: 2 ** B, entriesBefore: nBefore, entriesAfter: nAfter, loadFactor: 6.5, seed, keys: 'int32 -> int32' },
      tables,
      charts,
      notes: [
        'n keys in m buckets are multinomial, so a chain holds Binomial(n, 1/m) entries; Poisson(n/m) is its limit and indistinguishable at these sizes.',
        'The miss probe in entries is count / buckets exactly, whatever the distribution; the tophash-byte predictions assume chains written without deletes (slots filled in order, a full bucket spilling its slot 7 to the next), which holds here.',
        "001 §2.2 calls 6.5 'the JDK 8 HashMap threshold'; it is not (Java uses 0.75 of single-entry bins, and 8 for treeifying a bin). 001 §1's '<= 1.37 expected lookups at load <= 0.75' has no stated unit and is not tested here.",
        'The map is fed pseudo-random int32 keys; adversarial keys are the hash-flooding experiment.',
      ],
    };
  },
};
