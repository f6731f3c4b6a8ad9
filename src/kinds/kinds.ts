// Key and value kinds: their names, their TypeScript types, and how a JS value is checked and turned into the
// words the table stores. Checks throw before anything is written, so a rejected call leaves the map unchanged.

export const keyKinds = ['int32', 'uint32', 'float64', 'bigint64', 'string', 'any'] as const;
export const valueKinds = ['int32', 'uint32', 'float64', 'bigint64', 'string', 'any'] as const;

export type KeyKind = (typeof keyKinds)[number];
/** The key kinds that reject some JS values (every kind but 'any'). */
export type CheckedKeyKind = Exclude<KeyKind, 'any'>;
export type ValueKind = (typeof valueKinds)[number];

/** The JS type of a key kind: bigint64 gives bigint, string string, any unknown (every JS value), the others number. */
export type KeyType<K extends KeyKind> = K extends 'bigint64'
  ? bigint
  : K extends 'string'
    ? string
    : K extends 'any'
      ? unknown
      : number;
/** The JS type of a value kind: bigint64 gives bigint, string string, any gives unknown, the others number. */
export type ValueType<V extends ValueKind> = V extends 'bigint64'
  ? bigint
  : V extends 'string'
    ? string
    : V extends 'any'
      ? unknown
      : number;

/** Words each kind occupies in a bucket (any: 0, its values live in a side array; string: (ref, len)). */
export function wordsOf(kind: ValueKind): number {
  return kind === 'int32' || kind === 'uint32' ? 1 : kind === 'any' ? 0 : 2;
}

/** A value kind's storage code: its index in valueKinds, which is the order of table/layout.ts's ValueRep. */
export function valueKindCode(kind: ValueKind): number {
  return valueKinds.indexOf(kind);
}

/** A short, safe rendering of any value for error messages. */
export function describe(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
    case 'bigint':
      return `${v}n`;
    case 'symbol':
      return v.toString();
    case 'function':
      return `function ${v.name || '(anonymous)'}`;
    case 'object':
      return v === null ? 'null' : Object.prototype.toString.call(v);
    default:
      return Object.is(v, -0) ? '-0' : String(v);
  }
}

const ranges: Record<CheckedKeyKind, string> = {
  int32: 'an integer in [-2147483648, 2147483647]',
  uint32: 'an integer in [0, 4294967295]',
  float64: 'a number',
  bigint64: 'a bigint in [-(2n ** 63n), 2n ** 63n - 1n]',
  string: 'a string',
};

/**
 * Throws the error for a value outside its kind: TypeError for the wrong JS type, RangeError for the right
 * type outside the kind's range.
 */
export function rejectKind(kind: CheckedKeyKind, role: 'key' | 'value', v: unknown): never {
  const expected = kind === 'bigint64' ? 'bigint' : kind === 'string' ? 'string' : 'number';
  const msg = `hmap: ${kind} ${role} must be ${ranges[kind]}, got ${describe(v)}`;
  if (typeof v !== expected) throw new TypeError(msg);
  throw new RangeError(msg);
}

export function isInt32(v: unknown): v is number {
  return typeof v === 'number' && (v | 0) === v;
}

export function isUint32(v: unknown): v is number {
  return typeof v === 'number' && v >>> 0 === v;
}

export function isBigInt64(v: unknown): v is bigint {
  return typeof v === 'bigint' && BigInt.asIntN(64, v) === v;
}

// Scratch views for splitting 8-byte values into two words (no allocation per call).
const f64Scratch = new Float64Array(1);
const b64Scratch = new BigInt64Array(f64Scratch.buffer);
const wordScratch = new Int32Array(f64Scratch.buffer);

/**
 * Splits a float64 key into words, normalized for SameValueZero: -0 becomes +0 and every NaN the canonical NaN.
 * Returns the low word; the high word is left in `scratchHigh()`.
 */
export function float64Words(v: number): number {
  f64Scratch[0] = v === 0 ? 0 : v !== v ? NaN : v;
  return wordScratch[0]!;
}

/** Splits a bigint64 into words; returns the low word, the high word is in `scratchHigh()`. */
export function bigint64Words(v: bigint): number {
  b64Scratch[0] = v;
  return wordScratch[0]!;
}

export function scratchHigh(): number {
  return wordScratch[1]!;
}
