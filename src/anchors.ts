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
import { HashMap } from './map.js';

const anchors: unknown[] = [];
for (const key of keyKinds) {
  for (const value of valueKinds) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const m = new HashMap({ key, value } as any) as HashMap<unknown, unknown>;
    // Constructed only: running set or get here would feed every kind's shapes into the shared table functions'
    // type feedback and make them polymorphic (measured: 3-7% slower gets at 1e6 int32 keys).
    anchors.push(m, m.entries());
  }
}

/** The anchor maps (for tests). */
export function anchorCount(): number {
  return anchors.length;
}
