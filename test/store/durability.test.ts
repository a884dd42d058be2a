// Crash safety: concurrent puts and multi-key txns from 8 clients, SIGKILL mid-load, restart.
// Every acknowledged write must be there with the revision it was acknowledged at, and no
// txn may be half applied. Then (tskube only) damaged data files must stop the server with
// a clear message instead of serving whatever survived.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Etcd3 } from 'etcd3';
import { ok } from './harness/etcdctl.js';
import { StoreProcess } from './harness/store-process.js';
import { forEachTarget } from './harness/suite.js';
import { selectedTargets, unavailableReason } from './harness/targets.js';

const b = (s: string): Buffer => Buffer.from(s);
const CLIENTS = 8;
const TXN_KEYS = ['a', 'b', 'c'];

interface Ack {
  keys: string[];
  value: string;
  revision: number;
}

/** One client's loop: alternate single puts and 3-key txns until stopped; records acks. */
async function writer(client: Etcd3, id: number, acks: Ack[], stop: { now: boolean }): Promise<void> {
  for (let n = 0; !stop.now; n++) {
    const value = `c${id}-n${n}-${'x'.repeat(48)}`;
    try {
      if (n % 2 === 0) {
        const key = `du/p/${id}/${n}`;
        const res = await client.kv.put({ key: b(key), value: b(value) });
        acks.push({ keys: [key], value, revision: Number(res.header.revision) });
      } else {
        const keys = TXN_KEYS.map((k) => `du/t/${id}-${n}/${k}`);
        const res = await client.kv.txn({
          compare: [{ key: b(keys[0]!), target: 'Version', result: 'Equal', version: 0 }],
          success: keys.map((k) => ({ request_put: { key: b(k), value: b(value) } })),
          failure: [],
        });
        assert.equal(res.succeeded, true);
        acks.push({ keys, value, revision: Number(res.header.revision) });
      }
    } catch {
      return; // the server died under this request: not acknowledged
    }
  }
}

forEachTarget((ctx) => {
  test('SIGKILL under concurrent load loses no acknowledged write and splits no txn', async () => {
    const acks: Ack[] = [];
    const stop = { now: false };
    // one client per writer so the requests really are concurrent connections
    const clients = Array.from({ length: CLIENTS }, () => ctx.store.client());
    const loops = clients.map((c, i) => writer(c, i, acks, stop));
    const deadline = Date.now() + 20_000;
    while (acks.length < 600 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(acks.length > 0, 'no write was acknowledged before the kill');
    await ctx.store.kill();
    stop.now = true;
    await Promise.all(loops);
    const acked = acks.length;
    await ctx.store.launch();

    // A fresh subchannel: grpc-js shares subchannels between clients of one target, and the
    // writers' subchannel may still be in reconnect back-off from the kill, which would fail
    // the first call with UNAVAILABLE although the restarted server is serving.
    const kv = ctx.store.client({ grpcOptions: { 'grpc.use_local_subchannel_pool': 1 } }).kv;
    const all = await kv.range({ key: b('du/'), range_end: b('du0') });
    const byKey = new Map(all.kvs.map((x) => [x.key.toString(), x]));
    for (const ack of acks) {
      for (const key of ack.keys) {
        const got = byKey.get(key);
        assert.ok(got, `acknowledged key ${key} (revision ${ack.revision}) is missing after restart`);
        assert.equal(got.value.toString(), ack.value, key);
        assert.equal(Number(got.mod_revision), ack.revision, `${key}: acknowledged at ${ack.revision}`);
      }
    }
    // every txn is all or nothing, acknowledged or not
    const groups = new Map<string, { key: string; value: string; rev: string }[]>();
    for (const x of all.kvs) {
      const m = /^du\/t\/([^/]+)\//.exec(x.key.toString());
      if (!m) continue;
      const g = groups.get(m[1]!) ?? [];
      g.push({ key: x.key.toString(), value: x.value.toString(), rev: x.mod_revision });
      groups.set(m[1]!, g);
    }
    for (const [txn, g] of groups) {
      assert.equal(g.length, TXN_KEYS.length, `txn ${txn} partially applied: ${JSON.stringify(g)}`);
      assert.equal(new Set(g.map((x) => `${x.value}@${x.rev}`)).size, 1, `txn ${txn}: ${JSON.stringify(g)}`);
    }
    // revisions are dense: each write added exactly one revision
    const maxAck = Math.max(...acks.map((a) => a.revision));
    assert.ok(Number(all.header.revision) >= maxAck);
    const revs = new Set(all.kvs.map((x) => x.mod_revision));
    assert.equal(revs.size, all.kvs.length - groups.size * (TXN_KEYS.length - 1));
    // and the server keeps working after recovery
    const next = await kv.put({ key: b('du/after'), value: b('1') });
    assert.equal(Number(next.header.revision), Number(all.header.revision) + 1);
    assert.ok(acked > 0);
  });
});

/** The data files tskube keeps in its data dir, biggest first. */
function dataFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('-lock') && !e.name.endsWith('.lock')) out.push(p);
    }
  };
  walk(dir);
  return out.sort((x, y) => statSync(y).size - statSync(x).size);
}

