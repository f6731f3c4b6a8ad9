// Seeded hashing of keys that have been reduced to one or two 32-bit words.
//
// Every numeric key kind is first turned into its bit pattern (int32 and uint32: one word; float64 and bigint64:
// two words, low then high), so the table hashes and compares words and never looks at the JS value again.
// The mixer is MurmurHash3 x86_32 over those words: seeded, full avalanche (fmix32 at the end), and invertible
// for a known seed, which is exactly what the hash-flooding experiment needs to craft colliding keys.

import { getRandomValues } from 'node:crypto';

const c1 = 0xcc9e2d51;
const c2 = 0x1b873593;

/** MurmurHash3's body step for one 32-bit block. */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, c1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, c2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finalizer: every input bit affects every output bit. Returns an int32 (a Smi in V8: no boxing). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hash of a one-word key (int32, uint32): MurmurHash3 x86_32 of its 4 bytes, fmix32(mixBlock(seed, w0) ^ 4),
 * written out in one function. Returns an int32. Written out, with Math.imul in a local and the constants as
 * literals (c1 and c2 from the module would each cost a hole check), because the one-word get paths inline it
 * into the caller's loop, whose TurboFan inlining budget is counted in bytecode bytes (metrics.ts): 131 bytes
 * here against 202 for the three functions.
 */
export function hash1(w0: number, seed: number): number {
  const mul = Math.imul;
  let k = mul(w0, 0xcc9e2d51);
  k = mul((k << 15) | (k >>> 17), 0x1b873593);
  let h = seed ^ k;
  h = ((mul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0) ^ 4;
  h = mul(h ^ (h >>> 16), 0x85ebca6b);
  h = mul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of a two-word key (float64, bigint64 bit patterns): MurmurHash3 x86_32 of its 8 bytes. */
export function hash2(w0: number, w1: number, seed: number): number {
  return fmix32(mixBlock(mixBlock(seed, w0), w1) ^ 8);
}

const seedPool = new Int32Array(64);
let seedNext = seedPool.length;

/**
 * A fresh random 32-bit seed from the operating system's CSPRNG (Go: fastrand for h.hash0), as an int32 so
 * it is always a Smi: a seed stored as a heap number would give maps different hidden classes and
 * deoptimize the hot paths. Drawn 64 at a time, since a map re-seeds every time it empties.
 */
export function randomSeed(): number {
  if (seedNext === seedPool.length) {
    getRandomValues(seedPool);
    seedNext = 0;
  }
  return seedPool[seedNext++]!;
}

// Strings are hashed as MurmurHash3 x86_32 over their UTF-16 code units read as little-endian bytes: units 2i
// and 2i+1 form block i (low half, high half), an odd last unit is the tail, and the length mixed in is the
// byte length (2 per unit). The same function runs over a JS string (lookups) and over units stored in an arena
// (evacuation, iteration, verify): hashString(s) === hashUnits(units of s) for every s (test/strings.test.ts).

/** MurmurHash3's tail step for the last (odd) unit. */
function mixTail(h: number, k: number): number {
  k = Math.imul(k, c1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, c2);
  return h ^ k;
}

/** Hash of a string key: MurmurHash3 x86_32 of its UTF-16LE bytes. Returns an int32. */
export function hashString(s: string, seed: number): number {
  const n = s.length;
  let h = seed;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixBlock(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mixTail(h, s.charCodeAt(i));
  return fmix32(h ^ (n << 1));
}

/** hashString over `len` code units stored at `off` in `data`. */
export function hashUnits(data: Uint16Array, off: number, len: number, seed: number): number {
  let h = seed;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) h = mixBlock(h, data[i]! | (data[i + 1]! << 16));
  if (i < end) h = mixTail(h, data[i]!);
  return fmix32(h ^ (len << 1));
}
