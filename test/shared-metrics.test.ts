// Metrics of a shared map (issue 6: "a shared map's counters sum the work of two workers"): counters live in
// shared memory, one slot per thread, summed by metrics(); exported through hmap/otel with the real SDK.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { HashMap } from '../src/index.js';
import { instrument, instrumentNames } from '../src/otel.js';

const workerUrl = new URL('./workers/shared-metrics-worker.js', import.meta.url);

function run(handle: unknown, w: number, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: { handle, w, n } });
    const timer = setTimeout(() => reject(new Error(`worker ${w}: no answer in 30 s`)), 30_000);
    worker.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.once('error', reject);
  });
}

function valueOf(metrics: MetricData[], name: string, attrs: Record<string, string | boolean> = {}): number {
  const m = metrics.find((x) => x.descriptor.name === name);
  assert.ok(m, `metric ${name} exported`);
  const p = m.dataPoints.find((d) => Object.entries(attrs).every(([k, v]) => d.attributes[k] === v));
  assert.ok(p, `${name} has a point with ${JSON.stringify(attrs)}`);
  return p.value as number;
}

describe('shared map metrics', () => {
  it('counters sum the work of two workers, through metrics() and the OpenTelemetry SDK', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true });
    assert.equal(m.metrics().enabled, false);
    instrument(m, { meter: provider.getMeter('test'), name: 'shared', sampleEvery: 8 });
    const n = 3000;
    await Promise.all([run(m.share(), 0, n), run(m.share(), 1, n)]);
    const s = m.metrics();
    assert.equal(s.enabled, true);
    assert.equal(s.inserts, 2 * n + 1, 'n keys per worker, and the counter key once');
    assert.equal(s.updates, 2 * n + 2 * n - 1, 'n overwrites per worker, and every increment but the first');
    assert.equal(s.hits, 2 * n);
    assert.equal(s.misses, 2 * n);
    assert.equal(s.deletes, 2 * (n / 2));
    assert.equal(s.count, 2 * (n / 2) + 1);
    // Every write takes a stripe lock (growth help takes more); lookups take none unless they fall back.
    const writes = 2 * (2 * n + n + n / 2);
    assert.ok(s.shared.lockAcquisitions >= writes, `lock acquisitions ${s.shared.lockAcquisitions} >= ${writes} writes`);
    assert.ok(s.shared.contendedAcquisitions <= s.shared.lockAcquisitions);
    assert.equal(s.shared.starvationWaits, 0);
    assert.ok(s.doublings > 0 && s.shared.ownEvacuations + s.shared.helpedEvacuations > 0, 'the map grew, and writers evacuated');
    assert.equal(s.shared.ownEvacuations + s.shared.helpedEvacuations, s.evacuatedBuckets, 'every evacuation was done by a writer');

    exporter.reset();
    await reader.forceFlush();
    const data = exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    const a = { 'hmap.name': 'shared' };
    assert.equal(valueOf(data, instrumentNames.inserts, a), 2 * n + 1);
    assert.equal(valueOf(data, instrumentNames.lookups, { ...a, 'hmap.lookup.result': 'hit' }), 2 * n);
    assert.equal(valueOf(data, instrumentNames.lookups, { ...a, 'hmap.lookup.result': 'miss' }), 2 * n);
    assert.equal(valueOf(data, instrumentNames.deletes, a), n);
    assert.equal(
      valueOf(data, instrumentNames.lockAcquisitions, { ...a, 'hmap.lock.contended': true }) + valueOf(data, instrumentNames.lockAcquisitions, { ...a, 'hmap.lock.contended': false }),
      s.shared.lockAcquisitions,
    );
    assert.equal(valueOf(data, instrumentNames.evacuationWork, { ...a, 'hmap.evacuation.cause': 'help' }), s.shared.helpedEvacuations);
    assert.equal(valueOf(data, instrumentNames.readRetries, a), s.shared.readRetries);
    assert.equal(m.get(-7), 2 * n, 'the increments of both workers');
    await provider.shutdown();
  });

  it('counting is off by default and then costs no shared writes; latency is sampled per thread', () => {
    const m = new HashMap({ key: 'uint32', value: 'float64', shared: true });
    for (let i = 0; i < 100; i++) m.set(i, i / 2);
    let s = m.metrics();
    assert.equal(s.inserts, 0);
    assert.equal(s.shared.lockAcquisitions, 0);
    m._enableMetrics({ sampleEvery: 1 });
    for (let i = 0; i < 10; i++) m.get(i);
    s = m.metrics();
    assert.equal(s.hits, 10);
    assert.equal(s.latency.get.count, 10, 'sampleEvery 1 times every get');
    assert.throws(() => m._enableMetrics({ sampleEvery: 0 }), RangeError);
  });

  it('new HashMap({ shared: true, metrics }) counts from the start, validates metrics like a private map, and attach() shares the counters', () => {
    const m = new HashMap({ key: 'int32', value: 'int32', shared: true, metrics: { sampleEvery: 2 } });
    m.set(1, 10).set(2, 20).set(1, 11);
    m.get(1);
    m.get(3);
    m.has(2);
    m.delete(2);
    const other = HashMap.attach(m.share());
    other.get(1);
    const s = m.metrics();
    assert.equal(s.enabled, true);
    assert.deepEqual([s.inserts, s.updates, s.hits, s.misses, s.deletes], [2, 1, 3, 1, 1]);
    assert.equal(s.sampleEvery, 2);
    assert.equal(other.metrics().hits, 3, 'an attached view reads the same shared counters');
    assert.ok(s.shared.lockAcquisitions >= 4, 'writes took stripe locks');
    assert.equal(new HashMap({ key: 'int32', value: 'int32', shared: true, metrics: true }).metrics().sampleEvery, 1024);
    assert.equal(new HashMap({ key: 'int32', value: 'int32', shared: true, metrics: false }).metrics().enabled, false);
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', shared: true, metrics: { sampleEvery: 0 } }), RangeError);
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', shared: true, metrics: { every: 2 } as never }), /unknown metrics option 'every'/);
    assert.throws(() => new HashMap({ key: 'int32', value: 'int32', shared: true, metrics: 'yes' as never }), TypeError);
  });
});
