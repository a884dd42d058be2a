// The MVCC store on a real LMDB backend in a temp dir: revisions, history reads, txn
// atomicity, compaction, watch history and live delivery, recovery after reopen.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Event } from '../../../src/store/mvcc/key-value.js';
import { MvccStore } from '../../../src/store/mvcc/mvcc-store.js';
import { LeaseKeeper } from '../../../src/store/lease/lease-keeper.js';

const b = (s: string) => Buffer.from(s);

describe('MvccStore', () => {
  let dir: string;
  let store: MvccStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tskube-mvcc-'));
    store = await MvccStore.open({ dataDir: dir });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts bump the revision and keep history', async () => {
    const r1 = await store.put({ key: b('a'), value: b('1') });
    const r2 = await store.put({ key: b('a'), value: b('2'), prevKv: true });
    assert.equal(r2.revision, r1.revision + 1);
    assert.equal(r2.prevKv?.value.toString(), '1');
    const now = store.range({ key: b('a') });
    assert.equal(now.kvs[0].value.toString(), '2');
    assert.equal(now.kvs[0].version, 2);
    assert.equal(now.kvs[0].create_revision, r1.revision);
    const old = store.range({ key: b('a'), revision: r1.revision });
    assert.equal(old.kvs[0].value.toString(), '1');
    assert.throws(() => store.range({ key: b('a'), revision: r2.revision + 5 }), /future revision/);
  });

  it('ranges with limit, count and prefix end', async () => {
    for (const k of ['p/1', 'p/2', 'p/3', 'q']) await store.put({ key: b(k), value: b(k) });
    const r = store.range({ key: b('p/'), rangeEnd: b('p0'), limit: 2 });
    assert.deepEqual(r.kvs.map((kv) => kv.key.toString()), ['p/1', 'p/2']);
    assert.equal(r.count, 3);
    assert.equal(r.more, true);
    const all = store.range({ key: b('p/'), rangeEnd: Buffer.from([0]), sortOrder: 'DESCEND' });
    assert.deepEqual(all.kvs.map((kv) => kv.key.toString()), ['q', 'p/3', 'p/2', 'p/1']);
  });

  it('txn applies all ops of a branch in one revision', async () => {
    const before = store.currentRevision;
    const t = await store.txn({
      compare: [{ key: b('t1'), target: 'CREATE', result: 'EQUAL', operand: 0 }],
      success: [{ put: { key: b('t1'), value: b('x') } }, { put: { key: b('t2'), value: b('x') } }, { range: { key: b('t1') } }],
      failure: [],
    });
    assert.equal(t.succeeded, true);
    assert.equal(t.revision, before + 1);
    const rr = t.responses[2] as { range: { kvs: { value: Buffer }[] } };
    assert.equal(rr.range.kvs[0].value.toString(), 'x');
    const again = await store.txn({
      compare: [{ key: b('t1'), target: 'CREATE', result: 'EQUAL', operand: 0 }],
      success: [{ put: { key: b('t1'), value: b('y') } }],
      failure: [{ range: { key: b('t1') } }],
    });
    assert.equal(again.succeeded, false);
    assert.equal(store.currentRevision, before + 1);
  });

  it('a txn with a bad op changes nothing', async () => {
    const rev = store.currentRevision;
    await assert.rejects(
      store.txn({ compare: [], success: [{ put: { key: b('z1'), value: b('1') } }, { put: { key: b('z2'), value: b('1'), lease: 12345n } }], failure: [] }),
      /requested lease not found/,
    );
    assert.equal(store.currentRevision, rev);
    assert.equal(store.range({ key: b('z1') }).count, 0);
  });

  it('watches deliver history then live events', async () => {
    const start = store.currentRevision;
    await store.put({ key: b('w/1'), value: b('a') });
    await store.deleteRange({ key: b('w/1') });
    const got: Event[] = [];
    const w = store.watch({ key: b('w/'), rangeEnd: b('w0'), startRevision: start + 1, prevKv: true }, {
      events: (evs) => got.push(...evs),
      compacted: () => assert.fail('not compacted'),
    });
    await new Promise((r) => setTimeout(r, 20));
    await store.put({ key: b('w/2'), value: b('b') });
    await new Promise((r) => setTimeout(r, 20));
    w.cancel();
    assert.deepEqual(got.map((e) => `${e.type} ${e.kv.key}`), ['PUT w/1', 'DELETE w/1', 'PUT w/2']);
    assert.equal(got[1].prev_kv?.value.toString(), 'a');
  });

  it('compaction forgets old revisions and refuses compacted watches', async () => {
    await store.put({ key: b('c'), value: b('1') });
    const r = await store.put({ key: b('c'), value: b('2') });
    await store.compact(r.revision);
    assert.throws(() => store.range({ key: b('c'), revision: r.revision - 1 }), /compacted/);
    assert.equal(store.range({ key: b('c'), revision: r.revision }).kvs[0].value.toString(), '2');
    const compacted = await new Promise<number>((res) =>
      store.watch({ key: b('c'), startRevision: 1 }, { events: () => {}, compacted: res }),
    );
    assert.equal(compacted, r.revision);
  });

  it('leases delete their keys in one revision on revoke', async () => {
    const lk = new LeaseKeeper(store);
    lk.start();
    const { id } = await lk.grant(0n, 60);
    await store.put({ key: b('l/1'), value: b('1'), lease: id });
    await store.put({ key: b('l/2'), value: b('2'), lease: id });
    assert.equal(lk.timeToLive(id)?.keys.length, 2);
    const revs = new Set<number>();
    const w = store.watch({ key: b('l/'), rangeEnd: b('l0') }, { events: (evs) => evs.forEach((e) => revs.add(e.kv.mod_revision)), compacted: () => {} });
    await lk.revoke(id);
    w.cancel();
    lk.stop();
    assert.equal(store.range({ key: b('l/'), rangeEnd: b('l0') }).count, 0);
    assert.equal(revs.size, 1);
  });

  it('reopens with the same revision and data', async () => {
    const rev = store.currentRevision;
    const hash = store.hashKV(0).hash;
    await store.close();
    store = await MvccStore.open({ dataDir: dir });
    assert.equal(store.currentRevision, rev);
    assert.equal(store.range({ key: b('t2') }).kvs[0].value.toString(), 'x');
    assert.equal(store.hashKV(0).hash, hash);
  });
});

describe('defragment', () => {
  it('shrinks the file and keeps the data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tskube-defrag-'));
    const store = await MvccStore.open({ dataDir: dir });
    const big = Buffer.alloc(4096, 7);
    for (let i = 0; i < 300; i++) await store.put({ key: b(`d${i}`), value: big });
    await store.deleteRange({ key: b('d'), rangeEnd: b('e') });
    await store.compact(store.currentRevision);
    const before = store.dbSize().size;
    await store.defragment();
    assert.ok(store.dbSize().size < before, `${store.dbSize().size} < ${before}`);
    await store.put({ key: b('after'), value: b('1') });
    assert.equal(store.range({ key: b('after') }).count, 1);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
