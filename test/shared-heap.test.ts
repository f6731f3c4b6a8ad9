// The shared heap (src/shared/heap.ts): size classes, reuse, zeroing, the maxBytes limit, regions filling up,
// attach, and allocation from several worker threads at once; verify() after every step.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { SharedHeap, granule, maxBlockBytes, maxRegionBytes, refOffset, refRegion, sizeClass } from '../src/shared/heap.js';

/** [start, end) bytes of a block in a flat address space: region * 2^32 + offset. */
function span(ref: number, bytes: number): [number, number] {
  const size = granule << sizeClass(bytes);
  const start = refRegion(ref) * maxRegionBytes + refOffset(ref);
  return [start, start + size];
}

function assertDisjoint(blocks: Array<{ ref: number; bytes: number }>): void {
  const spans = blocks.map((b) => span(b.ref, b.bytes)).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    assert.ok(spans[i - 1]![1] <= spans[i]![0], `blocks overlap: [${spans[i - 1]}] and [${spans[i]}]`);
  }
}

describe('shared heap: size classes', () => {
  it('rounds up to powers of two of 64-byte granules', () => {
    const cases: Array<[number, number]> = [
      [1, 0],
      [64, 0],
      [65, 1],
      [128, 1],
      [129, 2],
      [4096, 6],
      [4097, 7],
      [maxBlockBytes, 25],
    ];
    for (const [bytes, c] of cases) assert.equal(sizeClass(bytes), c, `${bytes} bytes`);
  });

  it('rejects sizes outside 1 byte..2 GiB', () => {
    for (const bad of [0, -1, NaN, maxBlockBytes + 1, Infinity]) assert.throws(() => sizeClass(bad), RangeError, String(bad));
  });
});

