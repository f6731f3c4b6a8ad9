// Every experiment of the lab, in the order `hmap lab` runs them and the report shows them.

import type { Experiment } from '../types.js';
import { growthPauses } from './growth-pauses.js';
import { loadFactor } from './load-factor.js';
import { chainLengths } from './chain-lengths.js';
import { growthWork } from './growth-work.js';
import { churn } from './churn.js';
import { costVsSize } from './cost-vs-size.js';
import { hashFlooding } from './hash-flooding.js';
import { memory } from './memory.js';
import { orderedVsHash } from './ordered-vs-hash.js';
import { presize } from './presize.js';
import { mutexFairness } from './mutex-fairness.js';
import { sharedThroughput } from './shared-throughput.js';

export const experiments: readonly Experiment[] = [
  growthPauses,
  loadFactor,
  chainLengths,
  growthWork,
  churn,
  costVsSize,
  hashFlooding,
  memory,
  orderedVsHash,
  presize,
  mutexFairness,
  sharedThroughput,
];
