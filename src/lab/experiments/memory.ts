import type { Experiment } from '../types.js';

export const memory: Experiment = {
  name: 'memory',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('memory: not written yet');
  },
};
