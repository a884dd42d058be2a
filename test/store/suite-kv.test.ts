// Range reads: etcdctl get with prefix/from-key/range_end/limit/rev/sort/keys-only and the
// raw Range fields etcdctl 3.4 does not expose (count_only, min/max revision filters).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { isHeader, lines, pairs, parseJson } from './harness/etcdctl-json.js';
import { forEachTarget } from './harness/suite.js';

const b = (s: string): Buffer => Buffer.from(s);

forEachTarget((ctx) => {
  const put = async (k: string, v: string): Promise<number> => {
    const res = await ctx.store.client().kv.put({ key: b(k), value: b(v) });
    return Number(res.header.revision);
  };

  test('put prints OK and get prints key then value; a missing key prints nothing', async () => {
    assert.equal(ok(await ctx.store.etcdctl(['put', 'kv1/a', 'hello world'])), 'OK\n');
    assert.equal(ok(await ctx.store.etcdctl(['get', 'kv1/a'])), 'kv1/a\nhello world\n');
    assert.equal(ok(await ctx.store.etcdctl(['get', 'kv1/a', '--print-value-only'])), 'hello world\n');
    assert.equal(ok(await ctx.store.etcdctl(['get', 'kv1/missing'])), '');
    const j = parseJson(ok(await ctx.store.etcdctl(['get', 'kv1/missing', '-w', 'json'])));
    assert.ok(isHeader(j.header), JSON.stringify(j));
    assert.equal(j.kvs, undefined);
    assert.equal(j.count, undefined); // zero is omitted from etcd's JSON
  });

  test('an empty key is refused with etcd\'s message', async () => {
    assert.equal(errorLine(await ctx.store.etcdctl(['put', '', 'x'])), 'Error: etcdserver: key is not provided');
    await assert.rejects(ctx.store.client().kv.put({ key: Buffer.alloc(0), value: b('x') }), {
      message: '3 INVALID_ARGUMENT: etcdserver: key is not provided',
    });
  });

  test('prefix, from-key and range_end select the right keys in key order', async () => {
    for (const k of ['kv2/c', 'kv2/a', 'kv2/b', 'kv2/d', 'kv20']) await put(k, `v-${k}`);
    const keys = (out: string): string[] => pairs(out).map(([k]) => k);
    assert.deepEqual(keys(ok(await ctx.store.etcdctl(['get', 'kv2/', '--prefix']))), ['kv2/a', 'kv2/b', 'kv2/c', 'kv2/d']);
    assert.deepEqual(keys(ok(await ctx.store.etcdctl(['get', 'kv2/b', 'kv2/d']))), ['kv2/b', 'kv2/c']);
    // ~ sorts after every key other tests write, so from-key sees only these
    for (const k of ['~f/1', '~f/2', '~f/3']) await put(k, 'x');
    assert.deepEqual(keys(ok(await ctx.store.etcdctl(['get', '~f/2', '--from-key']))), ['~f/2', '~f/3']);
    const all = keys(ok(await ctx.store.etcdctl(['get', '', '--from-key', '--keys-only'])).replace(/\n\n/g, '\nx\n'));
    assert.ok(all.includes('kv2/a') && all.includes('~f/3'));
    assert.deepEqual([...all].sort(), all);
  });

  test('limit returns the first keys with more=true and the full count', async () => {
    for (const k of ['kv3/1', 'kv3/2', 'kv3/3', 'kv3/4']) await put(k, 'v');
    const j = parseJson(ok(await ctx.store.etcdctl(['get', 'kv3/', '--prefix', '--limit', '2', '-w', 'json'])));
    assert.deepEqual(j.kvs?.map((kv) => kv.key), ['kv3/1', 'kv3/2']);
    assert.equal(j.more, true);
    assert.equal(j.count, 4);
    const all = parseJson(ok(await ctx.store.etcdctl(['get', 'kv3/', '--prefix', '--limit', '4', '-w', 'json'])));
    assert.equal(all.more, undefined);
    assert.equal(all.count, 4);
  });

  test('reads at an old revision see the history: versions, create and mod revisions', async () => {
    const r1 = await put('kv4/h', 'one');
    const r2 = await put('kv4/h', 'two');
    const r3 = Number((await ctx.store.client().kv.deleteRange({ key: b('kv4/h') })).header.revision);
    const r4 = await put('kv4/h', 'three');
    const at = async (rev: number) =>
      parseJson(ok(await ctx.store.etcdctl(['get', 'kv4/h', `--rev=${rev}`, '-w', 'json']))).kvs?.[0];
    assert.deepEqual(await at(r1), { key: 'kv4/h', value: 'one', create_revision: r1, mod_revision: r1, version: 1 });
    assert.deepEqual(await at(r2), { key: 'kv4/h', value: 'two', create_revision: r1, mod_revision: r2, version: 2 });
    assert.equal(await at(r3), undefined);
    assert.deepEqual(await at(r4), { key: 'kv4/h', value: 'three', create_revision: r4, mod_revision: r4, version: 1 });
    assert.equal(ok(await ctx.store.etcdctl(['get', 'kv4/h', `--rev=${r2}`])), 'kv4/h\ntwo\n');
  });

  test('a future revision is refused with OutOfRange', async () => {
    const head = await put('kv5/x', 'x');
    assert.equal(
      errorLine(await ctx.store.etcdctl(['get', 'kv5/x', `--rev=${head + 1000}`])),
      'Error: etcdserver: mvcc: required revision is a future revision',
    );
    await assert.rejects(ctx.store.client().kv.range({ key: b('kv5/x'), revision: head + 1000 }), {
      message: '11 OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision',
    });
  });

  test('sort by every target in both orders', async () => {
    // versions: a=3 b=1 c=2; values reverse the key order; create order c, a, b; mod order a, c, b
    await put('kv6/c', 'v1');
    await put('kv6/a', 'v3');
    await put('kv6/a', 'v3');
    await put('kv6/b', 'v2');
    await put('kv6/c', 'v1');
    await put('kv6/a', 'v3');
    await put('kv6/b', 'v2'); // b: version 2
    await put('kv6/c', 'v1'); // c: version 3
    // final: a ver 3 mod 6th, b ver 2 mod 7th, c ver 3 mod 8th; create c < a < b
    const order = async (by: string, dir: string): Promise<string[]> =>
      pairs(ok(await ctx.store.etcdctl(['get', 'kv6/', '--prefix', `--sort-by=${by}`, `--order=${dir}`]))).map(([k]) => k);
    assert.deepEqual(await order('KEY', 'ASCEND'), ['kv6/a', 'kv6/b', 'kv6/c']);
    assert.deepEqual(await order('KEY', 'DESCEND'), ['kv6/c', 'kv6/b', 'kv6/a']);
    assert.deepEqual(await order('CREATE', 'ASCEND'), ['kv6/c', 'kv6/a', 'kv6/b']);
    assert.deepEqual(await order('CREATE', 'DESCEND'), ['kv6/b', 'kv6/a', 'kv6/c']);
    assert.deepEqual(await order('MODIFY', 'ASCEND'), ['kv6/a', 'kv6/b', 'kv6/c']);
    assert.deepEqual(await order('MODIFY', 'DESCEND'), ['kv6/c', 'kv6/b', 'kv6/a']);
    assert.deepEqual(await order('VALUE', 'ASCEND'), ['kv6/c', 'kv6/b', 'kv6/a']);
    assert.deepEqual(await order('VALUE', 'DESCEND'), ['kv6/a', 'kv6/b', 'kv6/c']);
    assert.deepEqual((await order('VERSION', 'ASCEND'))[0], 'kv6/b');
    assert.deepEqual((await order('VERSION', 'DESCEND'))[2], 'kv6/b');
    // sort applies before limit
    const top = parseJson(ok(await ctx.store.etcdctl(['get', 'kv6/', '--prefix', '--sort-by=VALUE', '--order=DESCEND', '--limit=1', '-w', 'json'])));
    assert.deepEqual(top.kvs?.map((kv) => kv.key), ['kv6/a']);
    assert.equal(top.more, true);
  });

  test('keys_only omits values; count_only returns just the count', async () => {
    await put('kv7/1', 'one');
    await put('kv7/2', 'two');
    assert.deepEqual(lines(ok(await ctx.store.etcdctl(['get', 'kv7/', '--prefix', '--keys-only']))), ['kv7/1', '', 'kv7/2', '']);
    const j = parseJson(ok(await ctx.store.etcdctl(['get', 'kv7/', '--prefix', '--keys-only', '-w', 'json'])));
    assert.deepEqual(j.kvs?.map((kv) => [kv.key, kv.value]), [['kv7/1', undefined], ['kv7/2', undefined]]);
    const c = await ctx.store.client().kv.range({ key: b('kv7/'), range_end: b('kv70'), count_only: true });
    assert.deepEqual(c.kvs, []);
    assert.equal(c.count, '2');
    assert.equal(c.more, false);
  });

  test('min/max mod and create revision filters', async () => {
    const r1 = await put('kv8/a', '1');
    const r2 = await put('kv8/b', '1');
    const r3 = await put('kv8/a', '2');
    const r4 = await put('kv8/c', '1');
    const keys = async (extra: Record<string, number>): Promise<string[]> => {
      const res = await ctx.store.client().kv.range({ key: b('kv8/'), range_end: b('kv80'), ...extra });
      return res.kvs.map((kv) => kv.key.toString());
    };
    assert.deepEqual(await keys({ min_mod_revision: r3 }), ['kv8/a', 'kv8/c']);
    assert.deepEqual(await keys({ max_mod_revision: r2 }), ['kv8/b']);
    assert.deepEqual(await keys({ min_create_revision: r2 }), ['kv8/b', 'kv8/c']);
    assert.deepEqual(await keys({ max_create_revision: r1 }), ['kv8/a']);
    assert.deepEqual(await keys({ min_mod_revision: r2, max_mod_revision: r3 }), ['kv8/a', 'kv8/b']);
    assert.deepEqual(await keys({ min_create_revision: r4 + 1 }), []);
  });

  test('serializable reads return the same data', async () => {
    const rev = await put('kv9/s', 'ser');
    assert.equal(ok(await ctx.store.etcdctl(['get', 'kv9/s', '--consistency=s'])), 'kv9/s\nser\n');
    const res = await ctx.store.client().kv.range({ key: b('kv9/s'), serializable: true });
    assert.equal(res.kvs[0]?.value.toString(), 'ser');
    assert.equal(Number(res.kvs[0]?.mod_revision), rev);
  });

  test('binary keys and values round-trip through --hex', async () => {
    const key = Buffer.concat([b('kvbin'), Buffer.from([0x00, 0xff])]);
    const value = Buffer.from([0x00, 0x80, 0xfe]);
    await ctx.store.client().kv.put({ key, value });
    const out = ok(await ctx.store.etcdctl(['get', '--hex', '--prefix', 'kvbin']));
    assert.equal(out, '\\x6b\\x76\\x62\\x69\\x6e\\x00\\xff\n\\x00\\x80\\xfe\n');
    const res = await ctx.store.client().kv.range({ key });
    assert.deepEqual(res.kvs[0]?.value, value);
  });
});
