// The lab's report: rendering from a synthetic result (escaping, every chart drawn), checked in a real headless
// Chromium (Debian's chromium, driven by playwright-core). The report of a real smoke run of every experiment is
// checked the same way in lab.test.ts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport, writeReport } from '../src/lab/report.js';
import type { LabResults } from '../src/lab/types.js';
import { checkReportInChromium, chromiumPath } from './chromium.js';

function synthetic(): LabResults {
  return {
    tool: 'hmap lab',
    version: '0.0.0-test',
    date: '2026-11-23T00:00:00.000Z',
    mode: 'smoke',
    seed: 42,
    machine: { node: process.version, platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test cpu', memoryGiB: 24 },
    elapsedMs: 1234,
    experiments: [
      {
        name: 'alpha',
        title: 'Alpha </script><script>window.injected = 1</script>',
        claim: 'a claim with <b>markup</b> & "quotes"',
        source: 'shared/seeds/000_f55fb209d67fe6e8.txt §1',
        method: 'measure',
        mode: 'smoke',
        elapsedMs: 10,
        figures: { x_ms: 1.5 },
        summary: 'x 1.5 ms',
        verdict: 'confirmed',
        reason: 'because 1.5 < 2',
        params: { n: 100, kinds: ['int32', 'float64'] },
        tables: [{ title: 'T', columns: ['a', 'b'], rows: [[1, '</script>']] }],
        charts: [
          { title: 'line log-log', type: 'line', x: { label: 'n', log: true }, y: { label: 'ns', log: true }, series: [{ label: 's1', points: [[1, 2], [10, 20], [100, 30]] }] },
          { title: 'bars', type: 'bar', x: { label: 'impl', categories: ['a', 'b'] }, y: { label: 'ns' }, series: [{ label: 'v', points: [[0, 3], [1, 4]] }] },
        ],
      },
      {
        name: 'beta',
        title: 'Beta',
        claim: 'c',
        source: 's',
        method: 'm',
        mode: 'smoke',
        elapsedMs: 10,
        figures: {},
        summary: 'y',
        verdict: 'refuted',
        reason: 'r',
        params: {},
        tables: [],
        charts: [{ title: 'scatter', type: 'scatter', x: { label: 'x' }, y: { label: 'y' }, series: [{ label: 'p', points: [[1, 1], [2, 4]] }, { label: 'q', points: [[1, 2]] }] }],
        notes: ['a note'],
      },
    ],
  };
}

describe('lab report', () => {
  test('escapes text and keeps the embedded results intact', () => {
    const r = synthetic();
    const html = renderReport(r);
    assert.equal((html.match(/<canvas /g) ?? []).length, 3);
    const visible = html.slice(0, html.indexOf('<script id="results"'));
    assert.ok(!visible.includes('<b>markup</b>'), 'claim text is escaped');
    assert.ok(visible.includes('&lt;b&gt;markup&lt;/b&gt;'));
    const json = html.match(/<script id="results" type="application\/json">([\s\S]*?)<\/script>/);
    assert.ok(json, 'results script element present and not cut short by a </script> in the data');
    assert.deepEqual(JSON.parse(json[1]!), r);
    assert.ok(!/https?:\/\/(?!www\.w3\.org)[^\s"'<>]*\.(js|css)\b/.test(html), 'no external scripts or styles');
  });

  test('writes index.html and results.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hmap-report-'));
    const out = writeReport(synthetic(), dir);
    assert.deepEqual(JSON.parse(readFileSync(out.json, 'utf8')), synthetic());
    assert.ok(readFileSync(out.html, 'utf8').startsWith('<!doctype html>'));
  });

  test('renders every chart in headless Chromium, no console errors, nothing injected', async (t) => {
    if (!existsSync(chromiumPath) && process.env.CI === undefined) {
      t.skip(`no ${chromiumPath}: install Debian's chromium to run the browser checks (.ci/run does)`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'hmap-report-'));
    const out = writeReport(synthetic(), dir);
    const seen = await checkReportInChromium(out.html, 'test-artifacts/report-synthetic.png');
    assert.equal(seen.charts.length, 3);
    for (const c of seen.charts) {
      assert.ok(c.points > 0, `chart ${c.title} has data`);
      assert.ok(c.inkPixels > 100, `chart ${c.title} drew something (${c.inkPixels} pixels)`);
    }
    assert.equal(seen.injected, false);
    assert.deepEqual(seen.errors, []);
  });
});
