// The string arena of one table generation: where the code units of string keys and string values live.
//
// A slot of kind string holds two words, (ref, len): len is the string's length in UTF-16 code units, ref says
// where its units start. Units are stored as they are (no encoding: lone surrogates round-trip, '' is len 0
// and occupies nothing), appended to chunks (Uint16Arrays) that are never moved or copied:
//
//   ref = chunk index << 22 | unit position in the chunk      (read back as ref >>> 22 and ref & 0x3fffff)
//
// The ref is the word's 32 bits read unsigned, so 10 bits of chunk index and 22 of position: chunks hold at
// most 2^22 units (8 MiB) and the arena at most 1024 chunks, 8 GiB, beyond 2^31 bytes as it must be (a table
// of 2^28 buckets can hold more entries than fit in any smaller arena). A string never straddles chunks: one
// that does not fit in the current chunk's rest opens a new chunk, and one longer than maxDedicated gets a
// chunk of its own, sized to it, so the current chunk is not abandoned for it. The first chunk holds
// exactly the units the arena is expected to receive (a table made by a growth passes the live units of the
// arena it replaces), and each later chunk a quarter of what the arena already allocated (at least minChunk,
// at most maxChunk), so the unused tail of an arena is at most about a fifth of its bytes. (Chunks that doubled
// left up to half of an arena unused: measured 3.9 bytes per held unit after a compaction, now about 2.5.)
//
// The arena is append-only: deleting a string or overwriting a string value only moves its length from `live`
// to `dead`. Dead units are reclaimed by evacuation, which copies only live strings into the next table's
// arena: a doubling does that anyway, and when dead units exceed live ones (and minDead) the map starts a
// same-size growth for it (strings.ts: compactIfDirty). The old table's arena stays reachable from the old
// table's segments until the old table is dropped, so iterators following moved keys can still read them.
//
// Accounting (checked by verify.ts): live = the summed lengths of the strings in this table's live slots
// (tophash >= Slot.minTopHash; evacuation moves a string's units from live to dead in the old arena).

/** Position bits of a ref. */
const posBits = 22;
const posMask = (1 << posBits) - 1;
/** Largest chunk that holds many strings: 2^22 units (8 MiB). */
const maxChunk = 1 << posBits;
/** Strings at least this long get a chunk of their own. */
const maxDedicated = 1 << 20;
/** Chunks an arena can address. */
const maxChunks = 1 << (32 - posBits);
/** Smallest first chunk. */
const minChunk = 256;
/** Strings up to this length are written and read unit by unit; longer ones through Buffer's utf16le codec. */
const shortString = 32;

/** Dead units below which a map never compacts (tiny maps would otherwise re-pack constantly). */
export const minDead = 4096;

export class Arena {
  readonly chunks: Uint16Array[] = [];
  /** Node Buffers over the same memory, for the utf16le codec on long strings (created with each chunk). */
  private readonly bufs: Buffer[] = [];
  /** Index of the chunk being filled, -1 before the first store. */
  private cur = -1;
  /** Next free unit in the current chunk and that chunk's capacity. */
  private pos = 0;
  private cap = 0;
  /** Capacity of the next geometric chunk. */
  private nextCap: number;
  /** Units of live strings, and of strings deleted or overwritten since this arena was made. */
  live = 0;
  dead = 0;
  /** Bytes of every chunk. */
  bytes = 0;

  /** `hint`: units the arena is expected to hold soon (a growth passes the old arena's live units). */
  constructor(hint = 0) {
    this.nextCap = Math.min(maxChunk, Math.max(minChunk, hint));
  }

  private newChunk(units: number): number {
    const idx = this.chunks.length;
    if (idx >= maxChunks) throw new RangeError(`hmap: string arena is full (${maxChunks} chunks, ${this.bytes} bytes)`);
    const data = new Uint16Array(units);
    this.chunks.push(data);
    this.bufs.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.bytes += data.byteLength;
    return idx;
  }

  /** Reserves `len` units for a string and returns its ref; the caller writes the units (see store, copy). */
  alloc(len: number): number {
    if (len === 0) return 0;
    this.live += len;
    if (this.pos + len <= this.cap) {
      const p = this.pos;
      this.pos = p + len;
      return (this.cur << posBits) | p;
    }
    if (len >= maxDedicated) return this.newChunk(len) << posBits;
    const c = Math.max(this.nextCap, len);
    this.cur = this.newChunk(c);
    // A quarter of the units allocated so far (bytes / 8): the arena grows by about 1.25x per chunk.
    this.nextCap = Math.min(maxChunk, Math.max(minChunk, this.bytes >>> 3));
    this.cap = c;
    this.pos = len;
    return this.cur << posBits;
  }

  /** Appends the units of s; returns its ref. */
  store(s: string): number {
    const len = s.length;
    const ref = this.alloc(len);
    if (len === 0) return ref;
    const ci = ref >>> posBits;
    const p = ref & posMask;
    if (len <= shortString) {
      const d = this.chunks[ci]!;
      for (let i = 0; i < len; i++) d[p + i] = s.charCodeAt(i);
    } else {
      this.bufs[ci]!.write(s, p << 1, len << 1, 'utf16le');
    }
    return ref;
  }

  /** Appends a copy of the string (ref, len) of arena `src`; returns its ref here. */
  copy(src: Arena, ref: number, len: number): number {
    const nref = this.alloc(len);
    if (len === 0) return nref;
    const p = ref & posMask;
    this.chunks[nref >>> posBits]!.set(src.chunks[ref >>> posBits]!.subarray(p, p + len), nref & posMask);
    return nref;
  }

  /** The string (ref, len) as a JS string. */
  read(ref: number, len: number): string {
    if (len === 0) return '';
    const p = ref & posMask;
    const ci = ref >>> posBits;
    if (len <= shortString) {
      const d = this.chunks[ci]!;
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(d[p + i]!);
      return s;
    }
    return this.bufs[ci]!.toString('utf16le', p << 1, (p + len) << 1);
  }

  /** Whether the string (ref, len) is s; the caller has already compared len with s.length. */
  equals(ref: number, len: number, s: string): boolean {
    if (len === 0) return true;
    const d = this.chunks[ref >>> posBits]!;
    const p = ref & posMask;
    for (let i = 0; i < len; i++) if (d[p + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** The chunk holding ref (for hashing stored units with hashUnits). */
  chunkOf(ref: number): Uint16Array {
    return this.chunks[ref >>> posBits]!;
  }

  /** Marks `len` live units dead (a string deleted, overwritten or moved out by evacuation). */
  free(len: number): void {
    this.live -= len;
    this.dead += len;
  }

  /** Whether (ref, len) lies inside an allocated chunk (verify). */
  inRange(ref: number, len: number): boolean {
    if (len === 0) return true;
    const ci = ref >>> posBits;
    if (ci >= this.chunks.length) return false;
    const p = ref & posMask;
    return p + len <= this.chunks[ci]!.length && (ci !== this.cur || p + len <= this.pos);
  }
}

/** Unit position of a ref inside its chunk. */
export function refPos(ref: number): number {
  return ref & posMask;
}
