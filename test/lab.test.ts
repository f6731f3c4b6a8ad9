// The lab in smoke mode: every experiment runs at tiny sizes and returns everything the report needs; the report
// of that run renders in headless Chromium; the CLI's options and errors.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { experiments } from '../src/lab/experiments/index.js';
import { experimentNames, runLab, selectExperiments } from '../src/lab/run.js';
import { writeReport } from '../src/lab/report.js';
import type { LabResults } from '../src/lab/types.js';
import { checkReportInChromium, chromiumPath } from './chromium.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

describe('lab experiments (smoke mode)', () => {
  let results: LabResults;
  const progress = new Map<string, number>();

  before(async () => {
    results = await runLab({
      mode: 'smoke',
      seed: 12345,
      onProgress: (e, done, total) => {
        assert.ok(done >= 0 && done <= total, `${e.name}: progress ${done}/${total}`);
        progress.set(e.name, (progress.get(e.name) ?? 0) + 1);
      },
    });
  });

  test('runs all twelve experiments, in order', () => {
    assert.equal(experiments.length, 12);
    assert.deepEqual(
      results.experiments.map((e) => e.name),
      ['growth-pauses', 'load-factor', 'chain-lengths', 'growth-work', 'churn', 'cost-vs-size', 'hash-flooding', 'memory', 'ordered-vs-hash', 'presize', 'mutex-fairness', 'shared-throughput'],
    );
    assert.equal(results.seed, 12345);
    assert.equal(results.mode, 'smoke');
  });

  for (const name of experimentNames) {
    test(`${name}: has every field the report needs`, () => {
      const e = results.experiments.find((x) => x.name === name)!;
      for (const field of ['title', 'claim', 'source', 'method', 'summary', 'reason'] as const) {
        assert.ok(typeof e[field] === 'string' && e[field].length > 3 && !/TODO/.test(e[field]), `${name}.${field}: ${e[field]}`);
      }
      assert.match(e.source, /seeds\/00\d_|map\.go/, `${name} cites an article or Go's map.go`);
      assert.ok(['confirmed', 'refuted', 'partly'].includes(e.verdict));
      assert.ok(Object.keys(e.figures).length > 0, `${name} has figures`);
      for (const [k, v] of Object.entries(e.figures)) {
        assert.ok(typeof v === 'string' || Number.isFinite(v), `${name}.figures.${k} = ${v}`);
      }
      assert.ok(e.charts.length > 0, `${name} has charts`);
      for (const c of e.charts) {
        assert.ok(c.series.length > 0, `${name}: chart ${c.title} has series`);
        for (const s of c.series) {
          assert.ok(s.points.length > 0, `${name}: ${c.title} / ${s.label} has points`);
          assert.ok(s.points.length <= 5000, `${name}: ${c.title} / ${s.label} is downsampled (${s.points.length})`);
          for (const [x, y] of s.points) assert.ok(Number.isFinite(x) && Number.isFinite(y), `${name}: ${c.title} / ${s.label}: (${x}, ${y})`);
          if (c.y.log) for (const [, y] of s.points) assert.ok(y > 0, `${name}: ${c.title}: log axis needs y > 0`);
          if (c.x.log) for (const [x] of s.points) assert.ok(x > 0, `${name}: ${c.title}: log axis needs x > 0`);
        }
        if (c.type === 'bar') assert.ok(c.x.categories && c.x.categories.length > 0, `${name}: bar chart ${c.title} has categories`);
      }
      for (const t of e.tables) for (const r of t.rows) assert.equal(r.length, t.columns.length, `${name}: table ${t.title} row width`);
      assert.ok((progress.get(name) ?? 0) > 0, `${name} reports progress`);
      assert.ok(e.elapsedMs < 20_000, `${name} smoke run took ${e.elapsedMs} ms`);
    });
  }

  test('the report of the smoke run renders every chart in headless Chromium', async (t) => {
    if (!existsSync(chromiumPath) && process.env.CI === undefined) {
      t.skip(`no ${chromiumPath}: install Debian's chromium to run the browser checks (.ci/run does)`);
      return;
    }
    const out = writeReport(results, 'test-artifacts/lab-report');
    const seen = await checkReportInChromium(out.html, 'test-artifacts/lab-report.png');
    const expected = results.experiments.reduce((n, e) => n + e.charts.length, 0);
    assert.equal(seen.canvases, expected);
    assert.equal(seen.charts.length, expected);
    for (const c of seen.charts) {
      assert.ok(c.points > 0, `${c.experiment}: ${c.title} has data`);
      assert.ok(c.inkPixels > 100, `${c.experiment}: ${c.title} drew something (${c.inkPixels} pixels)`);
    }
    assert.deepEqual(seen.errors, []);
  });
});

describe('lab selection and CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hmap-lab-'));
  });

  test('selectExperiments keeps the lab order and rejects unknown names', () => {
    assert.deepEqual(selectExperiments(['presize', 'churn']).map((e) => e.name), ['churn', 'presize']);
    assert.throws(() => selectExperiments(['nope']), (e: unknown) => e instanceof RangeError && /unknown experiment "nope"/.test(e.message) && /growth-pauses/.test(e.message));
  });

  test('hmap lab --smoke --only --json --out --seed', async () => {
    const { stdout } = await run(process.execPath, [cli, 'lab', '--smoke', '--only', 'chain-lengths', '--json', '--out', dir, '--seed', '7']);
    const r = JSON.parse(stdout) as LabResults;
    assert.deepEqual(r.experiments.map((e) => e.name), ['chain-lengths']);
    assert.equal(r.seed, 7);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')), r);
    assert.ok(readFileSync(join(dir, 'index.html'), 'utf8').includes('chain-lengths'));
  });

  test('hmap lab prints a summary table with the verdict', async () => {
    const { stdout } = await run(process.execPath, [cli, 'lab', '--smoke', '--only', 'chain-lengths', '--out', dir]);
    assert.match(stdout, /chain-lengths/);
    assert.match(stdout, /confirmed|refuted|partly/);
    assert.match(stdout, /index\.html/);
  });

  for (const [args, message] of [
    [['lab', '--only', 'nope'], /unknown experiment "nope"/],
    [['lab', '--seed', 'abc'], /seed must be an integer/],
    [['lab', '--seed', '-1'], /seed must be an integer/],
    [['lab', '--full', '--smoke'], /cannot be used with/],
    [['lab', '--bogus'], /unknown option/],
  ] as const) {
    test(`hmap ${args.join(' ')} fails with a clear message`, async () => {
      await assert.rejects(run(process.execPath, [cli, ...args]), (e: { code: number; stderr: string }) => {
        assert.notEqual(e.code, 0);
        assert.match(e.stderr, message);
        return true;
      });
    });
  }

  test('hmap --help lists the lab and its options', async () => {
    const { stdout } = await run(process.execPath, [cli, 'lab', '--help']);
    for (const opt of ['--full', '--only', '--out', '--json', '--seed']) assert.ok(stdout.includes(opt), opt);
  });
});
