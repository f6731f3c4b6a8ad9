// The lab's report: one self-contained HTML page (Chart.js inlined, no network) and results.json with every
// number behind it.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ExperimentResult, LabResults, TableSpec } from './types.js';

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON or script text that is safe inside a <script> element. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function chartLibrary(): string {
  // The UMD build is not in chart.js's exports map: find it beside the package's main file.
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
}

function renderTable(t: TableSpec): string {
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><caption>${esc(t.title)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderExperiment(e: ExperimentResult, index: number): string {
  const charts = e.charts
    .map((c, j) => `<figure class="chart"><canvas id="chart-${index}-${j}" data-experiment="${esc(e.name)}" data-title="${esc(c.title)}"></canvas></figure>`)
    .join('\n');
  const notes = e.notes && e.notes.length > 0 ? `<ul class="notes">${e.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  const params = Object.entries(e.params)
    .map(([k, v]) => `${esc(k)}=${esc(Array.isArray(v) ? v.join(',') : v)}`)
    .join(', ');
  return `<section id="${esc(e.name)}">
<h2>${index + 1}. ${esc(e.title)} <span class="verdict ${e.verdict}">${esc(e.verdict)}</span></h2>
<p><b>Claim.</b> ${esc(e.claim)} <span class="source">(${esc(e.source)})</span></p>
<p><b>Method.</b> ${esc(e.method)}</p>
<p><b>Verdict.</b> ${esc(e.reason)}</p>
<p class="params">Parameters: ${params}; took ${(e.elapsedMs / 1000).toFixed(1)} s.</p>
${notes}
<div class="charts">${charts}</div>
${e.tables.map(renderTable).join('\n')}
</section>`;
}

function renderSummary(r: LabResults): string {
  const rows = r.experiments
    .map(
      (e) =>
        `<tr><td><a href="#${esc(e.name)}">${esc(e.name)}</a></td><td>${esc(e.claim)}</td><td>${esc(e.summary)}</td><td class="verdict ${e.verdict}">${esc(e.verdict)}</td></tr>`,
    )
    .join('\n');
  return `<table class="summary"><thead><tr><th>experiment</th><th>claim</th><th>key figures</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Turns the lab's chart specs into Chart.js configurations in the page (runs in the browser). */
function pageScript(): string {
  return `
const palette = ${JSON.stringify(palette)};
function config(spec) {
  const bar = spec.type === 'bar';
  const datasets = spec.series.map((s, i) => ({
    label: s.label,
    data: bar ? s.points.map((p) => p[1]) : s.points.map((p) => ({ x: p[0], y: p[1] })),
    borderColor: palette[i % palette.length],
    backgroundColor: palette[i % palette.length] + (bar ? 'cc' : '55'),
    pointRadius: spec.type === 'scatter' ? 1.5 : 2,
    showLine: spec.type !== 'scatter',
    borderWidth: 1.5,
  }));
  const fmt = (v) => (Math.abs(v) >= 1e4 ? Number(v).toExponential(0).replace('+', '') : String(Number(Number(v).toPrecision(3))));
  const axis = (a, numeric) => ({
    type: a.log ? 'logarithmic' : numeric ? 'linear' : 'category',
    title: { display: true, text: a.label },
    // Log axes: label 1, 2 and 5 of each decade only, so labels never overlap.
    ticks: a.log ? { callback: (v) => ([1, 2, 5].includes(Number((v / 10 ** Math.floor(Math.log10(v))).toFixed(3))) ? fmt(v) : '') } : {},
  });
  return {
    type: bar ? 'bar' : spec.type === 'scatter' ? 'scatter' : 'line',
    data: bar ? { labels: spec.x.categories, datasets } : { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: bar ? undefined : false,
      plugins: { title: { display: true, text: spec.title }, legend: { position: 'bottom' } },
      scales: { x: axis(spec.x, !bar), y: axis(spec.y, true) },
    },
  };
}
const results = JSON.parse(document.getElementById('results').textContent);
window.hmapCharts = [];
results.experiments.forEach((e, i) => e.charts.forEach((spec, j) => {
  const canvas = document.getElementById('chart-' + i + '-' + j);
  window.hmapCharts.push(new Chart(canvas, config(spec)));
}));
document.body.dataset.rendered = String(window.hmapCharts.length);
`;
}

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
.verdict { font-weight: bold; }
.confirmed { color: #1a7f37; } .refuted { color: #cf222e; } .partly { color: #9a6700; }
h2 .verdict { font-size: 14px; border: 1px solid currentColor; border-radius: 4px; padding: 1px 6px; margin-left: 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.chart { position: relative; width: 560px; height: 340px; margin: 0; }
.source, .params { color: #666; }
section { border-top: 1px solid #ddd; margin-top: 2em; }
`;

export function renderReport(r: LabResults): string {
  const m = r.machine;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hmap lab report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${style}</style></head>
<body>
<h1>hmap lab report</h1>
<p>${esc(r.date)} · mode <b>${esc(r.mode)}</b> · seed ${esc(r.seed)} · hmap ${esc(r.version)} · Node ${esc(m.node)} on ${esc(m.platform)}/${esc(m.arch)},
${esc(m.cpus)} × ${esc(m.cpuModel)}, ${esc(m.memoryGiB)} GiB · ${(r.elapsedMs / 1000).toFixed(0)} s in all.</p>
<p>Each experiment turns a claim from the articles hmap was derived from (<code>shared/seeds/</code>) or from Go's
<code>runtime/map.go</code> into a measurement on hmap, with native <code>Map</code> as the reference. Verdicts are
computed from the numbers of this run; timings depend on the machine and on what else it was doing.</p>
${renderSummary(r)}
${r.experiments.map(renderExperiment).join('\n')}
<script id="results" type="application/json">${scriptSafe(JSON.stringify(r))}</script>
<script>${scriptSafe(chartLibrary())}</script>
<script>${scriptSafe(pageScript())}</script>
</body></html>
`;
}

/** Writes <dir>/index.html and <dir>/results.json; returns their paths. */
export function writeReport(r: LabResults, dir: string): { html: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'index.html');
  const json = join(dir, 'results.json');
  writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(html, renderReport(r));
  return { html, json };
}
