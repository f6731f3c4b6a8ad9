// The hmap contestant of shared-throughput: hmap's shared HashMap ({ shared: true }) created and filled in the
// main thread, attached in the workers with HashMap.attach(m.share()).

import { HashMap } from '../../index.js';

/** The part of the shared map's API the benchmark uses. */
export interface SharedInt32Map {
  get(key: number): number | undefined;
  set(key: number, value: number): unknown;
  readonly size: number;
  share(): unknown;
  verify?(): void;
}

interface SharedCtor {
  new (options: { key: 'int32'; value: 'int32'; shared: true; capacity?: number; concurrency?: 'locked' | 'none'; seed?: number }): SharedInt32Map;
  attach(handle: unknown): SharedInt32Map;
}

export type HmapConcurrency = 'locked' | 'none';

const Shared = HashMap as unknown as SharedCtor;

/** null when this build of hmap has shared maps, else why not. */
export function hmapUnavailable(): string | null {
  if (typeof Shared.attach !== 'function') return 'this build of hmap has no shared maps (HashMap.attach is missing)';
  try {
    const m = new Shared({ key: 'int32', value: 'int32', shared: true, capacity: 8 });
    if (typeof m.share !== 'function') return 'this build of hmap has no shared maps (share() is missing)';
  } catch (e) {
    return `new HashMap({ shared: true }) threw: ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}

/** A shared int32 -> int32 map holding keys[i] -> i, presized for them. */
export function createHmap(keys: Int32Array, concurrency: HmapConcurrency): SharedInt32Map {
  const m = new Shared({ key: 'int32', value: 'int32', shared: true, capacity: keys.length, concurrency });
  for (let i = 0; i < keys.length; i++) m.set(keys[i]!, i);
  return m;
}

export function attachHmap(handle: unknown): SharedInt32Map {
  return Shared.attach(handle);
}
