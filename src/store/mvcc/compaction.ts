// Index side of compaction: for every key keep the newest revision at or below the
// compaction revision (unless it is a deletion) and everything newer; forget keys whose
// history becomes empty. Returns the revisions whose records can be deleted.
import { compactHistory } from './key-history.js';
import type { TreeIndex } from './tree-index.js';

export function compactIndex(index: TreeIndex, rev: number): Array<[number, number, boolean]> {
  const removed: Array<[number, number, boolean]> = [];
  const emptied: string[] = [];
  index.forEach((key, h) => {
    for (const r of compactHistory(h, rev)) removed.push(r);
    if (h.length === 0) emptied.push(key);
  });
  for (const k of emptied) index.delete(k);
  return removed;
}
