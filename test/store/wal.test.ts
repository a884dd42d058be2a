// tskube etcd's write-ahead log: acknowledged writes survive SIGKILL during and right after
// checkpoints; the log alone brings back writes the data file lost (what an OS crash leaves
// when LMDB's later syncs never reached the disk); a torn tail record is cut off with a log
// line; a damaged record before the tail refuses the start and changes nothing.
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Etcd3 } from 'etcd3';
import { StoreProcess } from './harness/store-process.js';
import { selectedTargets, unavailableReason } from './harness/targets.js';

const b = (s: string): Buffer => Buffer.from(s);
const skip = selectedTargets().includes('tskube') ? unavailableReason('tskube') : 'tskube not in STORE_TARGETS';

interface Ack {
  key: string;
  value: string;
  revision: number;
}

/** `clients` loops of single puts until stopped; records every acknowledged one. */
function load(clients: Etcd3[], tag: string, acks: Ack[], stop: { now: boolean }): Promise<void[]> {
  return Promise.all(
    clients.map(async (c, id) => {
      for (let n = 0; !stop.now; n++) {
        const key = `wal/${tag}/${id}/${n}`;
        const value = `${tag}-${id}-${n}-${'v'.repeat(40)}`;
        try {
          const res = await c.kv.put({ key: b(key), value: b(value) });
          acks.push({ key, value, revision: Number(res.header.revision) });
        } catch {
          return;
        }
      }
    }),
  );
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * A client for a store launched again on the same port: grpc-js shares subchannels per
 * address across clients, and the one to the killed process may still be in its reconnect
 * backoff (UNAVAILABLE) when the new process already serves.
 */
const fresh = (s: StoreProcess): Etcd3 => s.client({ grpcOptions: { 'grpc.use_local_subchannel_pool': 1 } });

async function verify(s: StoreProcess, acks: Ack[]): Promise<void> {
  const kv = fresh(s).kv;
  const all = await kv.range({ key: b('wal/'), range_end: b('wal0') });
  const byKey = new Map(all.kvs.map((x) => [x.key.toString(), x]));
  for (const a of acks) {
    const got = byKey.get(a.key);
    assert.ok(got, `acknowledged key ${a.key} (revision ${a.revision}) is missing after restart\n${s.output()}`);
    assert.equal(got.value.toString(), a.value);
    assert.equal(Number(got.mod_revision), a.revision, `${a.key}: acknowledged at ${a.revision}`);
  }
  const next = await kv.put({ key: b('wal/after'), value: b('1') });
  assert.equal(Number(next.header.revision), Number(all.header.revision) + 1);
}

function segments(s: StoreProcess): string[] {
  const dir = join(s.dataDir, 'member', 'wal');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.wal'))
    .sort()
    .map((n) => join(dir, n));
}

function digest(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'lock.mdb') h.update(e.name).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('tskube write-ahead log', { skip }, () => {
  const stores: StoreProcess[] = [];
  after(async () => {
    for (const s of stores) await s.destroy();
  });

  for (const when of ['during', 'right after'] as const) {
    test(`SIGKILL ${when} a checkpoint loses no acknowledged put`, async () => {
      const s = await StoreProcess.start('tskube', { extraArgs: ['--snapshot-count', '25'] });
      stores.push(s);
      const acks: Ack[] = [];
      const stop = { now: false };
      const loops = load(Array.from({ length: 16 }, () => s.client()), when.replace(' ', '-'), acks, stop);
      await until('300 acknowledged puts', () => acks.length >= 300);
      const line = when === 'during' ? 'checkpoint: waiting' : 'checkpoint: data file synced';
      const seen = s.output().split(line).length;
      await until(`a "${line}" log line`, () => s.output().split(line).length > seen);
      await s.kill();
      stop.now = true;
      await loops;
      await s.launch();
      await verify(s, acks);
    });
  }

  test('the log alone restores acknowledged writes the data file lost', async () => {
    const s = await StoreProcess.start('tskube');
    stores.push(s);
    const kv = s.client().kv;
    for (let i = 0; i < 20; i++) await kv.put({ key: b(`wal/base/${i}`), value: b(`base-${i}`) });
    await s.stop(); // a clean stop checkpoints: the data file holds everything, the log is empty
    const db = join(s.dataDir, 'member', 'db', 'data.mdb');
    const synced = `${db}.synced`;
    copyFileSync(db, synced);
    await s.launch();
    const acks: Ack[] = [];
    const stop = { now: false };
    const loops = load(Array.from({ length: 8 }, () => fresh(s)), 'lost', acks, stop);
    await until('200 acknowledged puts', () => acks.length >= 200);
    await s.kill();
    stop.now = true;
    await loops;
    // The data file as of the last checkpoint: what LMDB reverts to after an OS crash that
    // none of its later (overlapping, unawaited) syncs reached.
    copyFileSync(synced, db);
    await s.launch();
    assert.match(s.output(), /replayed \d+ records/);
    await verify(s, acks);
    const base = await fresh(s).kv.range({ key: b('wal/base/'), range_end: b('wal/base0') });
    assert.equal(base.kvs.length, 20);
  });

  test('a torn record at the tail is cut off with a log line', async () => {
    const s = await StoreProcess.start('tskube');
    stores.push(s);
    const acks: Ack[] = [];
    const stop = { now: false };
    const loops = load([s.client(), s.client()], 'torn', acks, stop);
    await until('50 acknowledged puts', () => acks.length >= 50);
    await s.kill();
    stop.now = true;
    await loops;
    const last = segments(s).at(-1)!;
    const data = readFileSync(last);
    let end = 0;
    while (data.readUInt32LE(end) !== 0) end += 8 + data.readUInt32LE(end);
    // half a record: a header claiming 300 bytes and 100 of them written
    const torn = Buffer.alloc(108, 0xab);
    torn.writeUInt32LE(300, 0);
    const fd = openSync(last, 'r+');
    writeSync(fd, torn, 0, torn.length, end);
    closeSync(fd);
    await s.launch();
    assert.match(s.output(), new RegExp(`cut a torn record at offset ${end}`));
    await verify(s, acks);
  });

  test('a damaged record before the tail refuses the start and changes nothing', async () => {
    const s = await StoreProcess.start('tskube');
    stores.push(s);
    const acks: Ack[] = [];
    const stop = { now: false };
    const loops = load([s.client(), s.client()], 'dmg', acks, stop);
    await until('50 acknowledged puts', () => acks.length >= 50);
    await s.kill();
    stop.now = true;
    await loops;
    const first = segments(s)[0]!;
    const data = readFileSync(first);
    const second = 8 + data.readUInt32LE(0);
    const fd = openSync(first, 'r+');
    writeSync(fd, Buffer.from([data[second + 30]! ^ 0x5a]), 0, 1, second + 30);
    closeSync(fd);
    const before = digest(s.dataDir);
    const res = await s.launchExpectingExit();
    assert.ok(typeof res === 'object' && res.code !== 0, `tskube etcd started on a damaged log: ${JSON.stringify(res)}\n${s.output()}`);
    assert.ok(s.output().includes(`${first} at offset ${second}: checksum mismatch`), s.output());
    assert.equal(digest(s.dataDir), before, 'the refused start changed the data dir');
  });
});
