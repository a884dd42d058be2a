// Writes that are durable in the write-ahead log but not yet committed to LMDB (lmdb-js
// commits them on its write thread a moment later). Reads consult this first, as etcd's
// backend reads consult its transaction buffer before bbolt.
import type { Entry, Space } from './backend.js';

interface Pending {
  key: Buffer;
  /** undefined: deleted */
  value: Buffer | undefined;
  /** the WAL record that wrote it */
  seq: number;
}

export class Overlay {
  private readonly spaces: Record<Space, Map<string, Pending>> = { rev: new Map(), meta: new Map(), lease: new Map() };
  size = 0;

  get(space: Space, key: Buffer): Pending | undefined {
    return this.spaces[space].get(key.toString('latin1'));
  }

  set(space: Space, key: Buffer, value: Buffer | undefined, seq: number): void {
    const m = this.spaces[space];
    const k = key.toString('latin1');
    if (!m.has(k)) this.size++;
    m.set(k, { key, value, seq });
  }

  /** forgets what LMDB now holds: everything written by records up to `seq` */
  dropUpTo(seq: number): void {
    if (this.size === 0) return;
    for (const m of Object.values(this.spaces)) {
      for (const [k, p] of m) {
        if (p.seq <= seq) {
          m.delete(k);
          this.size--;
        }
      }
    }
  }

  /** `base` (LMDB's ordered entries of [from, to)) with the pending writes laid over it */
  *merge(space: Space, from: Buffer | undefined, to: Buffer | undefined, base: Iterable<Entry>): Iterable<Entry> {
    const m = this.spaces[space];
    if (m.size === 0) {
      yield* base;
      return;
    }
    const over: Pending[] = [];
    for (const p of m.values()) {
      if ((from && Buffer.compare(p.key, from) < 0) || (to && Buffer.compare(p.key, to) >= 0)) continue;
      over.push(p);
    }
    over.sort((a, b) => Buffer.compare(a.key, b.key));
    let i = 0;
    for (const e of base) {
      while (i < over.length && Buffer.compare(over[i].key, e.key) < 0) {
        const p = over[i++];
        if (p.value) yield { key: p.key, value: p.value };
      }
      if (i < over.length && over[i].key.equals(e.key)) {
        const p = over[i++];
        if (p.value) yield { key: p.key, value: p.value };
        continue;
      }
      yield e;
    }
    for (; i < over.length; i++) if (over[i].value) yield { key: over[i].key, value: over[i].value! };
  }
}
