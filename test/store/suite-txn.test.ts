// Txn: compares on every target with every result, range compares, both branches, nested
// txns, the one-revision rule and the duplicate-key error — via etcdctl txn and raw gRPC.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ICompare, IRequestOp } from 'etcd3';
import { errorLine, ok } from './harness/etcdctl.js';
import { parseJson } from './harness/etcdctl-json.js';
import { hexToDecimal, leaseFromGrant } from './harness/lease-id.js';
import { forEachTarget } from './harness/suite.js';

const b = (s: string): Buffer => Buffer.from(s);
const putOp = (k: string, v: string): IRequestOp => ({ request_put: { key: b(k), value: b(v) } });
const getOp = (k: string): IRequestOp => ({ request_range: { key: b(k) } });

forEachTarget((ctx) => {
  const kv = () => ctx.store.client().kv;
  const txnStdin = (input: string, extra: string[] = []) => ctx.store.etcdctl(['txn', ...extra], { input });

  test('etcdctl txn runs the success branch and prints each response', async () => {
    ok(await ctx.store.etcdctl(['put', 'tx1/k', 'a']));
    const out = ok(await txnStdin('value("tx1/k") = "a"\n\nput tx1/r yes\nget tx1/k\n\nput tx1/r no\n\n'));
    assert.equal(out, 'SUCCESS\n\nOK\n\ntx1/k\na\n');
    assert.equal(ok(await ctx.store.etcdctl(['get', 'tx1/r', '--print-value-only'])), 'yes\n');
  });

  test('etcdctl txn -i runs the failure branch when a compare fails', async () => {
    ok(await ctx.store.etcdctl(['put', 'tx2/k', 'a']));
    const out = ok(await txnStdin('value("tx2/k") = "zz"\n\nput tx2/r x\n\nput tx2/r no\nget tx2/r\n\n', ['-i']));
    assert.match(out, /FAILURE\n\nOK\n\ntx2\/r\nno\n$/);
    const j = parseJson<{ succeeded?: boolean; responses: unknown[] }>(
      ok(await txnStdin('mod("tx2/k") > "0"\n\nput tx2/r yes\ndel tx2/k\n\nput tx2/r no\n\n', ['-w', 'json'])),
    );
    assert.equal(j.succeeded, true);
    assert.equal(j.responses.length, 2);
    assert.match(JSON.stringify(j.responses[1]), /"ResponseDeleteRange":\{.*"deleted":1/);
  });

  test('every compare target with every result operator', async () => {
    const lease = hexToDecimal(leaseFromGrant(ok(await ctx.store.etcdctl(['lease', 'grant', '300']))));
    await kv().put({ key: b('tx3/k'), value: b('m') });
    const r = await kv().put({ key: b('tx3/k'), value: b('m'), lease });
    const rev = Number(r.header.revision);
    const created = rev - 1;
    // key state: version 2, create_revision created, mod_revision rev, value "m", lease
    const cases: [ICompare, boolean][] = [];
    const add = (target: ICompare['target'], field: keyof ICompare, at: unknown, below: unknown, above: unknown): void => {
      const c = (result: ICompare['result'], operand: unknown): ICompare => ({ key: b('tx3/k'), target, result, [field]: operand });
      cases.push(
        [c('Equal', at), true], [c('Equal', below), false],
        [c('NotEqual', at), false], [c('NotEqual', above), true],
        [c('Greater', below), true], [c('Greater', at), false],
        [c('Less', above), true], [c('Less', at), false],
      );
    };
    add('Version', 'version', 2, 1, 3);
    add('Create', 'create_revision', created, created - 1, created + 1);
    add('Mod', 'mod_revision', rev, rev - 1, rev + 1);
    add('Value', 'value', b('m'), b('l'), b('n'));
    add('Lease', 'lease', lease, BigInt(lease) - 1n + '', BigInt(lease) + 1n + '');
    for (const [cmp, want] of cases) {
      const res = await kv().txn({ compare: [cmp], success: [], failure: [] });
      assert.equal(res.succeeded, want, `${cmp.target} ${cmp.result} ${JSON.stringify(cmp)}`);
    }
    // several compares are ANDed
    const mixed = await kv().txn({ compare: [cases[0]![0], cases[1]![0]], success: [], failure: [] });
    assert.equal(mixed.succeeded, false);
  });

  test('compares on a missing key: version/create/mod are 0, a value compare always fails', async () => {
    const c = (target: ICompare['target'], field: keyof ICompare, operand: unknown, result: ICompare['result'] = 'Equal'): ICompare =>
      ({ key: b('tx4/missing'), target, result, [field]: operand });
    const one = async (cmp: ICompare): Promise<boolean> => (await kv().txn({ compare: [cmp], success: [], failure: [] })).succeeded;
    assert.equal(await one(c('Version', 'version', 0)), true);
    assert.equal(await one(c('Create', 'create_revision', 0)), true);
    assert.equal(await one(c('Mod', 'mod_revision', 0)), true);
    assert.equal(await one(c('Lease', 'lease', 0)), true);
    assert.equal(await one(c('Value', 'value', b(''))), false);
    assert.equal(await one(c('Value', 'value', b('x'), 'NotEqual')), false);
  });

  test('range compares hold only when every key in the range matches', async () => {
    await kv().put({ key: b('tx5/a'), value: b('1') });
    await kv().put({ key: b('tx5/b'), value: b('1') });
    await kv().put({ key: b('tx5/b'), value: b('1') });
    const rc = (result: ICompare['result'], version: number): ICompare =>
      ({ key: b('tx5/'), range_end: b('tx50'), target: 'Version', result, version });
    const one = async (cmp: ICompare): Promise<boolean> => (await kv().txn({ compare: [cmp], success: [], failure: [] })).succeeded;
    assert.equal(await one(rc('Greater', 0)), true);
    assert.equal(await one(rc('Equal', 1)), false);
    assert.equal(await one(rc('Less', 3)), true);
    assert.equal(await one(rc('Less', 2)), false);
    // an empty range compares like one missing key (version 0)
    const empty = (version: number): ICompare => ({ key: b('tx5/zz'), range_end: b('tx5/zzz'), target: 'Version', result: 'Equal', version });
    assert.equal(await one(empty(7)), false);
    assert.equal(await one(empty(0)), true);
  });

  test('the responses follow the branch taken; all writes share one revision', async () => {
    const before = Number((await kv().put({ key: b('tx6/guard'), value: b('g') })).header.revision);
    const res = await kv().txn({
      compare: [{ key: b('tx6/guard'), target: 'Value', result: 'Equal', value: b('g') }],
      success: [putOp('tx6/a', '1'), putOp('tx6/b', '1'), getOp('tx6/a'), { request_delete_range: { key: b('tx6/guard') } }],
      failure: [getOp('tx6/guard')],
    });
    assert.equal(res.succeeded, true);
    assert.equal(Number(res.header.revision), before + 1);
    assert.deepEqual(res.responses.map((r) => (r as unknown as { response: string }).response), [
      'response_put', 'response_put', 'response_range', 'response_delete_range',
    ]);
    // a read inside the txn sees the txn's own earlier writes
    assert.equal(res.responses[2]!.response_range.kvs[0]?.value.toString(), '1');
    assert.equal(res.responses[3]!.response_delete_range.deleted, '1');
    const a = await kv().range({ key: b('tx6/a') });
    const bb = await kv().range({ key: b('tx6/b') });
    assert.equal(a.kvs[0]?.mod_revision, String(before + 1));
    assert.equal(bb.kvs[0]?.mod_revision, String(before + 1));
    // a read-only txn does not advance the revision
    const ro = await kv().txn({ compare: [], success: [getOp('tx6/a')], failure: [] });
    assert.equal(Number(ro.header.revision), before + 1);
    // the failure branch runs when the compare fails
    const f = await kv().txn({
      compare: [{ key: b('tx6/guard'), target: 'Version', result: 'Greater', version: 0 }],
      success: [putOp('tx6/s', 'x')],
      failure: [putOp('tx6/f', 'x')],
    });
    assert.equal(f.succeeded, false);
    assert.equal(Number(f.header.revision), before + 2);
    assert.equal((await kv().range({ key: b('tx6/s') })).kvs.length, 0);
    assert.equal((await kv().range({ key: b('tx6/f') })).kvs.length, 1);
  });

  test('nested txns: every compare is judged against the state before the txn', async () => {
    await kv().put({ key: b('tx7/pre'), value: b('p') });
    const nested = (cmpKey: string, value: string): IRequestOp => ({
      request_txn: {
        compare: [{ key: b(cmpKey), target: 'Value', result: 'Equal', value: b(value) }],
        success: [putOp(`tx7/inner-${cmpKey.slice(4)}`, 'yes')],
        failure: [putOp(`tx7/inner-${cmpKey.slice(4)}`, 'no')],
      },
    });
    const res = await kv().txn({
      compare: [],
      // tx7/outer is written by this txn, but the nested compare does not see that write
      success: [putOp('tx7/outer', 'o'), nested('tx7/outer', 'o'), nested('tx7/pre', 'p')],
      failure: [],
    });
    assert.equal(res.succeeded, true);
    assert.equal(res.responses[1]!.response_txn.succeeded, false);
    assert.equal(res.responses[2]!.response_txn.succeeded, true);
    const inner = await kv().range({ key: b('tx7/inner-'), range_end: b('tx7/inner.') });
    assert.deepEqual(inner.kvs.map((k) => [k.key.toString(), k.value.toString(), k.mod_revision]), [
      ['tx7/inner-outer', 'no', res.header.revision],
      ['tx7/inner-pre', 'yes', res.header.revision],
    ]);
  });

  test('writing one key twice in a branch is refused and changes nothing', async () => {
    assert.equal(
      errorLine(await txnStdin('\nput tx8/d 1\nput tx8/d 2\n\n\n')),
      'Error: etcdserver: duplicate key given in txn request',
    );
    await assert.rejects(
      kv().txn({ compare: [], success: [putOp('tx8/d', '1'), { request_delete_range: { key: b('tx8/'), range_end: b('tx80') } }], failure: [] }),
      { message: '3 INVALID_ARGUMENT: etcdserver: duplicate key given in txn request' },
    );
    assert.equal(ok(await ctx.store.etcdctl(['get', 'tx8/', '--prefix'])), '');
    // the same key in success and failure is fine: only one branch runs
    const okRes = await kv().txn({ compare: [], success: [putOp('tx8/d', 's')], failure: [putOp('tx8/d', 'f')] });
    assert.equal(okRes.succeeded, true);
  });
});
