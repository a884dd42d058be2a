// The v2 keys API (--enable-v2) through ETCDCTL_API=2 etcdctl and plain HTTP: set/get/mk/
// mkdir/update/rm/rmdir/ls/cluster-health and etcd's v2 error lines and JSON bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ok } from './harness/etcdctl.js';
import type { RunResult } from './harness/run-process.js';
import { forEachTarget } from './harness/suite.js';

/** v2 etcdctl prints "Error:  <code>: <message> (<cause>) [<index>]" and exits 4 */
function v2Error(res: RunResult, code: number, message: string, cause: string): void {
  assert.equal(res.code, 4, `exit code; stderr: ${res.stderr}`);
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  assert.match(res.stderr, new RegExp(`^Error:  ${code}: ${esc(message)} \\(${esc(cause)}\\) \\[\\d+\\]\\n$`));
}

forEachTarget((ctx) => {
  const v2 = (...args: string[]) => ctx.store.etcdctl(args, { api: 2 });

  test('set, get, mk and update print the value; their failures print v2 errors', async () => {
    assert.equal(ok(await v2('set', '/v2a/foo', 'bar')), 'bar\n');
    assert.equal(ok(await v2('get', '/v2a/foo')), 'bar\n');
    v2Error(await v2('get', '/v2a/nope'), 100, 'Key not found', '/v2a/nope');
    v2Error(await v2('mk', '/v2a/foo', 'x'), 105, 'Key already exists', '/v2a/foo');
    assert.equal(ok(await v2('mk', '/v2a/new', 'x')), 'x\n');
    assert.equal(ok(await v2('update', '/v2a/foo', 'baz')), 'baz\n');
    v2Error(await v2('update', '/v2a/none', 'q'), 100, 'Key not found', '/v2a/none');
    assert.equal(ok(await v2('get', '/v2a/foo')), 'baz\n');
  });

  test('mkdir, ls, rm and rmdir', async () => {
    ok(await v2('set', '/v2b/k', '1'));
    assert.equal(ok(await v2('mkdir', '/v2b/dir')), '');
    v2Error(await v2('mkdir', '/v2b/dir'), 105, 'Key already exists', '/v2b/dir');
    ok(await v2('set', '/v2b/dir/inner', '2'));
    assert.deepEqual(ok(await v2('ls', '/v2b')).split('\n').filter(Boolean).sort(), ['/v2b/dir', '/v2b/k']);
    assert.deepEqual(ok(await v2('ls', '--recursive', '/v2b')).split('\n').filter(Boolean).sort(), ['/v2b/dir', '/v2b/dir/inner', '/v2b/k']);
    assert.equal(ok(await v2('rm', '/v2b/k')), 'PrevNode.Value: 1\n');
    v2Error(await v2('rm', '/v2b/k'), 100, 'Key not found', '/v2b/k');
    v2Error(await v2('rmdir', '/v2b/dir'), 108, 'Directory not empty', '/v2b/dir');
    ok(await v2('rm', '/v2b/dir/inner'));
    assert.equal(ok(await v2('rmdir', '/v2b/dir')), '');
    v2Error(await v2('rmdir', '/v2b/dir'), 100, 'Key not found', '/v2b/dir');
    v2Error(await v2('rm', '/v2b'), 102, 'Not a file', '/v2b');
    const dirGet = await v2('get', '/v2b');
    assert.equal(dirGet.code, 1);
    assert.equal(dirGet.stderr, '/v2b: is a directory\n');
    ok(await v2('rm', '--recursive', '/v2b'));
    v2Error(await v2('ls', '/v2b'), 100, 'Key not found', '/v2b');
  });

  test('a TTL shows in extended output; json output is the v2 response', async () => {
    ok(await v2('set', '/v2c/ttl', 'v', '--ttl', '100'));
    const ext = ok(await v2('-o', 'extended', 'get', '/v2c/ttl'));
    assert.match(ext, /^Key: \/v2c\/ttl\nCreated-Index: (\d+)\nModified-Index: \1\nTTL: (100|99)\nIndex: \d+\n\nv\n$/);
    ok(await v2('set', '/v2c/plain', 'x'));
    const j = JSON.parse(ok(await v2('-o', 'json', 'get', '/v2c/plain'))) as { action: string; node: Record<string, unknown> };
    assert.equal(j.action, 'get');
    assert.equal(j.node.key, '/v2c/plain');
    assert.equal(j.node.value, 'x');
    assert.equal(typeof j.node.createdIndex, 'number');
    assert.equal(j.node.modifiedIndex, j.node.createdIndex);
  });

  test('cluster-health and member list (v2)', async () => {
    const ch = ok(await v2('cluster-health'));
    assert.match(ch, new RegExp(`^member ([0-9a-f]+) is healthy: got healthy result from ${ctx.store.endpoint}\\ncluster is healthy\\n$`));
    const id = /^member ([0-9a-f]+)/.exec(ch)![1];
    assert.equal(ok(await v2('member', 'list')), `${id}: name=t peerURLs=http://127.0.0.1:${ctx.store.peerPort} clientURLs=${ctx.store.endpoint} isLeader=true\n`);
  });

  test('the HTTP keys API answers with v2 JSON and X-Etcd-Index', async () => {
    const url = `${ctx.store.endpoint}/v2/keys/v2d`;
    const missing = await fetch(url);
    assert.equal(missing.status, 404);
    const index = Number(missing.headers.get('x-etcd-index'));
    assert.ok(index >= 0);
    assert.deepEqual(await missing.json(), { errorCode: 100, message: 'Key not found', cause: '/v2d', index });
    const created = await fetch(url, { method: 'PUT', body: new URLSearchParams({ value: 'hello' }) });
    assert.equal(created.status, 201);
    const body = (await created.json()) as { action: string; node: { key: string; value: string; modifiedIndex: number; createdIndex: number } };
    assert.deepEqual([body.action, body.node.key, body.node.value], ['set', '/v2d', 'hello']);
    assert.equal(Number(created.headers.get('x-etcd-index')), body.node.modifiedIndex);
    const dup = await fetch(`${url}?prevExist=false`, { method: 'PUT', body: new URLSearchParams({ value: 'x' }) });
    assert.equal(dup.status, 412);
    assert.deepEqual(await dup.json(), { errorCode: 105, message: 'Key already exists', cause: '/v2d', index: body.node.modifiedIndex });
    const version = (await (await fetch(`${ctx.store.endpoint}/version`)).json()) as { etcdserver: string; etcdcluster: string };
    assert.match(version.etcdserver, /^3\.\d+\.\d+$/);
    assert.match(version.etcdcluster, /^3\.\d+\.0$/);
  });

  test('v2 and v3 keyspaces are separate', async () => {
    ok(await v2('set', '/v2e', 'two'));
    assert.equal(ok(await ctx.store.etcdctl(['get', '/v2e'])), '');
    ok(await ctx.store.etcdctl(['put', '/v2f', 'three']));
    assert.equal((await v2('get', '/v2f')).code, 4);
  });
});
