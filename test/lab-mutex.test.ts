// The mutex-fairness experiment's helpers: the article's figures, factors, the throughput cost, the verdict rule,
// merging wait histograms; its worker loop run in this thread; one short round of each scenario on the pool.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as hdr from 'hdr-histogram-js';
import {
  Pool,
  articleP99Factor,
  articleThroughputCost,
  decide,
  factor,
  mergedStats,
  rate,
  runRound,
  statsOf,
  throughputCost,
} from '../src/lab/experiments/mutex-fairness.js';
import type { RoundResult, ScenarioShape, VerdictInput } from '../src/lab/experiments/mutex-fairness.js';
import { runJob } from '../src/lab/workers/mutex-fairness-worker.js';
import { FairMem } from '../src/lab/workers/mutex-fairness-shared.js';
import { Mutex } from '../src/sync/mutex.js';

const hist = (values: number[]): hdr.Histogram => {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e11, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  for (const v of values) h.recordValue(v);
  return h;
};

const round = (values: number[]): RoundResult => {
  const h = hist(values);
  const r: RoundResult = {
    scenario: 'tail',
    starvation: true,
    locksPerSec: 1,
    waits: statsOf(h),
    greedyLocks: 0,
    greedyShare: 0,
    greedyMaxWait: 0,
    sections: values.length,
    starvingSections: 0,
    entries: 0,
    runMs: 1,
    hist: hdr.encodeIntoCompressedBase64(h),
  };
  h.destroy();
  return r;
};

describe('mutex-fairness helpers', () => {
  test("the article's figures: 7.6% throughput cost, p99 186/47 us", () => {
    assert.ok(Math.abs(articleThroughputCost - 0.076) < 0.0005, String(articleThroughputCost));
    assert.ok(Math.abs(articleP99Factor - 3.957) < 0.001, String(articleP99Factor));
  });

  test('factor and throughputCost', () => {
    assert.equal(factor(10, 5), 2);
    assert.equal(factor(5, 0), Infinity);
    assert.equal(factor(0, 0), 1);
    assert.ok(Math.abs(throughputCost(90, 100) - 0.1) < 1e-12);
    assert.ok(Math.abs(throughputCost(110, 100) + 0.1) < 1e-12);
  });

  test('rate formats starved rates as plain counts', () => {
    assert.equal(rate(12.4), '12/s');
    assert.equal(rate(1500), '1.5K/s');
    assert.equal(rate(2_500_000), '2.50M/s');
  });

  test('decide: confirmed, partly (either way), refuted', () => {
    const base: VerdictInput = {
      tailMaxOff: 200e6,
      tailMaxOn: 3e6,
      tailP999Off: 200e6,
      tailP999On: 3e6,
      locksPerSecOff: 1000,
      locksPerSecOn: 950,
      maxCost: 0.076,
      minFactor: 2,
    };
    const c = decide(base);
    assert.equal(c.verdict, 'confirmed');
    assert.ok(c.tailCut && c.cheap);
    assert.ok(Math.abs(c.cost - 0.05) < 1e-12);
    // Costlier than the article's figure.
    assert.equal(decide({ ...base, locksPerSecOn: 900 }).verdict, 'partly');
    // Either statistic is enough for the tail: max only, p99.9 only.
    assert.equal(decide({ ...base, tailP999On: 150e6 }).verdict, 'confirmed');
    assert.equal(decide({ ...base, tailMaxOn: 150e6 }).verdict, 'confirmed');
    // Neither cut by 2x: 1.9x is not enough.
    const flat = { ...base, tailMaxOn: 105e6, tailP999On: 105e6 };
    assert.equal(decide(flat).tailCut, false);
    assert.equal(decide(flat).verdict, 'partly');
    assert.equal(decide({ ...flat, locksPerSecOn: 500 }).verdict, 'refuted');
    // A faster starvation mode costs nothing.
    assert.ok(decide({ ...base, locksPerSecOn: 1100 }).cheap);
  });

  test('statsOf and mergedStats: percentiles of every round together, the exact max', () => {
    const a = round(Array.from({ length: 1000 }, (_, i) => 1000 + i)); // 1000..1999 ns
    const b = round([1_000_000]); // one 1 ms wait
    const m = mergedStats([a, b]);
    assert.equal(m.count, 1001);
    assert.ok(Math.abs(m.p50 - 1500) <= 2, String(m.p50));
    assert.ok(m.p999 >= 1990 && m.p999 <= 2000, String(m.p999));
    assert.equal(m.max, 1_000_000);
    assert.equal(statsOf(hist([5, 7]), 7.25).max, 7.25);
  });
});

describe('mutex-fairness worker loop, in this thread', () => {
  const job = (role: 'contend' | 'greedy') => {
    const m = new Mutex();
    const mem = new Int32Array(new SharedArrayBuffer(FairMem.words * 4));
    return { m, mem, reply: runJob({ mutex: m.share(), mem, role, threads: 1, durationMs: 5, inside: 10, outside: 10, busyUs: role === 'greedy' ? 20 : 0, sleepUs: 0 }) };
  };

  test('contend: counts every section, one wait per lock, no starvation alone', () => {
    const { m, mem, reply } = job('contend');
    assert.ok(reply.locks > 10, String(reply.locks));
    assert.equal(mem[FairMem.sections], reply.locks);
    assert.equal(mem[FairMem.greedySections], 0);
    assert.equal(mem[FairMem.entries], 0);
    assert.equal(mem[FairMem.stop], 1);
    assert.equal(hdr.decodeFromCompressedBase64(reply.hist, 32, false).totalCount, reply.locks);
    assert.ok(reply.elapsedMs >= 5);
    assert.equal(m.state.word, 0);
  });

  test('greedy: its sections are counted as greedy', () => {
    const { mem, reply } = job('greedy');
    assert.ok(reply.locks > 10);
    assert.equal(mem[FairMem.greedySections], reply.locks);
    assert.equal(mem[FairMem.sections], reply.locks);
  });
});

describe('mutex-fairness rounds on worker threads', () => {
  test('a short round of each shape, in both modes: counts add up, the mutex ends idle, no starvation when off', async () => {
    const pool = new Pool(3);
    const contended: ScenarioShape = { roles: ['contend', 'contend', 'contend'], inside: 50, outside: 20, sleepUs: 0, greedyBusyUs: 0, greedySleepUs: 0 };
    const tail: ScenarioShape = { roles: ['greedy', 'waiter', 'waiter'], inside: 50, outside: 0, sleepUs: 100, greedyBusyUs: 0, greedySleepUs: 500 };
    try {
      for (const on of [true, false]) {
        const c = await runRound(pool, 'contended', contended, on, 20);
        assert.ok(c.sections > 0 && c.locksPerSec > 0);
        assert.equal(c.waits.count, c.sections);
        assert.equal(c.greedyLocks, 0);
        const t = await runRound(pool, 'tail', tail, on, 20);
        assert.ok(t.greedyLocks > 0);
        // The waiting threads' waits only.
        assert.equal(t.waits.count, t.sections - t.greedyLocks);
        if (!on) {
          assert.equal(c.entries, 0);
          assert.equal(t.entries, 0);
          assert.equal(t.starvingSections, 0);
        }
      }
    } finally {
      await pool.close();
    }
  });
});
