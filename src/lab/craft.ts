// Key crafting for the hash-flooding experiment: int32 keys whose hashes collide under one known seed.
//
// hmap hashes a one-word key with MurmurHash3 x86_32 (src/hash.ts): hash1(w0, seed) = fmix32(mixBlock(seed, w0) ^ 4).
// For a fixed seed every step is a bijection on 32 bits, so hash1(., seed) is a permutation of the int32s and can
// be run backwards:
//   fmix32     xorshifts (x ^= x >>> s) and multiplications by odd constants: a xorshift by s is undone by
//              applying it again at s, 2s, 3s, ... (while < 32); an odd multiplier has an inverse mod 2^32.
//   mixBlock   for a given h (the seed): subtract the constant, multiply by 5^-1, rotate right 13, xor the seed,
//              multiply by c2^-1, rotate right 15, multiply by c1^-1.
// So for any target hash H there is exactly one int32 key k with hash1(k, seed) === H (invertHash1).
//
// A lookup lands in bucket hash & (2^B - 1) and compares a key only where the slot's tophash byte equals the top 8
// bits of the hash (layout.ts tophash(); access.ts/assign.ts). Crafted hashes therefore fix the low `bucketBits`
// bits (one bucket chain at every B <= bucketBits, since the table grows from small) and the top `topBits` bits
// (tophash matches, forcing full key compares), and count through the bits in between:
//
//   H = top fixed (topBits) | counter, low bits (8 - topBits) | counter, high bits (24 - bucketBits) | bucket (bucketBits)
//
// hmap's hash has 32 bits, not Go's 64, so at most 2^(32 - topBits - bucketBits) distinct keys share one bucket and
// one tophash: with all 8 top bits fixed and B = 11 only 8192 keys can fully collide. craftCollidingKeys fixes
// as many top bits as n allows (topBits defaults to the largest value that leaves room for n keys).

const c1 = 0xcc9e2d51;
const c2 = 0x1b873593;

/** Inverse of an odd number modulo 2^32 (Newton's iteration: each step doubles the correct low bits). */
export function inverseOdd(a: number): number {
  if ((a & 1) === 0) throw new RangeError(`inverseOdd: ${a} is even; only odd numbers are invertible mod 2^32`);
  let x = a | 0; // a * a = 1 mod 8: 3 correct bits
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x | 0;
}

const inv85 = inverseOdd(0x85ebca6b);
const invC2b = inverseOdd(0xc2b2ae35);
const inv5 = inverseOdd(5);
const invC1 = inverseOdd(c1);
const invC2 = inverseOdd(c2);

/** Undoes x ^= x >>> s (s >= 1). */
function unxorshift(x: number, s: number): number {
  let r = x;
  for (let t = s; t < 32; t += s) r = x ^ (r >>> s);
  return r | 0;
}

/** The x with fmix32(x) === h (as int32). */
export function invertFmix32(h: number): number {
  let x = h | 0;
  x = unxorshift(x, 16);
  x = Math.imul(x, invC2b);
  x = unxorshift(x, 13);
  x = Math.imul(x, inv85);
  x = unxorshift(x, 16);
  return x | 0;
}

/** The unique int32 key w0 with hash1(w0, seed) === (hash | 0). */
export function invertHash1(hash: number, seed: number): number {
  let h = invertFmix32(hash) ^ 4; // mixBlock's result
  h = Math.imul((h - 0xe6546b64) | 0, inv5);
  h = (h >>> 13) | (h << 19); // rotate right 13
  let k = h ^ (seed | 0);
  k = Math.imul(k, invC2);
  k = (k >>> 15) | (k << 17); // rotate right 15
  return Math.imul(k, invC1) | 0;
}

/** The B a map with the given load factor reaches when it holds n entries inserted from empty (hmap.ts setB/full). */
export function bucketBitsFor(n: number, loadFactor = 6.5): number {
  let B = 0;
  while (n > Math.max(8, Math.floor(loadFactor * 2 ** B))) B++;
  return B;
}

