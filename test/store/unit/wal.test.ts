// The write-ahead log's record format and segment reader: round trip, end of log, a torn
// tail told apart from damage before the tail, and the overlay's merged scans.
import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Overlay } from '../../../src/store/backend/overlay.js';
import { Wal, DamagedWalError } from '../../../src/store/backend/wal.js';
import { encodeRecord, parseRecord, type Mutation } from '../../../src/store/backend/wal-record.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('write-ahead log records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tskube-wal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a batch of puts and deletes', () => {
    const muts: Mutation[] = [
      ['rev', b('k1'), b('v1')],
      ['meta', b('m'), undefined],
      ['lease', b(''), b('')],
    ];
    const rec = encodeRecord(2 ** 40 + 7, 123456789012, muts);
    const p = parseRecord(Buffer.concat([rec, Buffer.alloc(16)]), 0);
    assert.equal(p.kind, 'record');
    if (p.kind !== 'record') return;
    assert.deepEqual([p.record.seq, p.record.revision, p.record.mutations], [2 ** 40 + 7, 123456789012, muts]);
    assert.equal(p.next, rec.length);
    assert.equal(parseRecord(Buffer.concat([rec, Buffer.alloc(16)]), p.next).kind, 'end');
  });

  it('tells a torn tail from damage before the tail', () => {
    const d = join(dir, 'log');
    const wal = Wal.open(d, 0);
    for (let i = 0; i < 3; i++) wal.append(10 + i, [['rev', b(`k${i}`), b(`v${i}`)]]);
    wal.close();
    const file = join(d, '0000000000000001.wal');
    const data = readFileSync(file);
    const r1 = 8 + data.readUInt32LE(0);
    const r2 = r1 + 8 + data.readUInt32LE(r1);
    const end = r2 + 8 + data.readUInt32LE(r2);
    assert.deepEqual(Wal.read(d).records.map((r) => r.revision), [10, 11, 12]);

    // the last record cut short: a torn tail, the first two records kept
    const torn = Buffer.from(data);
    torn.fill(0, end - 5, end);
    writeFileSync(file, torn);
    const t = Wal.read(d);
    assert.deepEqual(t.records.map((r) => r.seq), [1, 2]);
    assert.equal(t.tail?.at, r2);

    // the middle record damaged, an intact one after it: refused, naming file and offset
    const bad = Buffer.from(data);
    bad[r1 + 12] ^= 1;
    writeFileSync(file, bad);
    assert.throws(() => Wal.read(d), (e: Error) => e instanceof DamagedWalError && e.message.includes(`${file} at offset ${r1}: checksum mismatch`));
  });
  it('keeps records appended while the next chunk is still being zero-filled in the background', async () => {
    // 1 MiB records, all in one event-loop turn, with the thread pool busy: the background
    // fill of the next chunk is queued behind the busy threads and runs after the appends
    // have gone past the allocated part into the region it fills.
    const d = join(dir, 'fast');
    const wal = Wal.open(d, 0);
    const big = Buffer.alloc(1024 * 1024, 7);
    const busy = Array.from({ length: 4 }, () => new Promise((r) => pbkdf2(b('x'), b('y'), 300_000, 32, 'sha256', r)));
    for (let i = 0; i < 12; i++) wal.append(i + 1, [['rev', b(`k${i}`), big]]);
    await Promise.all(busy);
    await new Promise((r) => setTimeout(r, 500));
    wal.close();
    const got = Wal.read(d);
    assert.equal(got.tail, undefined);
    assert.deepEqual(got.records.map((r) => r.revision), Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

describe('overlay', () => {
  it('lays pending writes over the base scan, in key order, deletes hiding keys', () => {
    const o = new Overlay();
    o.set('rev', b('b'), b('B2'), 1);
    o.set('rev', b('c'), undefined, 1);
    o.set('rev', b('e'), b('E'), 2);
    o.set('meta', b('x'), b('X'), 2);
    const base = ['a', 'b', 'c', 'd'].map((k) => ({ key: b(k), value: b(k.toUpperCase()) }));
    const got = [...o.merge('rev', undefined, undefined, base)].map((e) => `${e.key}=${e.value}`);
    assert.deepEqual(got, ['a=A', 'b=B2', 'd=D', 'e=E']);
    const ranged = [...o.merge('rev', b('b'), b('e'), base.slice(1, 4))].map((e) => `${e.key}`);
    assert.deepEqual(ranged, ['b', 'd']);
    o.dropUpTo(1);
    assert.equal(o.size, 2);
    assert.equal(o.get('rev', b('b')), undefined);
    assert.equal(o.get('rev', b('e'))?.value?.toString(), 'E');
  });
});
