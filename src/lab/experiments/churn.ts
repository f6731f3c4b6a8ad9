import type { Experiment } from '../types.js';

export const churn: Experiment = {
  name: 'churn',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('churn: not written yet');
  },
};