const damageSkip = selectedTargets().includes('tskube') ? unavailableReason('tskube') : 'tskube not in STORE_TARGETS';
describe('tskube damaged data files', { skip: damageSkip }, () => {
  const stores: StoreProcess[] = [];
  after(async () => {
    for (const s of stores) await s.destroy();
  });

  /** A stopped store holding some known keys, one of them with a unique marker value. */
  async function seeded(marker: string): Promise<StoreProcess> {
    const s = await StoreProcess.start('tskube');
    stores.push(s);
    const kv = s.client().kv;
    for (let i = 0; i < 50; i++) await kv.put({ key: b(`dmg/${i}`), value: b(`value-${i}`) });
    ok(await s.etcdctl(['put', 'dmg/marker', marker]));
    await s.stop();
    return s;
  }

  function expectRefused(res: Awaited<ReturnType<StoreProcess['launchExpectingExit']>>, s: StoreProcess): void {
    assert.notEqual(res, 'served', `tskube etcd served a damaged data dir:\n${s.output()}`);
    assert.notEqual(res, 'timeout', `tskube etcd neither exited nor served:\n${s.output()}`);
    if (typeof res === 'string') return;
    assert.ok(res.code !== 0 && res.code !== null, `exit ${JSON.stringify(res)}`);
    assert.match(s.output(), /damage|corrupt|truncat/i, s.output());
  }

  test('a truncated data file stops the server with a message naming the damage', async () => {
    const s = await seeded('TRUNCATE-MARKER-0001');
    const file = dataFiles(s.dataDir)[0]!;
    truncateSync(file, Math.floor(statSync(file).size / 2));
    expectRefused(await s.launchExpectingExit(), s);
  });

  test('a flipped byte inside a stored value stops the server', async () => {
    const marker = 'FLIP-MARKER-7c1e5a9d3b';
    const s = await seeded(marker);
    let flipped = 0;
    for (const file of dataFiles(s.dataDir)) {
      const data = readFileSync(file);
      for (let at = data.indexOf(marker); at >= 0; at = data.indexOf(marker, at + 1)) {
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.from([data[at + 5]! ^ 0x20]), 0, 1, at + 5);
        closeSync(fd);
        flipped++;
      }
    }
    assert.ok(flipped > 0, 'marker value not found in any data file');
    expectRefused(await s.launchExpectingExit(), s);
  });

  test('zeroed meta pages stop the server', async () => {
    const s = await seeded('META-MARKER-0002');
    const file = dataFiles(s.dataDir)[0]!;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(8192), 0, 8192, 0);
    closeSync(fd);
    expectRefused(await s.launchExpectingExit(), s);
  });
});
