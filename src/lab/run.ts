// Runs experiments and gathers their results. The terminal (progress bars, summary) and the report are the
// CLI's business; this file only measures and collects, so tests call it directly.

import { cpus, platform, arch, totalmem } from 'node:os';
import { randomInt } from 'node:crypto';
import { experiments } from './experiments/index.js';
import { gc } from './measure.js';
import type { Experiment, ExperimentResult, LabContext, LabMode, LabResults } from './types.js';

export interface LabOptions {
  mode: LabMode;
  /** Experiment names to run (default: all, in order). Unknown names throw a RangeError. */
  only?: readonly string[];
  /** Seed for keys and pinned hash seeds (default: random). */
  seed?: number;
  /** Version string recorded in the results. */
  version?: string;
  onStart?(e: Experiment, index: number, total: number): void;
  onProgress?(e: Experiment, done: number, total: number): void;
  onEnd?(r: ExperimentResult): void;
}

export const experimentNames: readonly string[] = experiments.map((e) => e.name);

/** The experiments `only` names, in the lab's order. */
export function selectExperiments(only?: readonly string[]): Experiment[] {
  if (only === undefined) return [...experiments];
  for (const name of only) {
    if (!experimentNames.includes(name)) {
      throw new RangeError(`hmap lab: unknown experiment ${JSON.stringify(name)}; experiments are ${experimentNames.join(', ')}`);
    }
  }
  return experiments.filter((e) => only.includes(e.name));
}

export async function runLab(opts: LabOptions): Promise<LabResults> {
  const selected = selectExperiments(opts.only);
  const seed = opts.seed ?? randomInt(0, 2 ** 31);
  const started = performance.now();
  const results: ExperimentResult[] = [];
  for (let i = 0; i < selected.length; i++) {
    const e = selected[i]!;
    opts.onStart?.(e, i, selected.length);
    const ctx: LabContext = {
      mode: opts.mode,
      seed,
      pick: (sizes) => sizes[opts.mode],
      progress: (done, total) => opts.onProgress?.(e, done, total),
    };
    gc();
    const t0 = performance.now();
    const findings = await e.run(ctx);
    const result: ExperimentResult = {
      name: e.name,
      title: e.title,
      claim: e.claim,
      source: e.source,
      method: e.method,
      mode: opts.mode,
      elapsedMs: Math.round(performance.now() - t0),
      ...findings,
    };
    results.push(result);
    opts.onEnd?.(result);
  }
  const cpu = cpus();
  return {
    tool: 'hmap lab',
    version: opts.version ?? 'unknown',
    date: new Date().toISOString(),
    mode: opts.mode,
    seed,
    machine: {
      node: process.version,
      platform: platform(),
      arch: arch(),
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    elapsedMs: Math.round(performance.now() - started),
    experiments: results,
  };
}
