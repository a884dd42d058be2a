// Auth state travels in a snapshot: a member restored from it starts with auth enabled and
// the same users, passwords, roles and permissions. Snapshots need the root role.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { tskubeMain } from './harness/repo-root.js';
import { run } from './harness/run-process.js';
import { StoreProcess } from './harness/store-process.js';
import { forEachTarget } from './harness/suite.js';

const tmp = mkdtempSync(join(tmpdir(), 'auth-snapshot-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** etcdctl's restore bootstraps a one-member cluster named like the harness member */
function restoreArgs(file: string, dataDir: string, peerPort: number): string[] {
  const peer = `http://127.0.0.1:${peerPort}`;
  return ['snapshot', 'restore', file, '--data-dir', dataDir, '--name', 't', '--initial-cluster', `t=${peer}`, '--initial-advertise-peer-urls', peer];
}

forEachTarget((ctx) => {
  test('a restored member keeps auth enabled with its users, roles and permissions', async () => {
    const ctl = (args: string[]) => ctx.store.etcdctl(args, { timeoutMs: 30_000 });
    ok(await ctl(['user', 'add', 'root:rootpw']));
    ok(await ctl(['auth', 'enable']));
    const root = ['--user', 'root:rootpw'];
    ok(await ctl([...root, 'role', 'add', 'app']));
    ok(await ctl([...root, 'role', 'grant-permission', '--prefix', 'app', 'readwrite', '/app/']));
    ok(await ctl([...root, 'user', 'add', 'alice:alicepw']));
    ok(await ctl([...root, 'user', 'grant-role', 'alice', 'app']));
    ok(await ctl(['--user', 'alice:alicepw', 'put', '/app/k', 'v']));

    const file = join(tmp, `${ctx.target}.db`);
    assert.match(ok(await ctl([...root, 'snapshot', 'save', file])), /Snapshot saved at /);

    const dataDir = join(tmp, `${ctx.target}-restored`);
    const restored =
      ctx.target === 'etcd'
        ? await run('/usr/bin/etcdctl', restoreArgs(file, dataDir, ctx.store.peerPort), { env: { ETCDCTL_API: '3' } })
        : await run(process.execPath, [tskubeMain, 'etcd', 'snapshot', 'restore', file, '--data-dir', dataDir]);
    assert.equal(restored.code, 0, restored.stderr);

    const copy = await StoreProcess.start(ctx.target, { dataDir });
    try {
      const c = (args: string[]) => copy.etcdctl(args, { timeoutMs: 30_000 });
      assert.equal(errorLine(await c(['get', '/app/k'])), 'Error: etcdserver: user name is empty');
      assert.equal(ok(await c(['--user', 'alice:alicepw', 'get', '/app/k'])), '/app/k\nv\n');
      assert.equal(errorLine(await c(['--user', 'alice:alicepw', 'put', '/other', 'v'])), 'Error: etcdserver: permission denied');
      assert.equal(errorLine(await c(['--user', 'alice:wrong', 'get', '/app/k'])), 'Error: etcdserver: authentication failed, invalid user ID or password');
      assert.equal(ok(await c([...root, 'user', 'list'])), 'alice\nroot\n');
      assert.equal(ok(await c([...root, 'role', 'get', 'app'])), 'Role app\nKV Read:\n\t[/app/, /app0) (prefix /app/)\nKV Write:\n\t[/app/, /app0) (prefix /app/)\n');
    } finally {
      await copy.destroy();
    }
  });

  test('snapshot, defragment and hashkv need the root role, refused with etcd 3.4\'s unmapped auth errors', async () => {
    // etcd 3.4 returns the auth store's own errors here: gRPC code Unknown, "auth:" prefix
    const ctl = (args: string[]) => ctx.store.etcdctl(args, { timeoutMs: 30_000 });
    const file = join(tmp, `${ctx.target}-denied.db`);
    const denied = 'rpc error: code = Unknown desc = auth: permission denied';
    const empty = 'rpc error: code = Unknown desc = auth: user name is empty';
    assert.equal(errorLine(await ctl(['--user', 'alice:alicepw', 'snapshot', 'save', file])), `Error: ${denied}`);
    assert.equal(errorLine(await ctl(['snapshot', 'save', file])), `Error: ${empty}`);
    assert.equal(errorLine(await ctl(['--user', 'alice:alicepw', 'endpoint', 'hashkv'])), `Error: ${denied}`);
    const defrag = await ctl(['--user', 'alice:alicepw', 'defrag']);
    assert.notEqual(defrag.code, 0);
    assert.match(defrag.stdout + defrag.stderr, new RegExp(`Failed to defragment etcd member\\[.*\\] \\(${denied.replace(/[()]/g, '\\$&')}\\)`));
    // status, member list, alarms, compaction and leases stay open to any authenticated user
    assert.match(ok(await ctl(['--user', 'alice:alicepw', 'endpoint', 'status'])), /, true, false, /);
    assert.match(ok(await ctl(['--user', 'alice:alicepw', 'member', 'list'])), /, started, t, /);
    assert.equal(ok(await ctl(['--user', 'alice:alicepw', 'alarm', 'list'])), '');
    assert.equal(ok(await ctl(['--user', 'alice:alicepw', 'compaction', '1'])), 'compacted revision 1\n');
  });
});
