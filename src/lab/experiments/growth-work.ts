import type { Experiment } from '../types.js';

export const growthWork: Experiment = {
  name: 'growth-work',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('growth-work: not written yet');
  },
};