/** Distinct hashes (hence distinct keys) that share `bucketBits` low bits and `topBits` top bits. */
export function collisionCapacity(bucketBits: number, topBits: number): number {
  return 2 ** (32 - bucketBits - topBits);
}

/** The most top bits (<= 8) that can be fixed while leaving room for n distinct keys; -1 when even 0 is too many. */
export function maxTopBits(n: number, bucketBits: number): number {
  for (let t = 8; t >= 0; t--) if (collisionCapacity(bucketBits, t) >= n) return t;
  return -1;
}

export interface CraftOptions {
  /** Low hash bits fixed to `bucket`: the keys share one bucket chain in every table of 2^B buckets, B <= bucketBits. */
  bucketBits: number;
  /** Value of the fixed low bits (default 0x5a5a5 masked to bucketBits). */
  bucket?: number;
  /** Top hash bits fixed (0..8; default the most that leaves room for n keys, see maxTopBits). */
  topBits?: number;
  /** Top byte whose high `topBits` bits are fixed (default 0xc3; keep it >= 6 so tophash() does not remap it). */
  top?: number;
}

export interface Crafted {
  keys: Int32Array;
  /** The target hashes, keys[i] = invertHash1(hashes[i], seed). */
  hashes: Int32Array;
  bucketBits: number;
  topBits: number;
  bucket: number;
  top: number;
}

/**
 * n distinct int32 keys whose hash1 under `seed` all have the same low `bucketBits` bits and the same top
 * `topBits` bits. Throws a RangeError when 32 - bucketBits - topBits bits cannot count n keys.
 */
export function craftCollidingKeys(n: number, seed: number, opts: CraftOptions): Crafted {
  const bucketBits = opts.bucketBits;
  if (!Number.isInteger(bucketBits) || bucketBits < 0 || bucketBits > 24) {
    throw new RangeError(`craftCollidingKeys: bucketBits must be an integer in [0, 24], got ${bucketBits}`);
  }
  const topBits = opts.topBits ?? maxTopBits(n, bucketBits);
  if (!Number.isInteger(topBits) || topBits < 0 || topBits > 8) {
    throw new RangeError(`craftCollidingKeys: ${n} keys do not fit in ${32 - bucketBits} free hash bits`);
  }
  const free = 32 - bucketBits - topBits;
  if (n > 2 ** free) {
    throw new RangeError(`craftCollidingKeys: ${n} keys need more than the ${free} free hash bits (bucketBits ${bucketBits}, topBits ${topBits})`);
  }
  const lowMask = bucketBits === 0 ? 0 : bucketBits === 32 ? -1 : (1 << bucketBits) - 1;
  const bucket = (opts.bucket ?? 0x5a5a5) & lowMask;
  const top = (opts.top ?? 0xc3) & 0xff;
  const topFixed = topBits === 0 ? 0 : ((top >>> (8 - topBits)) << (32 - topBits)) | 0;
  const keys = new Int32Array(n);
  const hashes = new Int32Array(n);
  // The counter's low bits go to the free tophash bits, so consecutive keys cycle through the tophash values: at
  // any time each value holds about 1/2^(8 - topBits) of the chain, and every insert or lookup compares keys with
  // that share of the chain (O(n)), not just with the earlier keys of its own block of the counter.
  const topFree = 8 - topBits;
  const topFreeMask = (1 << topFree) - 1;
  for (let i = 0; i < n; i++) {
    // i < 2^free, so i >>> topFree fits the 24 - bucketBits middle bits
    const h = (topFixed | ((i & topFreeMask) << 24) | ((i >>> topFree) * 2 ** bucketBits) | bucket) | 0;
    hashes[i] = h;
    keys[i] = invertHash1(h, seed);
  }
  return { keys, hashes, bucketBits, topBits, bucket, top };
}
