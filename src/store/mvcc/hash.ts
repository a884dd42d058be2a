// etcd's HashKV in spirit: a CRC-32 over every stored revision (key bytes and record) up
// to a revision, read from one consistent backend view. Equal stores hash equal, and the
// hash is stable across restarts.
import { crc32 } from 'node:zlib';
import type { Backend } from '../backend/backend.js';
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
