import type { Experiment } from '../types.js';

export const presize: Experiment = {
  name: 'presize',
  title: 'TODO',
  claim: 'TODO',
  source: 'TODO',
  method: 'TODO',
  run() {
    throw new Error('presize: not written yet');
  },
};
