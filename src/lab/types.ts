// The lab's data model: what an experiment is, what it returns, and what the report draws from it.
//
// An experiment is a plain object with a run(ctx) function. It measures, then returns figures, tables and
// charts, and a verdict on the claim it tests, decided from its own numbers (never hard-coded). Everything in
// a result is plain JSON: results.json holds exactly what the HTML report draws.

/** How big the run is: smoke (tiny sizes, for tests), default (the `hmap lab` suite, ~3 minutes in all), full. */
export type LabMode = 'smoke' | 'default' | 'full';

export type Verdict = 'confirmed' | 'refuted' | 'partly';

/** One line of a chart: points as [x, y]. */
export interface Series {
  label: string;
  points: Array<[number, number]>;
}

/** A chart the report draws with Chart.js. Bar charts use `categories` for x (points' x are indexes into it). */
export interface ChartSpec {
  title: string;
  type: 'line' | 'scatter' | 'bar';
  x: { label: string; log?: boolean; categories?: string[] };
  y: { label: string; log?: boolean };
  series: Series[];
}

export interface TableSpec {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

/** What an experiment's run() returns. */
export interface Findings {
  /** Key figures by name (numbers in the unit their name says, e.g. `hmap_max_ms`). Shown in the summary. */
  figures: Record<string, number | string>;
  /** One line with the key figures, for the terminal summary. */
  summary: string;
  verdict: Verdict;
  /** Why the numbers give this verdict, with the numbers. */
  reason: string;
  /** The sizes and settings it ran with. */
  params: Record<string, number | string | boolean | Array<number | string>>;
  tables: TableSpec[];
  charts: ChartSpec[];
  /** Caveats a reader must know (machine noise, what was not measured). */
  notes?: string[];
}

export interface ExperimentResult extends Findings {
  name: string;
  title: string;
  claim: string;
  /** Where the claim comes from, e.g. `shared/seeds/000_f55fb209d67fe6e8.txt §2.1` or Go's runtime/map.go. */
  source: string;
  method: string;
  mode: LabMode;
  elapsedMs: number;
}

export interface LabContext {
  readonly mode: LabMode;
  /** The run's seed: experiments derive their keys (and any pinned hash seed) from it. */
  readonly seed: number;
  /** Picks a size by mode. */
  pick<T>(sizes: { smoke: T; default: T; full: T }): T;
  /** Reports progress inside the experiment (drives its progress bar). */
  progress(done: number, total: number): void;
}

export interface Experiment {
  /** Short kebab-case name, used by --only. */
  name: string;
  title: string;
  claim: string;
  source: string;
  method: string;
  run(ctx: LabContext): Findings | Promise<Findings>;
}

export interface LabResults {
  tool: 'hmap lab';
  version: string;
  date: string;
  mode: LabMode;
  seed: number;
  machine: { node: string; platform: string; arch: string; cpus: number; cpuModel: string; memoryGiB: number };
  elapsedMs: number;
  experiments: ExperimentResult[];
}
