import type { Experiment } from '../types.js';

export const growthPauses: Experiment = {
  name: 'growth-pauses',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('growth-pauses: not written yet');
  },
};
