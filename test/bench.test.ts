// Smoke test of `npm run bench` (bench/main.ts) at a tiny size: it runs, and its JSON has the rows the README
// quotes, with the latency attribution (GC pause at the slowest operation, hypervisor steal, first touches).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface BenchJson {
  rows: { n: number; value: string; op: string; map: number; hmap: number; ratio: number }[];
  latency: { n: number; value: string; impl: string; p50: number; max: number; maxAt: number; gcAtMax: number; stealMs: number | null }[];
}

function runBench(args: string[]): Promise<BenchJson> {
  const script = fileURLToPath(new URL('../bench/main.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script, ...args, '--json'], { timeout: 120_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`bench failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as BenchJson);
    });
  });
}

describe('npm run bench (smoke, N = 1e4)', () => {
  test('throughput, memory and latency rows, with the slowest operation attributed', async () => {
    const out = await runBench(['--sizes', '1e4', '--values', 'int32', '--only', 'insert,get,latency,memory']);
    const ops = out.rows.map((r) => r.op).sort();
    assert.deepEqual(ops, ['bytes/entry', 'get hit', 'insert']);
    for (const r of out.rows) {
      assert.ok(r.map > 0 && r.hmap > 0, `${r.op}: ${r.map} / ${r.hmap}`);
      assert.ok(Math.abs(r.ratio - r.hmap / r.map) < 1e-9);
    }
    assert.deepEqual(out.latency.map((r) => r.impl), ['Map', 'hmap', 'first touch']);
    for (const r of out.latency) {
      assert.ok(r.p50 > 0 && r.max >= r.p50, `${r.impl}: p50 ${r.p50}, max ${r.max}`);
      assert.ok(r.gcAtMax >= 0, `${r.impl}: gcAtMax ${r.gcAtMax}`);
      assert.ok(r.stealMs === null || r.stealMs >= 0, `${r.impl}: stealMs ${r.stealMs}`);
    }
    const [map, hmap] = out.latency;
    assert.ok(map!.maxAt >= 0 && map!.maxAt < 1e4 && hmap!.maxAt >= 0 && hmap!.maxAt < 1e4);
  });
});
