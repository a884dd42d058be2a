// Hashes of the backend. hashKV is etcd's HashKV in spirit: a CRC-32 over every stored revision (key bytes and record) up
// to a revision, read from one consistent backend view. Equal stores hash equal, and the
// hash is stable across restarts. hashBackend is etcd's Hash: every space of the backend
// (keyspace, leases, metadata such as auth, alarms and member records), so a lease grant
// or a user added changes it though no revision moves.
import { crc32 } from 'node:zlib';
import type { Backend, Space } from '../backend/backend.js';
import { decodeRevision } from './revision.js';

export function hashKV(backend: Backend, rev: number): number {
  return backend.readView((scan) => {
    let h = 0;
    for (const { key, value } of scan('rev')) {
      if (decodeRevision(key).main > rev) break;
      h = crc32(key, h);
      h = crc32(value, h);
    }
    return h >>> 0;
  });
}

const SPACES: Space[] = ['rev', 'lease', 'meta'];

export function hashBackend(backend: Backend): number {
  return backend.readView((scan) => {
    let h = 0;
    for (const space of SPACES) {
      h = crc32(space, h);
      for (const { key, value } of scan(space)) {
        h = crc32(key, h);
        h = crc32(value, h);
      }
    }
    return h >>> 0;
  });
}
