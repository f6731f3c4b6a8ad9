// verify(): checks every structural invariant of the map and throws on the first violation. O(n); meant for
// tests (run after every step of the property tests) and for debugging, not for production paths.

import { describe } from '../kinds/kinds.js';
import { hashAny, mapaccessAnySeg } from './anykeys.js';
import { Hmap, evacuated, keyWord, topByte } from './hmap.js';
import { Table, tophash, Slot, Bucket } from './layout.js';

export class InvariantError extends Error {
  override name = 'InvariantError';
}

function fail(msg: string): never {
  throw new InvariantError(`hmap verify: ${msg}`);
}

interface Walk {
  live: number;
  keys: Set<string>;
  /** Side keys seen (keys of kind 'any'), deduplicated by SameValueZero as Map does. */
  anyKeys: Set<unknown>;
  /** String units of the live entries of the table being walked. */
  units: number;
}

/** A live slot's string key and/or value lie inside its table's arena; returns their units. */
function checkStrings(h: Hmap, t: Table, gid: number, i: number): number {
  const layout = h.layout;
  const arena = t.arena!;
  const seg = t.seg(gid);
  const lb = t.local(gid);
  let units = 0;
  if (layout.strKeys) {
    const k = keyWord(layout, lb, i);
    const ref = seg.i32[k]!;
    const len = seg.i32[k + 1]!;
    if (len < 0 || !arena.inRange(ref, len)) fail(`bucket ${gid} slot ${i}: string key (${ref >>> 0}, ${len}) is outside the arena`);
    units += len;
  }
  if (layout.strValues) {
    const v = lb * layout.bw + layout.voff + i * 2;
    const ref = seg.i32[v]!;
    const len = seg.i32[v + 1]!;
    if (len < 0 || !arena.inRange(ref, len)) fail(`bucket ${gid} slot ${i}: string value (${ref >>> 0}, ${len}) is outside the arena`);
    units += len;
  }
  return units;
}

/** Visits every slot of main bucket b's chain in t; checks links and Slot.emptyRest; returns the chain's bucket ids. */
function chainOf(t: Table, b: number, seen: Uint8Array): number[] {
  const layout = t.layout;
  const ids: number[] = [];
  let gid = b;
  for (;;) {
    ids.push(gid);
    const seg = t.seg(gid);
    const lb = t.local(gid);
    for (let i = 0; i < Bucket.cnt - 1; i++) {
      if (seg.u8[topByte(layout, lb, i)] === Slot.overflowLink) fail(`bucket ${gid} has a link in slot ${i}`);
    }
    if (seg.u8[topByte(layout, lb, Bucket.cnt - 1)] !== Slot.overflowLink) return ids;
    const next = seg.i32[keyWord(layout, lb, Bucket.cnt - 1)]!;
    if (next < t.nb || next >= t.nb + t.novf) fail(`bucket ${gid} links to ${next}, not an overflow bucket in use`);
    const o = next - t.nb;
    if (seen[o]) fail(`overflow bucket ${next} is linked twice`);
    seen[o] = 1;
    gid = next;
  }
}

function keyString(h: Hmap, t: Table, gid: number, i: number): string {
  const seg = t.seg(gid);
  const k = keyWord(h.layout, t.local(gid), i);
  if (h.layout.strKeys) return t.arena!.read(seg.i32[k]!, seg.i32[k + 1]!);
  return h.layout.kw === 1 ? `${seg.i32[k]}` : `${seg.i32[k]}:${seg.i32[k + 1]}`;
}

/** Checks one live entry: tophash and home bucket agree with its hash; the key is unique. */
function checkEntry(h: Hmap, t: Table, home: number, gid: number, i: number, top: number, w: Walk): void {
  const seg = t.seg(gid);
  if (seg.arena !== t.arena) fail(`bucket ${gid}'s segment does not share its table's arena`);
  if (t.arena !== null) w.units += checkStrings(h, t, gid, i);
  const hash = h.hashAt(seg, keyWord(h.layout, t.local(gid), i));
  if (tophash(hash) !== top) fail(`bucket ${gid} slot ${i}: tophash ${top}, key hashes to ${tophash(hash)}`);
  if ((hash & t.mask) !== home) fail(`bucket ${gid} slot ${i}: key belongs in bucket ${hash & t.mask}, found under ${home}`);
  if (h.layout.anyKeys) {
    const k = seg.kv![((t.local(gid) << 3) | i) << 1];
    if (hashAny(k, h.seed) !== hash) fail(`bucket ${gid} slot ${i}: hash word ${hash} but the side key hashes to ${hashAny(k, h.seed)}`);
    if (Object.is(k, -0)) fail(`bucket ${gid} slot ${i}: side key is -0`);
    if (w.anyKeys.has(k)) fail(`key ${describe(k)} is stored twice`);
    w.anyKeys.add(k);
    w.live++;
    return;
  }
  const ks = keyString(h, t, gid, i);
  if (w.keys.has(ks)) fail(`key ${ks} is stored twice`);
  w.keys.add(ks);
  w.live++;
}

/**
 * Side arrays hold nothing the map no longer holds: a side value (value kind 'any') only in live slots, a side
 * key (key kind 'any') only in live slots and in old evacuated slots whose key is still in the map (under the
 * hash in the slot's key word).
 */