describe('shared heap: alloc and free', () => {
  it('hands out aligned, zeroed, disjoint blocks and never ref 0', () => {
    const heap = SharedHeap.create(1 << 20, 1 << 16);
    const blocks: Array<{ ref: number; bytes: number }> = [];
    for (const bytes of [1, 64, 65, 200, 1000, 4096, 7, 8192]) {
      const ref = heap.alloc(bytes);
      assert.notEqual(ref, 0);
      assert.equal(refOffset(ref) % granule, 0);
      const b = heap.bytesOf(ref, granule << sizeClass(bytes));
      assert.ok(b.every((v) => v === 0), 'a fresh block is zero');
      b.fill(0xab);
      blocks.push({ ref, bytes });
      heap.verify();
    }
    assertDisjoint(blocks);
  });

  it('reuses a freed block for the same class, zeroed again; other classes do not take it', () => {
    const heap = SharedHeap.create(1 << 20, 1 << 16);
    const a = heap.alloc(1000);
    heap.bytesOf(a, 1024).fill(7);
    heap.free(a, 1000);
    heap.verify();
    assert.equal(heap.stats().free, 1024);
    const other = heap.alloc(100);
    assert.notEqual(other, a, 'a 128-byte request does not take the 1024-byte block');
    const again = heap.alloc(1024);
    assert.equal(again, a, 'the same class reuses the freed block');
    assert.ok(heap.bytesOf(again, 1024).every((v) => v === 0), 'a reused block is zeroed');
    assert.equal(heap.stats().free, 0);
    heap.verify();
  });

  it('free rejects refs that are not blocks', () => {
    const heap = SharedHeap.create(1 << 20, 1 << 16);
    heap.alloc(64);
    for (const bad of [0, -5, 1.5, 2 ** 32 + 1, (63 << 26) | 1]) assert.throws(() => heap.free(bad, 64), RangeError, String(bad));
    heap.verify();
  });

  it('keeps its accounting through random alloc/free sequences (model: the set of live blocks)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ op: fc.constant('alloc' as const), bytes: fc.integer({ min: 1, max: 20_000 }) }), fc.record({ op: fc.constant('free' as const), pick: fc.nat() })), {
          maxLength: 80,
        }),
        (ops) => {
          const heap = SharedHeap.create(1 << 21, 1 << 16);
          const live: Array<{ ref: number; bytes: number; stamp: number }> = [];
          let stamp = 1;
          for (const o of ops) {
            if (o.op === 'alloc') {
              let ref: number;
              try {
                ref = heap.alloc(o.bytes);
              } catch (e) {
                assert.ok(e instanceof RangeError && /maxBytes/.test(e.message), String(e));
                continue;
              }
              const words = heap.int32(ref, granule << sizeClass(o.bytes));
              assert.ok(words.every((v) => v === 0));
              words.fill(stamp);
              live.push({ ref, bytes: o.bytes, stamp: stamp++ });
            } else if (live.length > 0) {
              const [b] = live.splice(o.pick % live.length, 1);
              heap.free(b!.ref, b!.bytes);
            }
            heap.verify();
            for (const b of live) assert.ok(heap.int32(b.ref, granule << sizeClass(b.bytes)).every((v) => v === b.stamp), 'a live block kept its contents');
            const s = heap.stats();
            const handedOut = live.reduce((n, b) => n + (granule << sizeClass(b.bytes)), 0);
            assert.equal(s.reserved, granule + handedOut + s.free, 'reserved = ref-0 granule + handed out + free');
            assert.ok(s.committed >= s.reserved && s.reserved <= s.maxBytes);
          }
          assertDisjoint(live);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('shared heap: limits and regions', () => {
  it('throws a RangeError naming maxBytes when full; held blocks are intact and freeing makes room', () => {
    const heap = SharedHeap.create(64 * 1024, 1 << 16);
    const held: number[] = [];
    let error: unknown;
    for (let i = 0; i < 100; i++) {
      try {
        const ref = heap.alloc(4096);
        heap.int32(ref, 4096).fill(i + 1);
        held.push(ref);
      } catch (e) {
        error = e;
        break;
      }
    }
    assert.ok(error instanceof RangeError, 'the heap filled up');
    assert.match((error as Error).message, /maxBytes 65536/);
    assert.equal(held.length, 15, '16 blocks of 4 KiB fit in 64 KiB, minus the reserved first granule');
    heap.verify();
    held.forEach((ref, i) => assert.ok(heap.int32(ref, 4096).every((v) => v === i + 1)));
    heap.free(held.pop()!, 4096);
    assert.doesNotThrow(() => heap.alloc(4096));
    heap.verify();
  });

  it('moves to the next region when one fills, cutting the rest into free blocks', () => {
    const heap = SharedHeap.create(4 << 16, 1 << 16);
    const a = heap.alloc(40_000); // 64 KiB class: does not fit after granule 0 of region 0
    assert.equal(refRegion(a), 1, 'region 0 cannot hold a 64 KiB block after its reserved granule');
    const s = heap.stats();
    assert.equal(s.reserved, 2 * 65536, 'region 0 closed whole (its rest on the free lists) plus the new block');
    assert.equal(s.free, 65536 - granule, "region 0's rest is free");
    heap.verify();
    // Region 0's rest serves smaller requests.
    const small = heap.alloc(32_768);
    assert.equal(refRegion(small), 0);
    heap.verify();
  });

  it('rejects bad options', () => {
    assert.throws(() => SharedHeap.create(0), RangeError);
    assert.throws(() => SharedHeap.create(1.5e6 + 0.5), RangeError);
    assert.throws(() => SharedHeap.create(1 << 20, 1000), RangeError);
    assert.throws(() => SharedHeap.create(1 << 20, 2 ** 33), RangeError);
    assert.throws(() => SharedHeap.create(65 * maxRegionBytes), RangeError);
  });

  it('reserves address space only: 64 GiB of regions cost no resident memory', () => {
    const heap = SharedHeap.create(16 * maxRegionBytes);
    assert.equal(heap.regions.length, 16);
    assert.equal(heap.stats().committed, granule);
    const ref = heap.alloc(1 << 20);
    assert.ok(heap.stats().committed >= (1 << 20));
    heap.free(ref, 1 << 20);
    heap.verify();
  });
});

describe('shared heap: threads', () => {
  it('attach rejects anything that is not a handle', () => {
    const good = SharedHeap.create(1 << 20, 1 << 16).share();
    for (const bad of [undefined, null, 1, {}, { ...good, kind: 'x' }, { ...good, control: new ArrayBuffer(8) }, { ...good, regions: [new SharedArrayBuffer(8)] }]) {
      assert.throws(() => SharedHeap.attach(bad), TypeError);
    }
  });

  it('a handle survives structured cloning and sees the same memory', () => {
    const heap = SharedHeap.create(1 << 20, 1 << 16);
    const other = SharedHeap.attach(structuredClone(heap.share()));
    const ref = heap.alloc(256);
    heap.int32(ref, 256)[3] = 42;
    assert.equal(other.int32(ref, 256)[3], 42);
    other.free(ref, 256);
    heap.verify();
    assert.equal(heap.stats().free, 256);
  });

  it('three workers allocate and free at once: no block is handed out twice, the heap verifies', async () => {
    const heap = SharedHeap.create(1 << 24, 1 << 18);
    const url = new URL('./workers/heap-worker.js', import.meta.url);
    const results = await Promise.all(
      [1, 2, 3].map(
        (id) =>
          new Promise<{ held: Array<{ ref: number; bytes: number }>; errors: number }>((resolve, reject) => {
            const w = new Worker(url, { workerData: { handle: heap.share(), id, rounds: 20_000, seed: id * 7919 } });
            w.once('message', resolve);
            w.once('error', reject);
            w.once('exit', (code) => code !== 0 && reject(new Error(`worker ${id} exited with ${code}`)));
          }),
      ),
    );
    heap.verify();
    for (const r of results) assert.equal(r.errors, 0, 'every block was zero when handed out and kept its stamp');
    const all = results.flatMap((r) => r.held);
    assertDisjoint(all);
    results.forEach((r, i) => {
      for (const b of r.held) assert.ok(heap.int32(b.ref, b.bytes).every((v) => v === i + 1), 'stamps intact after all workers finished');
    });
    const handedOut = all.reduce((n, b) => n + (granule << sizeClass(b.bytes)), 0);
    const s = heap.stats();
    assert.equal(s.reserved, granule + handedOut + s.free);
  });
});
