// Reading past events from the backend for watchers that start behind: records are
// stored by revision, so history is one ordered scan.
import type { Backend } from '../backend/backend.js';
import type { Event, KeyValue } from './key-value.js';
import { decodeRecord } from './record-codec.js';
import { decodeRevision, encodeRevision } from './revision.js';
import type { TreeIndex } from './tree-index.js';

/**
 * Visits the events of revisions [from, to] in order. `want(key)` filters by key before
 * decoding; prev_kv is looked up from the key's history when the record still exists.
 */
export function readHistory(
  backend: Backend,
  index: TreeIndex,
  from: number,
  to: number,
  want: (key: string) => { prevKv: boolean } | undefined,
  visit: (ev: Event, rev: number) => void,
): void {
  for (const { key, value } of backend.scan('rev', encodeRevision(from, 0), encodeRevision(to + 1, 0))) {
    const rev = decodeRevision(key);
    const kv = decodeRecord(value);
    const k = kv.key.toString('latin1');
    const w = want(k);
    if (!w) continue;
    const prev = w.prevKv ? previous(backend, index, k, rev.main, rev.sub) : undefined;
    visit({ type: rev.tombstone ? 'DELETE' : 'PUT', kv, prev_kv: prev }, rev.main);
  }
}

function previous(backend: Backend, index: TreeIndex, key: string, main: number, sub: number): KeyValue | undefined {
  const h = index.get(key);
  if (!h) return undefined;
  for (let i = h.length - 2; i >= 0; i -= 2) {
    const m = Math.abs(h[i]);
    if (m < main || (m === main && h[i + 1] < sub)) {
      if (h[i] < 0) return undefined;
      const raw = backend.get('rev', encodeRevision(m, h[i + 1]));
      return raw ? decodeRecord(raw) : undefined;
    }
  }
  return undefined;
}
