import type { Experiment } from '../types.js';

export const loadFactor: Experiment = {
  name: 'load-factor',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('load-factor: not written yet');
  },
};
