// The API server's etcd client (Range, Txn, LeaseGrant and Watch hand-encoded over node:http2)
// against the real etcd 3.4 and `tskube etcd`: the calls ObjectStore makes,
// large lease IDs kept exact, etcd's errors with their gRPC codes, failover past a dead
// endpoint. The codecs are also checked against protobufjs reading/writing etcd's own protos.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { after, before, describe, test } from 'node:test';
import { STORES, freePort, startStore, stopChild } from './harness.js';
import { CompactedError, EtcdClient, prefixEnd, progressFixed, type EtcdEvent } from '../../src/apiserver/storage/etcd-client.js';
import { FrameReader } from '../../src/apiserver/storage/etcd-wire/grpc-channel.js';
import { decodeRangeResponse, decodeTxnResponse, encodeRangeRequest, encodeTxnRequest } from '../../src/apiserver/storage/etcd-wire/kv-messages.js';
import { etcdctl, ok } from '../store/harness/etcdctl.js';

const protoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto/etcd');
const b = (s: string) => Buffer.from(s);

test('codecs: requests read back by protobufjs, responses written by protobufjs read back', () => {
  const root = new protobuf.Root();
  root.resolvePath = (_o, target) => path.join(protoDir, path.basename(target));
  root.loadSync('rpc.proto', { keepCase: true });
  const T = (n: string) => root.lookupType(n);
  const range = T('etcdserverpb.RangeRequest').toObject(T('etcdserverpb.RangeRequest').decode(
    encodeRangeRequest({ key: b('/registry/pods/'), range_end: b('/registry/pods0'), limit: 500, revision: 2 ** 40 + 3, count_only: true })), { longs: String });
  assert.deepEqual({ ...range, key: String(range.key), range_end: String(range.range_end) },
    { key: '/registry/pods/', range_end: '/registry/pods0', limit: '500', revision: String(2 ** 40 + 3), count_only: true });
  const bigLease = '7587886811335271435';
  const txn = T('etcdserverpb.TxnRequest').toObject(T('etcdserverpb.TxnRequest').decode(encodeTxnRequest({
    compare: [{ key: b('k'), target: 'CREATE', result: 'EQUAL', create_revision: 0 }, { key: b('k'), target: 'MOD', result: 'LESS', mod_revision: '77' }],
    success: [{ request_put: { key: b('k'), value: b('v'), lease: bigLease } }],
    failure: [{ request_range: { key: b('k') } }, { request_delete_range: { key: b('a'), range_end: b('b') } }],
  })), { longs: String, enums: String, oneofs: true });
  assert.equal(txn.compare.length, 2);
  assert.equal(txn.compare[0].target_union, 'create_revision');
  assert.equal(txn.compare[0].create_revision, '0');
  assert.equal(txn.compare[1].result, 'LESS');
  assert.equal(txn.compare[1].mod_revision, '77');
  assert.equal(txn.success[0].request_put.lease, bigLease);
  assert.equal(String(txn.failure[1].request_delete_range.range_end), 'b');

  const kv = { key: b('/registry/a'), create_revision: 5, mod_revision: 9, version: 2, value: b('{"x":1}'), lease: bigLease };
  const rr = T('etcdserverpb.RangeResponse');
  const decoded = decodeRangeResponse(Buffer.from(rr.encode(rr.fromObject({ header: { revision: 12, member_id: '18446744073709551615' }, kvs: [kv, { key: b('z') }], more: true, count: 7 })).finish()));
  assert.equal(decoded.header.revision, '12');
  assert.equal(decoded.more, true);
  assert.equal(decoded.count, '7');
  assert.deepEqual(decoded.kvs.map((k) => [String(k.key), k.create_revision, k.mod_revision, k.version, String(k.value), k.lease]),
    [['/registry/a', '5', '9', '2', '{"x":1}', bigLease], ['z', '0', '0', '0', '', '0']]);
  const tr = T('etcdserverpb.TxnResponse');
  const t2 = decodeTxnResponse(Buffer.from(tr.encode(tr.fromObject({ header: { revision: 3 }, succeeded: false, responses: [
    { response_range: { kvs: [kv], count: 1 } }, { response_delete_range: { deleted: 2, prev_kvs: [kv] } }, { response_put: { prev_kv: kv } }] })).finish()));
  assert.equal(t2.succeeded, false);
  assert.equal(String(t2.responses[0].response_range!.kvs[0].value), '{"x":1}');
  assert.equal(t2.responses[1].response_delete_range!.deleted, '2');
  assert.equal(t2.responses[2].response_put!.prev_kv!.lease, bigLease);
});

