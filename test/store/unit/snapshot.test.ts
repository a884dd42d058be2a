// Snapshot round trip on a real store: save, restore into a new dir, reopen and read;
// a truncated or altered file is refused and leaves no data dir behind.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MvccStore } from '../../../src/store/mvcc/mvcc-store.js';
import { restoreSnapshot, snapshotStatus, snapshotStream } from '../../../src/store/snapshot/snapshot.js';

describe('snapshots', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tskube-snap-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a store', async () => {
    const store = await MvccStore.open({ dataDir: join(dir, 'src') });
    for (let i = 0; i < 50; i++) await store.put({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) });
    const rev = store.currentRevision;
    const snap = snapshotStream(store);
    const parts: Buffer[] = [];
    for await (const c of snap.chunks) parts.push(c);
    await store.close();
    const file = join(dir, 'snap.db');
    writeFileSync(file, Buffer.concat(parts));
    assert.equal(Buffer.concat(parts).length, snap.size);
    assert.equal(snapshotStatus(file).revision, rev);
    await restoreSnapshot(file, join(dir, 'restored'));
    const back = await MvccStore.open({ dataDir: join(dir, 'restored') });
    assert.equal(back.currentRevision, rev);
    assert.equal(back.range({ key: Buffer.from('k7') }).kvs[0].value.toString(), 'v7');
    await back.close();

    const data = readFileSync(file);
    writeFileSync(join(dir, 'short.db'), data.subarray(0, data.length - 100));
    await assert.rejects(restoreSnapshot(join(dir, 'short.db'), join(dir, 'r2')), /truncated or corrupted/);
    assert.equal(existsSync(join(dir, 'r2')), false);
    const flipped = Buffer.from(data);
    flipped[100] ^= 0xff;
    writeFileSync(join(dir, 'bad.db'), flipped);
    assert.throws(() => snapshotStatus(join(dir, 'bad.db')), /checksum mismatch/);
    await assert.rejects(restoreSnapshot(file, join(dir, 'restored')), /not empty/);
  });
});
