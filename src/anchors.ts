// Keeps one small map of every key and value kind alive for the life of the process.
//
// V8's optimized code embeds the hidden classes (maps) of the objects it has seen, and deoptimizes ("weak
// objects") when the garbage collector frees one of them. The classes of a HashMap's internal objects (the map,
// its header, tables, segments, iterators) are reached only through the objects that have them, so when a
// program's last HashMap of a kind dies, the next GC throws away every optimized function that used them, and
// the next map of that kind runs unoptimized code until V8 re-optimizes: measured 1.7x slower gets for a map
// made, used and dropped between GCs (200,000 int32 keys, 5 lookups each: 42-48 ms with an anchor, 69-90 ms
// without). One tiny map per kind (a bucket each, a few KB in all) keeps those classes, and the code, alive.

import { keyKinds, valueKinds } from './kinds/kinds.js';
import type { KeyKind, ValueKind } from './kinds/kinds.js';
import { HashMap } from './map.js';

const sample: Record<KeyKind | ValueKind, unknown> = {
  int32: 1,
  uint32: 1,
  float64: 0.5,
  bigint64: 1n,
  string: 'a',
  any: null,
};

const anchors: unknown[] = [];
for (const key of keyKinds) {
  for (const value of valueKinds) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const m = new HashMap({ key, value } as any) as HashMap<unknown, unknown>;
    m.set(sample[key], sample[value]);
    const it = m.entries();
    it.next();
    anchors.push(m, it);
  }
}

/** The anchor maps (for tests). */
export function anchorCount(): number {
  return anchors.length;
}