test('gRPC frames: messages split across chunks and several in one chunk come out whole, in order', () => {
  const framed = (m: Buffer) => { const f = Buffer.alloc(5 + m.length); f.writeUInt32BE(m.length, 1); m.copy(f, 5); return f; };
  const msgs = [b('a'), Buffer.alloc(0), Buffer.alloc(40_000, 7), b('last')];
  const all = Buffer.concat(msgs.map(framed));
  for (const cut of [1, 3, 5, 6, 4096, all.length]) {
    const out: string[] = [];
    const r = new FrameReader();
    for (let i = 0; i < all.length; i += cut) r.push(all.subarray(i, i + cut), (m) => out.push(m.toString('hex')));
    assert.deepEqual(out, msgs.map((m) => m.toString('hex')), `chunks of ${cut} bytes`);
  }
  assert.throws(() => new FrameReader().push(Buffer.from([1, 0, 0, 0, 0]), () => {}), /compressed/);
});

for (const kind of STORES) {
  describe(`EtcdClient against ${kind === 'etcd' ? 'the real etcd 3.4' : 'tskube etcd'}`, () => {
    let dir: string;
    let store: Awaited<ReturnType<typeof startStore>>;
    let etcd: EtcdClient;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `tskube-etcd-client-${process.pid}-`));
      store = await startStore(kind, dir);
      etcd = new EtcdClient([store.url]);
    });
    after(async () => { etcd?.close(); await stopChild(store?.child); fs.rmSync(dir, { recursive: true, force: true }); });

    test('create-if-absent, compare-and-swap with the current value on failure, ranges, delete', async () => {
      const key = b('/registry/things/a');
      const create = () => etcd.txn({ compare: [{ key, target: 'CREATE', result: 'EQUAL', create_revision: '0' }], success: [{ request_put: { key, value: b('one') } }] });
      const first = await create();
      assert.equal(first.succeeded, true);
      const rev = Number(first.header.revision);
      assert.equal((await create()).succeeded, false, 'a second create of the same key fails its compare');
      const put = (value: string, modRevision: number) => etcd.txn({
        compare: [{ key, target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
        success: [{ request_put: { key, value: b(value) } }], failure: [{ request_range: { key } }],
      });
      const stale = await put('two', rev - 1);
      assert.equal(stale.succeeded, false);
      const cur = stale.responses[0].response_range!.kvs[0];
      assert.deepEqual([String(cur.value), cur.mod_revision, cur.create_revision, cur.version], ['one', String(rev), String(rev), '1']);
      const ok2 = await put('two', rev);
      assert.equal(ok2.succeeded, true);
      assert.equal(Number(ok2.header.revision), rev + 1);
      await etcd.txn({ compare: [], success: [{ request_put: { key: b('/registry/things/b'), value: Buffer.alloc(70_000, 120) } }] });
      const all = await etcd.range(b('/registry/things/'), { rangeEnd: prefixEnd(b('/registry/things/')) });
      assert.deepEqual(all.kvs.map((k) => [String(k.key), k.value.length]), [['/registry/things/a', 3], ['/registry/things/b', 70_000]]);
      const page = await etcd.range(b('/registry/things/'), { rangeEnd: prefixEnd(b('/registry/things/')), limit: 1 });
      assert.deepEqual([page.kvs.length, page.more, page.count], [1, true, '2']);
      const old = await etcd.range(key, { revision: rev });
      assert.equal(String(old.kvs[0].value), 'one', 'a read at an older revision sees the older value');
      const del = await etcd.txn({ compare: [{ key, target: 'MOD', result: 'EQUAL', mod_revision: String(rev + 1) }], success: [{ request_delete_range: { key } }] });
      assert.equal(del.succeeded, true);
      assert.equal(del.responses[0].response_delete_range!.deleted, '1');
      assert.equal((await etcd.range(key)).kvs.length, 0);
    });

    test('lease IDs (random 63-bit numbers on etcd) survive grant, put and read exactly', async () => {
      const id = await etcd.leaseGrant(60);
      assert.match(id, /^[1-9]\d*$/);
      const key = b('/registry/events/default/e1');
      const r = await etcd.txn({ compare: [], success: [{ request_put: { key, value: b('{}'), lease: id } }] });
      assert.equal(r.succeeded, true);
      assert.equal((await etcd.range(key)).kvs[0].lease, id);
      const listed = ok(await etcdctl(['lease', 'list'], { endpoint: store.url }));
      assert.ok(listed.includes(BigInt(id).toString(16)), `etcdctl lease list shows ${BigInt(id).toString(16)}: ${listed}`);
    });

    test('watch: puts and deletes with previous values (a 70 KB value spans DATA frames), then a progress notification', async () => {
      const prefix = b('/registry/watched/');
      const start = Number((await etcd.range(b('/'), { countOnly: true })).header.revision) + 1;
      const events: EtcdEvent[] = [];
      let progress = 0;
      let failed: Error | undefined;
      const stop = etcd.watch(prefix, prefixEnd(prefix), start, (evs) => events.push(...evs), (err) => { failed = err; }, (rev) => { progress = rev; });
      try {
        await etcd.txn({ compare: [], success: [{ request_put: { key: b('/registry/watched/a'), value: Buffer.alloc(70_000, 97) } }] });
        await etcd.txn({ compare: [], success: [{ request_put: { key: b('/registry/other'), value: b('not watched') } }] });
        await etcd.txn({ compare: [], success: [{ request_put: { key: b('/registry/watched/a'), value: b('small') } }] });
        const del = await etcd.txn({ compare: [], success: [{ request_delete_range: { key: b('/registry/watched/a') } }] });
        for (const deadline = Date.now() + 10_000; events.length < 3 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
        assert.equal(failed, undefined);
        assert.deepEqual(events.map((e) => [e.type, String(e.kv.key), e.kv.value.length, e.prev_kv?.value.length]),
          [['PUT', '/registry/watched/a', 70_000, undefined], ['PUT', '/registry/watched/a', 5, 70_000], ['DELETE', '/registry/watched/a', 0, 5]]);
        assert.equal(events[2].kv.mod_revision, del.header.revision);
        stop.requestProgress();
        for (const deadline = Date.now() + 10_000; progress < Number(del.header.revision) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
        assert.ok(progress >= Number(del.header.revision), `progress ${progress} reached the delete's revision ${del.header.revision}`);
      } finally { stop(); }
    });

    test("etcd's errors keep their gRPC code and message (future and compacted revisions)", async () => {
      const { header } = await etcd.range(b('/'), { countOnly: true });
      const now = Number(header.revision);
      await assert.rejects(etcd.range(b('/registry/'), { revision: now + 1000 }), (err: any) => err.code === 11 && /future revision/.test(err.details));
      ok(await etcdctl(['compact', String(now)], { endpoint: store.url }));
      await assert.rejects(etcd.range(b('/registry/'), { revision: now - 1 }), (err: any) => err.code === 11 && /compacted/.test(err.details));
      // A watch from a compacted revision ends with CompactedError (the watch cache's 410 Gone).
      const err = await new Promise<Error>((resolve) => {
        const stop = etcd.watch(b('/registry/'), prefixEnd(b('/registry/')), now - 1, () => {}, (e) => { stop(); resolve(e); });
      });
      assert.ok(err instanceof CompactedError, String(err));
      assert.equal(err.compactRevision, now);
    });

    test('an unreachable endpoint first in the list: the call moves on to the next one', async () => {
      const dead = `http://127.0.0.1:${await freePort()}`;
      const both = new EtcdClient([dead, store.url]);
      try {
        assert.ok(Number((await both.range(b('/'), { countOnly: true })).header.revision) > 0);
      } finally { both.close(); }
      const none = new EtcdClient([dead]);
      try {
        await assert.rejects(none.range(b('/')), (err: any) => err.code === 14 && /ECONNREFUSED/.test(err.details));
      } finally { none.close(); }
    });

    test('watch progress is trusted on tskube etcd (it follows the etcd#15220 fix), not on Debian\'s etcd 3.4.23', async () => {
      assert.equal(await etcd.supportsWatchProgress(), kind !== 'etcd');
    });
  });
}

test('etcd versions with the etcd#15220 fix', () => {
  const fixed = ['3.4.31', '3.4.34', '3.5.13', '3.5.21', '3.6.0', '4.0.0'];
  const broken = ['3.4.23', '3.4.30', '3.5.0', '3.5.12', '3.3.27', '', 'dev'];
  assert.deepEqual(fixed.map(progressFixed), fixed.map(() => true));
  assert.deepEqual(broken.map(progressFixed), broken.map(() => false));
});
