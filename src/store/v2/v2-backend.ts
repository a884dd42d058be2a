// Where the v2 tree lives on disk: its own LMDB environment under <data-dir>/member/v2, one
// entry per node plus the store index, each change committed atomically and fsynced before
// it is acknowledged.
//
// Why a separate environment rather than the v3 store's meta map: a recursive delete or an
// expiry removes many nodes and must land together with the new index in one atomic commit,
// which one-name-at-a-time meta.put cannot give; and etcd keeps the v2 keyspace out of the
// v3 backend (a v3 `snapshot save` does not carry v2 keys), so keeping it apart matches etcd.
import fs from 'node:fs';
import path from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import type { V2Node } from './v2-node.js';

const INDEX_KEY = '\u0000index';

interface StoredNode {
  d?: 1;
  v?: string;
  c: number;
  m: number;
  e?: number;
}

export class V2Backend {
  private constructor(private readonly db: RootDatabase<any, string>) {}

  static open(dataDir: string): V2Backend {
    const dir = path.join(dataDir, 'member', 'v2');
    fs.mkdirSync(dir, { recursive: true });
    return new V2Backend(open<any, string>({ path: dir, encoding: 'msgpack', compression: false }));
  }

  /** All persisted nodes (unlinked) and the store index. */
  load(): { nodes: V2Node[]; index: number } {
    const nodes: V2Node[] = [];
    let index = 0;
    for (const { key, value } of this.db.getRange({})) {
      if (key === INDEX_KEY) {
        index = value as number;
        continue;
      }
      const s = value as StoredNode;
      const n: V2Node = { path: key, dir: s.d === 1, value: s.v ?? '', createdIndex: s.c, modifiedIndex: s.m };
      if (s.e !== undefined) n.expireTime = s.e;
      nodes.push(n);
    }
    return { nodes, index };
  }

  /** Commit one change atomically and wait until it is flushed to disk. */
  async commit(index: number, puts: V2Node[], dels: string[]): Promise<void> {
    await this.db.transaction(() => {
      for (const p of dels) this.db.remove(p);
      for (const n of puts) {
        const s: StoredNode = { c: n.createdIndex, m: n.modifiedIndex };
        if (n.dir) s.d = 1;
        else s.v = n.value;
        if (n.expireTime !== undefined) s.e = n.expireTime;
        this.db.put(n.path, s);
      }
      this.db.put(INDEX_KEY, index);
    });
    await this.db.flushed;
  }

  async close(): Promise<void> {
    await this.db.flushed;
    await this.db.close();
  }
}
