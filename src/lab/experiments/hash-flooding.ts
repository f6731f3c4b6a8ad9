import type { Experiment } from '../types.js';

export const hashFlooding: Experiment = {
  name: 'hash-flooding',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('hash-flooding: not written yet');
  },
};
