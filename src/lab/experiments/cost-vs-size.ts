import type { Experiment } from '../types.js';

export const costVsSize: Experiment = {
  name: 'cost-vs-size',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('cost-vs-size: not written yet');
  },
};
