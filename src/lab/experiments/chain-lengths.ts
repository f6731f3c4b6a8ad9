import type { Experiment } from '../types.js';

export const chainLengths: Experiment = {
  name: 'chain-lengths',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('chain-lengths: not written yet');
  },
};
