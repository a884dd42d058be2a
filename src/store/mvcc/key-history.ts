// The revisions of one key, oldest first, kept flat to stay small in memory:
// [main0, sub0, main1, sub1, ...]. A tombstone (deletion) is stored with a negative main.
// A key is live at revision R when its newest entry with |main| <= R is not a tombstone.
// This plays the role of etcd's keyIndex/generations with less memory per key.

export type KeyHistory = number[];

/** index (in pairs) of the newest entry with |main| <= rev, or -1 */
export function entryAt(h: KeyHistory, rev: number): number {
  for (let i = h.length - 2; i >= 0; i -= 2) {
    if (Math.abs(h[i]) <= rev) return i >> 1;
  }
  return -1;
}

/** the (main, sub) of the live revision at `rev`, or undefined when absent or deleted */
export function liveAt(h: KeyHistory, rev: number): { main: number; sub: number } | undefined {
  const e = entryAt(h, rev);
  if (e < 0) return undefined;
  const main = h[e * 2];
  return main < 0 ? undefined : { main, sub: h[e * 2 + 1] };
}

export function isLive(h: KeyHistory): boolean {
  return h.length > 0 && h[h.length - 2] > 0;
}

export function latest(h: KeyHistory): { main: number; sub: number; tombstone: boolean } | undefined {
  if (h.length === 0) return undefined;
  const main = h[h.length - 2];
  return { main: Math.abs(main), sub: h[h.length - 1], tombstone: main < 0 };
}

export function append(h: KeyHistory, main: number, sub: number, tombstone: boolean): void {
  h.push(tombstone ? -main : main, sub);
}

/**
 * Drops what a compaction at `rev` makes unreachable: every entry older than the newest
 * one at or below `rev`, and that one too when it is a tombstone. Returns the entries
 * removed as [main, sub, tombstone] so their records can be deleted.
 */
export function compactHistory(h: KeyHistory, rev: number): Array<[number, number, boolean]> {
  const e = entryAt(h, rev);
  if (e < 0) return [];
  const keepFrom = h[e * 2] < 0 ? e + 1 : e;
  const removed: Array<[number, number, boolean]> = [];
  for (let i = 0; i < keepFrom; i++) removed.push([Math.abs(h[i * 2]), h[i * 2 + 1], h[i * 2] < 0]);
  h.splice(0, keepFrom * 2);
  return removed;
}
