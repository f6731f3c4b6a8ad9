// GC pauses during a piece of synchronous work, from Node's PerformanceObserver ('gc' entries). The entries
// arrive asynchronously, after the work returns, so the helper is async.

import { PerformanceObserver } from 'node:perf_hooks';

export interface GcPause {
  /** performance.now() time the pause began, ms. */
  start: number;
  duration: number;
}

/** Runs `work` and returns its result with every GC pause that happened while it ran. */
export async function withGcPauses<T>(work: () => T): Promise<{ result: T; pauses: GcPause[] }> {
  const pauses: GcPause[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, duration: e.duration });
  });
  obs.observe({ entryTypes: ['gc'] });
  const result = work();
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  return { result, pauses };
}

/** The longest of `pauses` that overlapped [start, start + ms), 0 if none did. */
export function longestOverlap(pauses: GcPause[], start: number, ms: number): number {
  let longest = 0;
  for (const p of pauses) if (p.start < start + ms && p.start + p.duration > start) longest = Math.max(longest, p.duration);
  return longest;
}
