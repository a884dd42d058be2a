// Compaction: old revisions become unreadable with etcd's error, newer ones stay, the
// compacted revision survives a restart, and compacting the past or the future is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { parseJson } from './harness/etcdctl-json.js';
import { forEachTarget } from './harness/suite.js';

const b = (s: string): Buffer => Buffer.from(s);
const COMPACTED = 'Error: etcdserver: mvcc: required revision has been compacted';

forEachTarget((ctx) => {
  const kv = () => ctx.store.client().kv;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;

  test('compaction makes older revisions unreadable and keeps the rest', async () => {
    r1 = Number((await kv().put({ key: b('cp/k'), value: b('one') })).header.revision);
    await kv().put({ key: b('cp/gone'), value: b('x') });
    await kv().deleteRange({ key: b('cp/gone') });
    r2 = Number((await kv().put({ key: b('cp/k'), value: b('two') })).header.revision);
    r3 = Number((await kv().put({ key: b('cp/k'), value: b('three') })).header.revision);
    assert.equal(ok(await ctx.store.etcdctl(['compaction', String(r2)])), `compacted revision ${r2}\n`);
    assert.equal(errorLine(await ctx.store.etcdctl(['get', 'cp/k', `--rev=${r2 - 1}`])), COMPACTED);
    await assert.rejects(kv().range({ key: b('cp/k'), revision: r1 }), {
      message: '11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted',
    });
    // the compacted revision itself is still readable, and so is everything after it
    assert.equal(ok(await ctx.store.etcdctl(['get', 'cp/k', `--rev=${r2}`, '--print-value-only'])), 'two\n');
    const j = parseJson(ok(await ctx.store.etcdctl(['get', 'cp/k', '-w', 'json'])));
    assert.deepEqual(j.kvs?.[0], { key: 'cp/k', value: 'three', create_revision: r1, mod_revision: r3, version: 3 });
    assert.equal(ok(await ctx.store.etcdctl(['get', 'cp/gone'])), '');
  });

  test('compacting at or below the compacted revision, or in the future, is refused', async () => {
    assert.equal(errorLine(await ctx.store.etcdctl(['compaction', String(r2)])), COMPACTED);
    assert.equal(errorLine(await ctx.store.etcdctl(['compaction', String(r1)])), COMPACTED);
    assert.equal(
      errorLine(await ctx.store.etcdctl(['compaction', String(r3 + 100)])),
      'Error: etcdserver: mvcc: required revision is a future revision',
    );
    await assert.rejects(kv().compact({ revision: r3 + 100 }), {
      message: '11 OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision',
    });
    // nothing changed: the head revision is where it was
    assert.equal(parseJson(ok(await ctx.store.etcdctl(['get', 'cp/k', '-w', 'json']))).header.revision, r3);
  });

  test('--physical compaction up to the head revision', async () => {
    assert.equal(ok(await ctx.store.etcdctl(['compaction', '--physical', String(r3)])), `compacted revision ${r3}\n`);
    assert.equal(errorLine(await ctx.store.etcdctl(['get', 'cp/k', `--rev=${r3 - 1}`])), COMPACTED);
    assert.equal(ok(await ctx.store.etcdctl(['get', 'cp/k', `--rev=${r3}`, '--print-value-only'])), 'three\n');
  });

  test('the compacted revision and the data survive a restart', async () => {
    const r4 = Number((await kv().put({ key: b('cp/after'), value: b('4') })).header.revision);
    await ctx.store.restart();
    assert.equal(errorLine(await ctx.store.etcdctl(['get', 'cp/k', `--rev=${r3 - 1}`])), COMPACTED);
    assert.equal(errorLine(await ctx.store.etcdctl(['compaction', String(r3)])), COMPACTED);
    const j = parseJson(ok(await ctx.store.etcdctl(['get', 'cp/', '--prefix', '-w', 'json'])));
    assert.equal(j.header.revision, r4);
    assert.deepEqual(j.kvs?.map((k) => [k.key, k.value, k.mod_revision]), [['cp/after', '4', r4], ['cp/k', 'three', r3]]);
  });
});
