// Jobs on a shared map of string keys, for test/shared-strings.test.ts: 'count' increments keys 'c<i>' of a
// string -> int32 map; 'write' sets self-checking string values ('<key>|<round>|<key>') on its own keys while
// the map grows; 'read' checks that every value it sees belongs to its key; 'churn' sets, overwrites and deletes
// until stopped (killed by the test).

import { parentPort, workerData } from 'node:worker_threads';
import { HashMap } from '../../src/index.js';
import type { SharedHashMapHandle } from '../../src/index.js';

const d = workerData as { job: string; handle: SharedHashMapHandle; w: number; n: number; rounds: number; stop: Int32Array };
const m = HashMap.attach<string, unknown>(d.handle);
let x = d.w * 7919 + 17;
const rnd = (n: number): number => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) % n;
};

if (d.job === 'count') {
  for (let i = 0; i < d.n; i++) m.increment(`c${rnd(500)}`, 1 as never);
  parentPort!.postMessage({ ok: true });
} else if (d.job === 'write') {
  for (let r = 0; r < d.rounds; r++) {
    for (let i = 0; i < d.n; i++) {
      const k = `w${d.w}-${i}-${'x'.repeat(i % 70)}`;
      m.set(k, `${k}|${r}|${k}`);
    }
  }
  parentPort!.postMessage({ ok: true });
} else if (d.job === 'read') {
  let seen = 0;
  let bad = '';
  while (Atomics.load(d.stop, 0) === 0 && bad === '') {
    const w = 1 + rnd(2);
    const i = rnd(d.n);
    const k = `w${w}-${i}-${'x'.repeat(i % 70)}`;
    const v = m.get(k) as string | undefined;
    if (v === undefined) continue;
    seen++;
    const parts = v.split('|');
    if (parts.length !== 3 || parts[0] !== k || parts[2] !== k) bad = `key ${k} read ${JSON.stringify(v.slice(0, 200))}`;
  }
  parentPort!.postMessage({ ok: bad === '', seen, bad });
} else if (d.job === 'churn') {
  Atomics.add(d.stop, 1, 1); // started
  for (;;) {
    const k = `k${rnd(2000)}`;
    const op = rnd(4);
    if (op === 0) m.delete(k);
    else if (op === 1) m.set(k, 'v'.repeat(rnd(100)));
    else if (op === 2) m.update(k, (old) => `${(old as string | undefined)?.length ?? 0}`);
    else m.get(k);
  }
}
