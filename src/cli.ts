#!/usr/bin/env node
// The hmap command line: `hmap lab` runs the lab (experiments on the design's claims) and writes its report.
// A development tool: it uses the package's dev dependencies (commander, cli-progress, cli-table3, Chart.js,
// hdr-histogram-js ...), which the library itself never imports.

import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { experimentNames, runLab } from './lab/run.js';
import { writeReport } from './lab/report.js';
import type { LabMode, LabResults } from './lab/types.js';

function version(): string {
  // dist/cli.js, or build/src/cli.js when run from the test build.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'hmap') return pkg.version;
    } catch {
      // not there: try the next place
    }
  }
  return 'unknown';
}

function parseSeed(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s.trim()) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new InvalidArgumentError('the seed must be an integer in [0, 4294967295]');
  }
  return n;
}

function parseOnly(s: string): string[] {
  const names = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (names.length === 0) throw new InvalidArgumentError('name at least one experiment');
  for (const n of names) {
    if (!experimentNames.includes(n)) throw new InvalidArgumentError(`unknown experiment ${JSON.stringify(n)}; experiments are ${experimentNames.join(', ')}`);
  }
  return names;
}

function printSummary(r: LabResults, out: { html: string; json: string }): void {
  const table = new Table({
    head: ['experiment', 'claim', 'key figures', 'verdict'],
    colWidths: [17, 44, 56, 11],
    wordWrap: true,
  });
  for (const e of r.experiments) table.push([e.name, e.claim, e.summary, e.verdict]);
  console.log(table.toString());
  console.log(`hmap lab (${r.mode}, seed ${r.seed}) finished in ${(r.elapsedMs / 1000).toFixed(0)} s: ${out.html}, ${out.json}`);
}

async function lab(opts: { full: boolean; only?: string[]; out: string; json: boolean; seed?: number; smoke: boolean }): Promise<void> {
  const mode: LabMode = opts.smoke ? 'smoke' : opts.full ? 'full' : 'default';
  // Progress goes to stderr so that --json keeps stdout clean. Bars draw on a terminal; elsewhere (CI, pipes)
  // one line per finished experiment.
  const tty = process.stderr.isTTY === true;
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: ' {name} |{bar}| {percentage}% | {duration_formatted}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let label = '';
  let started = 0;
  let results: LabResults;
  try {
    results = await runLab({
      mode,
      only: opts.only,
      seed: opts.seed,
      version: version(),
      onStart: (e, i, total) => {
        started = performance.now();
        label = `[${i + 1}/${total}] ${e.name.padEnd(16)}`;
        if (tty) bar = bars.create(1000, 0, { name: label });
      },
      onProgress: (_e, done, total) => bar?.update(total > 0 ? Math.min(1000, Math.round((1000 * done) / total)) : 0),
      onEnd: () => {
        bar?.update(1000);
        bar?.stop();
        if (!tty) process.stderr.write(` ${label} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      },
    });
  } finally {
    bars.stop();
  }
  const out = writeReport(results, opts.out);
  if (opts.json) console.log(JSON.stringify(results, null, 2));
  else printSummary(results, out);
}

const program = new Command()
  .name('hmap')
  .description('hmap: the Go runtime map for Node.js. Tools for the project: the lab.')
  .version(version());

program
  .command('lab')
  .description('test the design claims of the articles hmap was derived from with measurements; write an HTML report')
  .option('--full', 'larger sizes and more repetitions (about 15 minutes instead of 3)', false)
  .option('--only <names>', `comma-separated experiments to run: ${experimentNames.join(', ')}`, parseOnly)
  .option('--out <dir>', 'where to write index.html and results.json', 'lab-report')
  .option('--json', 'print every result as JSON on stdout instead of the summary table', false)
  .option('--seed <n>', 'seed for the keys and for the hash seeds an experiment pins (default: random)', parseSeed)
  .addOption(new Option('--smoke', 'tiny sizes, seconds in all: checks that every experiment runs').conflicts('full'))
  .action(async (opts) => lab(opts));

await program.parseAsync(process.argv);
