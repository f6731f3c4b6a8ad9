// The failure-message helper of the worker tests (test/stacks.ts) must work when it is needed: a worker that
// loops, or sleeps in short Atomics.wait calls, answers with its stack; one that has exited is reported so.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { workerStacks } from './stacks.js';

describe('workerStacks (test helper)', () => {
  it('names the functions a looping and a waiting worker are in, after other workers came and went', async () => {
    // Other workers first: the inspector numbers workers its own way, the helper must match them by threadId.
    for (let i = 0; i < 2; i++) {
      const x = new Worker('0', { eval: true });
      await new Promise((r) => x.once('exit', r));
    }
    const spinner = new Worker('function spinHere() { for (;;) {} } spinHere();', { eval: true });
    const sleeper = new Worker('const a = new Int32Array(new SharedArrayBuffer(4)); function sleepHere() { for (;;) Atomics.wait(a, 0, 0, 100); } sleepHere();', { eval: true });
    const gone = new Worker('0', { eval: true });
    await new Promise((r) => gone.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    try {
      const st = await workerStacks([spinner, sleeper, gone], 1500);
      assert.match(st.get(spinner.threadId)!, /^spinHere /);
      assert.match(st.get(sleeper.threadId)!, /^sleepHere /);
      assert.match(st.get(gone.threadId)!, /no answer/);
    } finally {
      await Promise.all([spinner.terminate(), sleeper.terminate()]);
    }
  });
});
