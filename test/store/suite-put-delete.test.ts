// Put options (prev_kv, lease, ignore_value, ignore_lease) and DeleteRange, with their errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { lines, parseJson } from './harness/etcdctl-json.js';
import { hexToDecimal, leaseFromGrant } from './harness/lease-id.js';
import { forEachTarget } from './harness/suite.js';

const b = (s: string): Buffer => Buffer.from(s);

forEachTarget((ctx) => {
  const kv = () => ctx.store.client().kv;
  const grant = async (ttl = 300): Promise<string> => leaseFromGrant(ok(await ctx.store.etcdctl(['lease', 'grant', String(ttl)])));

  test('put --prev-kv prints the previous pair, nothing for a new key', async () => {
    assert.equal(ok(await ctx.store.etcdctl(['put', 'pd1/k', 'first', '--prev-kv'])), 'OK\n');
    assert.equal(ok(await ctx.store.etcdctl(['put', 'pd1/k', 'second', '--prev-kv'])), 'OK\npd1/k\nfirst\n');
    const res = await kv().put({ key: b('pd1/k'), value: b('third'), prev_kv: true });
    assert.equal(res.prev_kv?.value.toString(), 'second');
    assert.equal(res.prev_kv?.version, '2');
    assert.equal(Number(res.prev_kv?.mod_revision) + 1, Number(res.header.revision));
  });

  test('put with a lease attaches it; an unknown lease is refused and nothing is written', async () => {
    const lease = await grant();
    ok(await ctx.store.etcdctl(['put', 'pd2/k', 'v', `--lease=${lease}`]));
    const got = await kv().range({ key: b('pd2/k') });
    assert.equal(got.kvs[0]?.lease, hexToDecimal(lease));
    const before = (await kv().range({ key: b('pd2/none') })).header.revision;
    assert.equal(errorLine(await ctx.store.etcdctl(['put', 'pd2/none', 'v', '--lease=123456789abc'])), 'Error: etcdserver: requested lease not found');
    // etcd3 wraps this one message ("Lease <grpc message> is expired or revoked")
    await assert.rejects(kv().put({ key: b('pd2/none'), value: b('v'), lease: '987654321' }), {
      message: /\b5 NOT_FOUND: etcdserver: requested lease not found\b/,
    });
    const after = await kv().range({ key: b('pd2/none') });
    assert.equal(after.kvs.length, 0);
    assert.equal(after.header.revision, before);
  });

  test('ignore_value keeps the value and bumps the version; ignore_lease keeps the lease', async () => {
    const lease = await grant();
    ok(await ctx.store.etcdctl(['put', 'pd3/k', 'keep-me', `--lease=${lease}`]));
    ok(await ctx.store.etcdctl(['put', 'pd3/k', '--ignore-value']));
    let j = parseJson(ok(await ctx.store.etcdctl(['get', 'pd3/k', '-w', 'json'])));
    assert.equal(j.kvs?.[0]?.value, 'keep-me');
    assert.equal(j.kvs?.[0]?.version, 2);
    // ignore_value without a lease detaches the lease, like any put without one
    assert.equal((await kv().range({ key: b('pd3/k') })).kvs[0]?.lease, '0');
    ok(await ctx.store.etcdctl(['put', 'pd3/k', 'v2', `--lease=${lease}`]));
    ok(await ctx.store.etcdctl(['put', 'pd3/k', 'new-value', '--ignore-lease']));
    const r = await kv().range({ key: b('pd3/k') });
    assert.equal(r.kvs[0]?.value.toString(), 'new-value');
    assert.equal(r.kvs[0]?.lease, hexToDecimal(lease));
    j = parseJson(ok(await ctx.store.etcdctl(['get', 'pd3/k', '-w', 'json'])));
    assert.equal(j.kvs?.[0]?.version, 4);
  });

  test('ignore_value / ignore_lease on a missing key, or together with a value/lease, are refused', async () => {
    assert.equal(errorLine(await ctx.store.etcdctl(['put', 'pd4/missing', '--ignore-value'])), 'Error: etcdserver: key not found');
    assert.equal(errorLine(await ctx.store.etcdctl(['put', 'pd4/missing', 'v', '--ignore-lease'])), 'Error: etcdserver: key not found');
    await assert.rejects(kv().put({ key: b('pd4/missing'), ignore_value: true }), {
      message: '3 INVALID_ARGUMENT: etcdserver: key not found',
    });
    await kv().put({ key: b('pd4/k'), value: b('v') });
    await assert.rejects(kv().put({ key: b('pd4/k'), value: b('x'), ignore_value: true }), {
      message: '3 INVALID_ARGUMENT: etcdserver: value is provided',
    });
    await assert.rejects(kv().put({ key: b('pd4/k'), value: b('x'), lease: '12345', ignore_lease: true }), {
      message: '3 INVALID_ARGUMENT: etcdserver: lease is provided',
    });
    assert.equal(ok(await ctx.store.etcdctl(['get', 'pd4/', '--prefix'])), 'pd4/k\nv\n');
  });

  test('del prints the number deleted; --prev-kv prints the deleted pairs', async () => {
    for (const k of ['a', 'b', 'c', 'd', 'e']) await kv().put({ key: b(`pd5/${k}`), value: b(`val-${k}`) });
    assert.equal(ok(await ctx.store.etcdctl(['del', 'pd5/a'])), '1\n');
    assert.equal(ok(await ctx.store.etcdctl(['del', 'pd5/a'])), '0\n');
    assert.deepEqual(lines(ok(await ctx.store.etcdctl(['del', 'pd5/b', 'pd5/d', '--prev-kv']))), ['2', 'pd5/b', 'val-b', 'pd5/c', 'val-c']);
    const j = parseJson<{ deleted?: number; prev_kvs?: { key: string }[] }>(ok(await ctx.store.etcdctl(['del', 'pd5/', '--prefix', '--prev-kv', '-w', 'json'])));
    assert.equal(j.deleted, 2);
    assert.deepEqual(j.prev_kvs?.map((p) => p.key), ['pd5/d', 'pd5/e']);
    assert.equal(ok(await ctx.store.etcdctl(['get', 'pd5/', '--prefix'])), '');
  });

  test('a delete of nothing does not advance the revision; a ranged delete is one revision', async () => {
    const r0 = Number((await kv().put({ key: b('pd6/x'), value: b('1') })).header.revision);
    await kv().put({ key: b('pd6/y'), value: b('1') });
    const none = await kv().deleteRange({ key: b('pd6/nothing') });
    assert.equal(none.deleted, '0');
    assert.equal(Number(none.header.revision), r0 + 1);
    const both = await kv().deleteRange({ key: b('pd6/'), range_end: b('pd60'), prev_kv: true });
    assert.equal(both.deleted, '2');
    assert.equal(Number(both.header.revision), r0 + 2);
    // both deletions happened at that one revision
    const hist = await kv().range({ key: b('pd6/'), range_end: b('pd60'), revision: r0 + 1 });
    assert.equal(hist.kvs.length, 2);
  });

  test('del --from-key removes everything from the key on', async () => {
    for (const k of ['~pd7/1', '~pd7/2', '~pd7/3']) await kv().put({ key: b(k), value: b('x') });
    assert.equal(ok(await ctx.store.etcdctl(['del', '~pd7/2', '--from-key'])), '2\n');
    assert.equal(ok(await ctx.store.etcdctl(['get', '~pd7/', '--prefix', '--keys-only'])), '~pd7/1\n\n');
  });
});
