import type { Experiment } from '../types.js';

export const orderedVsHash: Experiment = {
  name: 'ordered-vs-hash',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('ordered-vs-hash: not written yet');
  },
};
