// The npm contestants of shared-throughput, loaded by name at run time (they are devDependencies: an installed
// hmap runs its lab without them and reports them as n/a):
//
//   sharedmap (npm `sharedmap`, mmomtchev/SharedMap): a coalesced hash map in one SharedArrayBuffer, fixed
//     capacity, fixed key and value sizes in UTF-16 units, string keys only (set() throws on a number key), values
//     stored as strings (a number is converted); get/set take a shared map-wide read lock (a spin/wait lock taken
//     twice per op) and lock the lines they touch. Keys here: String(k), built once per worker before the run.
//   shareable-map (npm `shared-memory-datastructures`, ShareableMap): a chained hash map over two
//     SharedArrayBuffers (index and data), keys and values JSON-encoded; no locks, delete() throws, set() of a
//     present key appends a second entry that get() never returns (updates are not supported), and growing
//     replaces its buffers (other threads keep the old ones): only a read-only mix is meaningful.

/** sharedmap's API as used here. */
export interface NpmSharedMap {
  set(key: string, value: string | number): void;
  get(key: string): string | undefined;
  readonly length: number;
}

/** ShareableMap's API as used here. */
export interface NpmShareableMap {
  set(key: number, value: number): unknown;
  get(key: number): number | undefined;
  readonly size: number;
  getBuffers(): ArrayBufferLike[];
  setBuffers(index: ArrayBufferLike, data: ArrayBufferLike): void;
}

type SharedMapCtor = (new (maxSize: number, keySize: number, objSize: number) => NpmSharedMap) & { prototype: object };
type ShareableCtor = new (expectedSize?: number, averageBytesPerValue?: number) => NpmShareableMap;

// Specifiers in variables: TypeScript does not resolve them (sharedmap's own .d.ts does not parse), and an
// installed hmap without its devDependencies still loads this file.
const sharedmapName = 'sharedmap';
const shareableName = 'shared-memory-datastructures';

async function load(name: string): Promise<Record<string, unknown> | string> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (e) {
    return `npm package ${name} is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

/** The SharedMap class, or why it cannot be loaded. */
export async function loadSharedMap(): Promise<SharedMapCtor | string> {
  const m = await load(sharedmapName);
  if (typeof m === 'string') return m;
  const c = m.default;
  return typeof c === 'function' ? (c as SharedMapCtor) : `npm package ${sharedmapName} has no default export`;
}

export async function loadShareable(): Promise<ShareableCtor | string> {
  const m = await load(shareableName);
  if (typeof m === 'string') return m;
  const ns = (m.default ?? m) as Record<string, unknown>;
  const c = ns.ShareableMap ?? m.ShareableMap;
  return typeof c === 'function' ? (c as ShareableCtor) : `npm package ${shareableName} has no ShareableMap`;
}

/** UTF-16 units of a key: String() of an int32 has at most 11 ("-2147483648"). */
export const sharedmapKeyUnits = 12;
export const sharedmapValueUnits = 12;
/** sharedmap's capacity over the number of keys (it is a fixed-size table; its README: fine up to 95% full). */
export const sharedmapHeadroom = 1.25;

/** A sharedmap holding String(keys[i]) -> i. */
export function createSharedMap(Ctor: SharedMapCtor, keys: Int32Array): NpmSharedMap {
  const m = new Ctor(Math.ceil(keys.length * sharedmapHeadroom), sharedmapKeyUnits, sharedmapValueUnits);
  for (let i = 0; i < keys.length; i++) m.set(String(keys[i]!), i);
  return m;
}

/** A sharedmap received by postMessage (a structured clone: the same SharedArrayBuffer, without its prototype). */
export function attachSharedMap(Ctor: SharedMapCtor, handle: unknown): NpmSharedMap {
  return Object.setPrototypeOf(handle as object, Ctor.prototype) as NpmSharedMap;
}

/** A ShareableMap holding keys[i] -> i; its handle is getBuffers() once filled. */
export function createShareable(Ctor: ShareableCtor, keys: Int32Array): NpmShareableMap {
  const m = new Ctor(keys.length, 16);
  for (let i = 0; i < keys.length; i++) m.set(keys[i]!, i);
  return m;
}

export function attachShareable(Ctor: ShareableCtor, handle: unknown): NpmShareableMap {
  const [index, data] = handle as [ArrayBufferLike, ArrayBufferLike];
  const m = new Ctor(4, 16);
  m.setBuffers(index, data);
  return m;
}
