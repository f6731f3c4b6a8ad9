// hmap/otel with the real OpenTelemetry SDK: exact counters through the in-memory exporter, gauges through a
// growth, the latency histogram, detach, bad arguments; and the README's Prometheus example, run and scraped.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { HashMap } from '../src/index.js';
import { instrument, instrumentNames } from '../src/otel.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function setup(): { provider: MeterProvider; collect: () => Promise<MetricData[]> } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    collect: async () => {
      exporter.reset();
      await reader.forceFlush();
      return exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    },
  };
}

/** The value of metric `name` at the data point whose attributes include `attrs`. */
function valueOf(metrics: MetricData[], name: string, attrs: Record<string, string> = {}): number {
  const m = metrics.find((x) => x.descriptor.name === name);
  assert.ok(m, `metric ${name} exported`);
  const p = m.dataPoints.find((d) => Object.entries(attrs).every(([k, v]) => d.attributes[k] === v));
  assert.ok(p, `${name} has a point with ${JSON.stringify(attrs)}`);
  return p.value as number;
}

describe('hmap/otel with the OpenTelemetry SDK', () => {
  it('exports counters equal to the operations done, with the map name and attributes', async () => {
    const { provider, collect } = setup();
    const m = new HashMap({ key: 'int32', value: 'int32' });
    instrument(m, { meter: provider.getMeter('test'), name: 'users', attributes: { team: 'core' } });
    for (let i = 0; i < 100; i++) m.set(i, i); // 100 inserts
    m.set(1, 2); // 1 update
    for (let i = 0; i < 30; i++) m.get(i); // 30 hits
    for (let i = 0; i < 7; i++) m.has(-1 - i); // 7 misses
    m.delete(3); // 1 delete
    m.increment(4); // 1 update
    const data = await collect();
    const a = { 'hmap.name': 'users', team: 'core' };
    assert.equal(valueOf(data, instrumentNames.lookups, { ...a, 'hmap.lookup.result': 'hit' }), 30);
    assert.equal(valueOf(data, instrumentNames.lookups, { ...a, 'hmap.lookup.result': 'miss' }), 7);
    assert.equal(valueOf(data, instrumentNames.inserts, a), 100);
    assert.equal(valueOf(data, instrumentNames.updates, a), 2);
    assert.equal(valueOf(data, instrumentNames.deletes, a), 1);
    assert.equal(valueOf(data, instrumentNames.entries, a), 99);
    assert.equal(valueOf(data, instrumentNames.growths, { ...a, 'hmap.growth.kind': 'doubling' }), m.metrics().doublings);
    assert.equal(valueOf(data, instrumentNames.memory, a), m.stats().bytes);
    // At the default sampling (one operation in 1024) these 141 operations may have had none timed: 1024
    // more gets have.
    for (let i = 0; i < 1024; i++) m.get(i % 50);
    const more = await collect();
    const units = new Map(more.map((d) => [d.descriptor.name, d.descriptor.unit]));
    assert.equal(units.get(instrumentNames.memory), 'By');
    assert.equal(units.get(instrumentNames.duration), 's');
    const duration = more.find((x) => x.descriptor.name === instrumentNames.duration)!;
    const samples = duration.dataPoints.reduce((n, p) => n + (p.value as { count: number }).count, 0);
    assert.ok(samples >= 1 && samples <= 2, `${samples} sampled operations of 1165`);
    await provider.shutdown();
  });

  it('gauges follow a growth', async () => {
    const { provider, collect } = setup();
    const m = new HashMap({ key: 'int32', value: 'int32' });
    instrument(m, { meter: provider.getMeter('test'), name: 'g' });
    for (let i = 0; i < 6.5 * 256; i++) m.set(i, i);
    let d = await collect();
    assert.equal(valueOf(d, instrumentNames.bucketsLog2), 8);
    assert.equal(valueOf(d, instrumentNames.growing), 0);
    m.set(-1, 0); // starts the doubling
    d = await collect();
    assert.equal(valueOf(d, instrumentNames.bucketsLog2), 9);
    assert.equal(valueOf(d, instrumentNames.buckets), 512);
    assert.equal(valueOf(d, instrumentNames.growing), 1);
    const progress = valueOf(d, instrumentNames.evacuationProgress);
    assert.ok(progress > 0 && progress < 1, `progress ${progress}`);
    while (m.stats().growing) m.set(-2 - m.size, 0);
    d = await collect();
    assert.equal(valueOf(d, instrumentNames.growing), 0);
    assert.equal(valueOf(d, instrumentNames.evacuations), 511, 'every old bucket of every growth: 1 + 2 + ... + 256');
    assert.equal(valueOf(d, instrumentNames.loadFactor), m.size / 512);
    await provider.shutdown();
  });

  it('records sampled latencies in the histogram, by operation', async () => {
    const { provider, collect } = setup();
    const m = new HashMap({ key: 'int32', value: 'int32' });
    instrument(m, { meter: provider.getMeter('test'), name: 'h', sampleEvery: 4 });
    for (let i = 0; i < 400; i++) m.set(i, i);
    for (let i = 0; i < 400; i++) m.get(i);
    const d = await collect();
    const h = d.find((x) => x.descriptor.name === instrumentNames.duration)!;
    assert.equal(h.dataPointType, DataPointType.HISTOGRAM);
    let total = 0;
    for (const p of h.dataPoints) {
      const v = p.value as { count: number; sum?: number; buckets: { boundaries: number[]; counts: number[] } };
      assert.ok(['set', 'get'].includes(p.attributes['hmap.operation'] as string));
      assert.equal(v.buckets.counts.reduce((x, y) => x + y, 0), v.count);
      assert.equal(v.buckets.boundaries[0], 50e-9);
      total += v.count;
    }
    assert.equal(total, 200, 'one operation in 4 of 800');
    assert.equal(total, m.metrics().latency.set.count + m.metrics().latency.get.count);
    await provider.shutdown();
  });

  it('detach stops reporting; the map keeps counting', async () => {
    const { provider, collect } = setup();
    const m = new HashMap({ key: 'int32', value: 'int32' });
    const inst = instrument(m, { meter: provider.getMeter('test'), name: 'd', sampleEvery: 1 });
    m.set(1, 1);
    assert.equal(valueOf(await collect(), instrumentNames.inserts), 1);
    inst.detach();
    inst.detach();
    m.set(2, 2);
    const after = await collect();
    assert.ok(!after.some((x) => x.descriptor.name === instrumentNames.inserts && x.dataPoints.some((p) => p.value === 2)), 'no new observation');
    assert.equal(m.metrics().inserts, 2);
    await provider.shutdown();
  });

  it('rejects bad arguments and leaves the map as it was', () => {
    const { provider } = setup();
    const meter = provider.getMeter('test');
    const m = new HashMap({ key: 'int32', value: 'int32' });
    const proto = Object.getPrototypeOf(m);
    assert.throws(() => instrument({} as never, { meter, name: 'x' }), TypeError);
    assert.throws(() => instrument(m, undefined as never), TypeError);
    assert.throws(() => instrument(m, { meter: {} as never, name: 'x' }), /Meter/);
    assert.throws(() => instrument(m, { meter, name: '' }), /name/);
    assert.throws(() => instrument(m, { meter, name: 'x', attributes: null as never }), /attributes/);
    assert.throws(() => instrument(m, { meter, name: 'x', sampleEvery: 0 }), RangeError);
    assert.equal(Object.getPrototypeOf(m), proto, 'still the plain class');
    assert.equal(m.metrics().enabled, false);
  });
});

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('README: the Prometheus example', () => {
  it('runs, and a scrape of its endpoint finds the hmap metrics', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const match = /<!-- example: otel-prometheus -->\s*```js\n([\s\S]*?)```/.exec(readme);
    assert.ok(match, 'README has the example');
    // Inside the package, so that `hmap` and `hmap/otel` resolve to this package's dist/ (self-reference).
    const file = join(root, 'build', `readme-otel-example-${process.pid}.mjs`);
    writeFileSync(file, match[1]!);
    const port = await freePort();
    const child = spawn(process.execPath, [file], { env: { ...process.env, METRICS_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`example did not start in 20 s: ${err}`)), 20_000);
        child.stdout.on('data', (b: Buffer) => {
          if (b.toString().includes('serving metrics')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${err}`)));
      });
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(text, /hmap_lookups_total\{[^}]*hmap_lookup_result="hit"[^}]*\} 1\b/);
      assert.match(text, /hmap_lookups_total\{[^}]*hmap_lookup_result="miss"[^}]*\} 1\b/);
      assert.match(text, /hmap_inserts_total\{hmap_name="sessions"/);
      assert.match(text, /hmap_entries\{hmap_name="sessions"[^}]*\} \d+/);
      assert.match(text, /hmap_operation_duration_bucket\{/);
      assert.match(text, /# UNIT hmap_memory_usage By/);
    } finally {
      child.kill();
      rmSync(file, { force: true });
    }
  });
});
