// Rebuilding the in-memory index at start from the records in the backend, checking
// every record on the way. Damage (a checksum mismatch, a record that contradicts its
// revision key, a record newer than the stored revision) stops the start with a message
// naming it: the store must never serve silently lost or altered data.
import type { Backend } from '../backend/backend.js';
import type { LeaseID } from './key-value.js';
import { append } from './key-history.js';
import { CorruptRecordError, decodeRecord } from './record-codec.js';
import { decodeRevision } from './revision.js';
import { TreeIndex } from './tree-index.js';

export class DamagedStoreError extends Error {}

export interface Recovered {
  index: TreeIndex;
  revision: number;
  compactRevision: number;
  leaseKeys: Map<LeaseID, Set<string>>;
}

export function recoverIndex(backend: Backend): Recovered {
  const metaRev = readU64(backend.get('meta', Buffer.from('rev')));
  const compactRevision = readU64(backend.get('meta', Buffer.from('compact')));
  const index = new TreeIndex();
  const leaseOf = new Map<string, LeaseID>();
  let last = 0;
  for (const { key, value } of backend.scan('rev')) {
    let rev;
    try {
      rev = decodeRevision(key);
    } catch (e) {
      throw new DamagedStoreError(`damaged data file: unreadable revision key (${(e as Error).message})`);
    }
    let kv;
    try {
      kv = decodeRecord(value);
    } catch (e) {
      if (e instanceof CorruptRecordError) {
        throw new DamagedStoreError(`damaged data file: record at revision ${rev.main}.${rev.sub}: ${e.message}`);
      }
      throw e;
    }
    if (kv.mod_revision !== rev.main) {
      throw new DamagedStoreError(
        `damaged data file: record at revision ${rev.main}.${rev.sub} claims revision ${kv.mod_revision}`,
      );
    }
    if (rev.main > metaRev) {
      throw new DamagedStoreError(
        `damaged data file: record at revision ${rev.main} is newer than the stored revision ${metaRev}`,
      );
    }
    last = rev.main;
    const k = kv.key.toString('latin1');
    append(index.getOrCreate(k), rev.main, rev.sub, rev.tombstone);
    if (rev.tombstone || kv.lease === 0n) leaseOf.delete(k);
    else leaseOf.set(k, kv.lease);
  }
  const leaseKeys = new Map<LeaseID, Set<string>>();
  for (const [k, id] of leaseOf) {
    let s = leaseKeys.get(id);
    if (!s) leaseKeys.set(id, (s = new Set()));
    s.add(k);
  }
  // A new store is at revision 1, as etcd's is: the first write gets revision 2.
  return { index, revision: Math.max(metaRev, last, compactRevision, 1), compactRevision, leaseKeys };
}

function readU64(b: Buffer | undefined): number {
  return b && b.length === 8 ? b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4) : 0;
}