function checkSide(h: Hmap, t: Table, gid: number, i: number, top: number, old: boolean): void {
  const seg = t.seg(gid);
  const slot = (t.local(gid) << 3) | i;
  const live = top >= Slot.minTopHash;
  const moved = top === Slot.evacuatedX || top === Slot.evacuatedY;
  if (!live && seg.side !== null && seg.side[slot] !== undefined) {
    fail(`bucket ${gid} slot ${i} (state ${top}) still holds a side value`);
  }
  if (!h.layout.anyKeys) return;
  if (seg.side !== null) fail(`bucket ${gid}: keys of kind 'any' but a Segment.side array`);
  if (!live && seg.kv![2 * slot + 1] !== undefined) fail(`bucket ${gid} slot ${i} (state ${top}) still holds a side value`);
  const k = seg.kv![2 * slot];
  if (live) return; // checked by checkEntry
  if (!moved) {
    if (k !== undefined) fail(`bucket ${gid} slot ${i} (state ${top}) still holds side key ${describe(k)}`);
    return;
  }
  if (!old) fail(`bucket ${gid} slot ${i} is evacuated in the live table`);
  const hash = seg.i32[keyWord(h.layout, t.local(gid), i)]!;
  if (hashAny(k, h.seed) !== hash) fail(`old bucket ${gid} slot ${i}: hash word ${hash} but the side key hashes to ${hashAny(k, h.seed)}`);
  if (mapaccessAnySeg(h, hash, k) === null) fail(`old bucket ${gid} slot ${i} keeps side key ${describe(k)}, which was deleted`);
}

/** Walks every chain of t. For the old table, `old` is true and unevacuated chains are checked as live. */
function walkTable(h: Hmap, t: Table, old: boolean, w: Walk): number {
  const layout = h.layout;
  const seen = new Uint8Array(t.novf);
  let evacuatedChains = 0;
  for (let b = 0; b < t.nb; b++) {
    const ids = chainOf(t, b, seen);
    const evac = old && evacuated(t, b);
    if (evac) evacuatedChains++;
    if (old && b < h.nevacuate && !evac) fail(`old bucket ${b} is below nevacuate ${h.nevacuate} but not evacuated`);
    let rest = false;
    for (const gid of ids) {
      const seg = t.seg(gid);
      const lb = t.local(gid);
      for (let i = 0; i < Bucket.cnt; i++) {
        const top = seg.u8[topByte(layout, lb, i)]!;
        checkSide(h, t, gid, i, top, old);
        if (top === Slot.overflowLink) continue;
        if (evac) {
          if (top !== Slot.evacuatedX && top !== Slot.evacuatedY && top !== Slot.evacuatedEmpty) {
            fail(`old bucket ${b} is evacuated but chain bucket ${gid} slot ${i} has state ${top}`);
          }
          continue;
        }
        if (top === Slot.evacuatedX || top === Slot.evacuatedY || top === Slot.evacuatedEmpty) {
          fail(`bucket ${gid} slot ${i} is in evacuated state ${top} in a ${old ? 'unevacuated old' : 'live'} chain`);
        }
        if (rest && top !== Slot.emptyRest) fail(`bucket ${gid} slot ${i} has state ${top} after an Slot.emptyRest`);
        if (top <= Slot.emptyOne && layout.strValues && seg.i32[lb * layout.bw + layout.voff + i * 2 + 1] !== 0) {
          fail(`bucket ${gid} slot ${i} is empty but its string value len is not 0`);
        }
        if (top === Slot.emptyRest) {
          rest = true;
          continue;
        }
        if (top === Slot.emptyOne) continue;
        if (top < Slot.minTopHash) fail(`bucket ${gid} slot ${i} has unknown state ${top}`);
        checkEntry(h, t, b, gid, i, top, w);
      }
    }
    if (old && !evac) {
      // New buckets fed by an unevacuated old bucket must still be empty (growWork runs before any write).
      const n = h.buckets;
      const targets = h.isSameSizeGrow() ? [b] : [b, b + t.nb];
      for (const nbk of targets) {
        const s = n.seg(nbk);
        for (let i = 0; i < Bucket.cnt; i++) {
          if (s.u8[topByte(layout, n.local(nbk), i)] !== Slot.emptyRest) {
            fail(`new bucket ${nbk} was written before old bucket ${b} was evacuated`);
          }
        }
      }
    }
  }
  for (let o = 0; o < t.novf; o++) if (!seen[o]) fail(`overflow bucket ${t.nb + o} is allocated but unreachable`);
  if (t.arena !== null) {
    const a = t.arena;
    if (a.live !== w.units) fail(`${old ? 'old' : 'current'} arena counts ${a.live} live units but live entries hold ${w.units}`);
    if (a.dead < 0) fail(`${old ? 'old' : 'current'} arena counts ${a.dead} dead units`);
  }
  w.units = 0;
  return evacuatedChains;
}

export function verify(h: Hmap): void {
  const t = h.buckets;
  if (t.B !== h.B) fail(`header B ${h.B} but bucket array has 2^${t.B}`);
  if ((t.arena !== null) !== h.layout.strings) fail(`the table ${t.arena === null ? 'lacks' : 'has'} an arena`);
  const w: Walk = { live: 0, keys: new Set(), anyKeys: new Set(), units: 0 };
  walkTable(h, t, false, w);
  const old = h.oldbuckets;
  if (old !== null) {
    const expectB = h.isSameSizeGrow() ? h.B : h.B - 1;
    if (old.B !== expectB) fail(`old array has 2^${old.B} buckets, expected 2^${expectB}`);
    if (h.nevacuate >= old.nb) fail(`growing, but nevacuate ${h.nevacuate} reached ${old.nb}`);
    const ev = walkTable(h, old, true, w);
    if (ev !== h.evacuated) fail(`${ev} old buckets are evacuated but the header counts ${h.evacuated}`);
  } else if (h.isSameSizeGrow()) {
    fail('sameSizeGrow flag set while not growing');
  }
  if (w.live !== h.count) fail(`count is ${h.count} but ${w.live} entries are live`);
  if (h.B < 16 && h.noverflow !== t.novf) fail(`noverflow ${h.noverflow} but ${t.novf} overflow buckets in use`);
}
