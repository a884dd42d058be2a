// Maintenance and cluster RPCs as etcdctl shows them: endpoint health/status/hashkv, member
// list, alarm list, defrag; HashKV is stable across restart and defrag, and moves on writes;
// Hash covers the whole backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ok } from './harness/etcdctl.js';
import { isHeader } from './harness/etcdctl-json.js';
import { forEachTarget } from './harness/suite.js';

forEachTarget((ctx) => {
  const hashkv = async (rev?: number): Promise<string> => {
    const out = ok(await ctx.store.etcdctl(['endpoint', 'hashkv', ...(rev ? [`--rev=${rev}`] : [])]));
    const m = new RegExp(`^${ctx.store.endpoint}, (\\d+)\\n$`).exec(out);
    assert.ok(m, out);
    return m[1]!;
  };

  test('a fresh member is at revision 1 (etcd starts counting at 1, not 0)', async () => {
    const j = JSON.parse(ok(await ctx.store.etcdctl(['get', 'mt/none', '-w', 'json']))) as { header: { revision?: number } };
    assert.equal(j.header.revision, 1);
    const st = await ctx.store.client().maintenance.status({});
    assert.equal(st.header.revision, '1');
  });

  test('endpoint health reports a committed proposal', async () => {
    const res = await ctx.store.etcdctl(['endpoint', 'health']);
    assert.equal(res.code, 0, res.stderr);
    // etcdctl 3.4 prints this line on stderr
    assert.match(res.stdout + res.stderr, new RegExp(`^${ctx.store.endpoint} is healthy: successfully committed proposal: took = \\S+\\n$`));
  });

  test('endpoint status and member list agree on the member', async () => {
    const status = ok(await ctx.store.etcdctl(['endpoint', 'status']));
    const m = new RegExp(`^${ctx.store.endpoint}, ([0-9a-f]+), (3\\.\\d+\\.\\d+), (\\d+(?:\\.\\d+)? [kMG]?B), true, false, (\\d+), (\\d+), (\\d+), \\n$`).exec(status);
    assert.ok(m, status);
    const memberId = m[1]!;
    const members = ok(await ctx.store.etcdctl(['member', 'list']));
    assert.equal(members, `${memberId}, started, t, http://127.0.0.1:${ctx.store.peerPort}, ${ctx.store.endpoint}, false\n`);
    const j = JSON.parse(ok(await ctx.store.etcdctl(['endpoint', 'status', '-w', 'json']))) as {
      Endpoint: string;
      Status: { header: unknown; version: string; dbSize: number; leader: number; raftIndex: number; raftAppliedIndex: number; dbSizeInUse?: number };
    }[];
    assert.equal(j.length, 1);
    assert.equal(j[0]!.Endpoint, ctx.store.endpoint);
    const st = j[0]!.Status;
    assert.ok(isHeader(st.header), JSON.stringify(st));
    assert.equal(st.version, m[2]);
    assert.ok(st.dbSize > 0);
    assert.ok(st.raftIndex >= 1 && st.raftAppliedIndex >= 1);
    // the one member leads (ids are > 2^53; compare the exact values from the raw client)
    const raw = await ctx.store.client().maintenance.status({});
    assert.equal(raw.leader, raw.header.member_id);
    assert.equal(BigInt(raw.header.member_id).toString(16), memberId);
    const ml = await ctx.store.client().cluster.memberList({});
    assert.equal(ml.members.length, 1);
    assert.equal(ml.members[0]!.ID, raw.header.member_id);
    assert.deepEqual([ml.members[0]!.name, ml.members[0]!.peerURLs, ml.members[0]!.clientURLs], ['t', [`http://127.0.0.1:${ctx.store.peerPort}`], [ctx.store.endpoint]]);
  });

  test('alarm list is empty on a healthy member', async () => {
    assert.equal(ok(await ctx.store.etcdctl(['alarm', 'list'])), '');
    const res = await ctx.store.client().maintenance.alarm({ action: 'Get', alarm: 'None', memberID: 0 });
    assert.deepEqual(res.alarms, []);
  });

  test('hashkv is stable with no writes, changes on a write, and survives restart and defrag', async () => {
    ok(await ctx.store.etcdctl(['put', 'mt/a', '1']));
    const h1 = await hashkv();
    assert.equal(await hashkv(), h1);
    ok(await ctx.store.etcdctl(['put', 'mt/a', '2']));
    const h2 = await hashkv();
    assert.notEqual(h2, h1);
    await ctx.store.restart();
    assert.equal(await hashkv(), h2);
    assert.equal(ok(await ctx.store.etcdctl(['defrag'])), `Finished defragmenting etcd member[${ctx.store.endpoint}]\n`);
    assert.equal(await hashkv(), h2);
    assert.equal(ok(await ctx.store.etcdctl(['get', 'mt/a', '--print-value-only'])), '2\n');
    // hashkv at an older revision still hashes that revision's view
    const head = Number((await ctx.store.client().maintenance.status({})).header.revision);
    assert.equal(await hashkv(head - 1), h1);
    assert.equal(await hashkv(head), h2);
  });

  test('the same history gives the same hashkv after a SIGKILL restart', async () => {
    ok(await ctx.store.etcdctl(['put', 'mt/b', 'x']));
    const h = await hashkv();
    await ctx.store.restart({ kill: true });
    assert.equal(await hashkv(), h);
  });

  test('Hash covers the whole backend: a lease grant moves it though no revision (and HashKV) moves', async () => {
    const m = ctx.store.client().maintenance;
    const h1 = await m.hash({});
    assert.equal((await m.hash({})).hash, h1.hash);
    const kv1 = await hashkv();
    ok(await ctx.store.etcdctl(['lease', 'grant', '600']));
    const h2 = await m.hash({});
    assert.notEqual(h2.hash, h1.hash);
    assert.equal(h2.header.revision, h1.header.revision);
    assert.equal(await hashkv(), kv1);
    ok(await ctx.store.etcdctl(['put', 'mt/c', 'x']));
    const h3 = (await m.hash({})).hash;
    assert.notEqual(h3, h2.hash);
    // no write, no change: work the store does after acknowledging a write (tskube etcd applies
    // its log to LMDB up to 100 ms later) does not move it
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await m.hash({})).hash, h3);
  });
});
