// The client port serves etcd v3 gRPC (etcdctl) and plain HTTP (curl) at once, as etcd's cmux
// does: /health, /version, /metrics under etcd's names, group commit as the fsync count shows
// it, and etcd's limits on request size. Both targets run with --max-request-bytes 4096.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { run } from './harness/run-process.js';
import { forEachTarget } from './harness/suite.js';

const curl = (args: string[]) => run('curl', ['-sS', '--max-time', '10', ...args]);

/** Prometheus text → "name{a="x",b="y"}" (labels sorted) → value */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '').match(/\w+="[^"]*"/g)?.sort().join(',') ?? '';
    out.set(labels ? `${m[1]}{${labels}}` : m[1]!, Number(m[3]));
  }
  return out;
}

forEachTarget(
  (ctx) => {
    // Debian's etcd is 3.4.23; tskube etcd reports 3.4.34, a release with the etcd#15220 watch progress fix it follows
    const serverVersion = ctx.target === 'tskube' ? '3.4.34' : '3.4.23';
    const metrics = async () => parseMetrics((await curl([`${ctx.store.endpoint}/metrics`])).stdout);

    test('one port answers etcdctl v3 and curl HTTP', async () => {
      ok(await ctx.store.etcdctl(['put', 'shared/port', 'yes']));
      const health = await curl(['-i', `${ctx.store.endpoint}/health`]);
      assert.equal(health.code, 0, health.stderr);
      assert.match(health.stdout, /^HTTP\/1\.1 200/);
      assert.ok(health.stdout.endsWith('\r\n\r\n{"health":"true"}'), health.stdout);
      assert.equal(ok(await ctx.store.etcdctl(['get', 'shared/port', '--print-value-only'])).trim(), 'yes');
      const version = await curl([`${ctx.store.endpoint}/version`]);
      assert.deepEqual(JSON.parse(version.stdout), { etcdserver: serverVersion, etcdcluster: '3.4.0' });
      const missing = await curl(['-w', ' %{http_code}', `${ctx.store.endpoint}/no/such/path`]);
      assert.equal(missing.stdout, '404 page not found\n 404');
    });

    test('endpoint status and member list describe this one member', async () => {
      // per-endpoint calls carry the endpoint URL ("http://...") as :authority, which the server must accept
      const [status] = JSON.parse(ok(await ctx.store.etcdctl(['endpoint', 'status', '-w', 'json']))) as {
        Status: { header: { member_id: number; cluster_id: number; raft_term: number; revision: number }; version: string; leader: number; dbSize: number; raftIndex: number };
      }[];
      assert.equal(status.Status.version, serverVersion);
      assert.equal(status.Status.leader, status.Status.header.member_id);
      assert.ok(status.Status.header.cluster_id !== undefined && status.Status.header.cluster_id !== 0);
      assert.ok(status.Status.header.raft_term >= 1);
      assert.ok(status.Status.dbSize > 0);
      assert.ok(status.Status.raftIndex >= status.Status.header.revision);
      const members = ok(await ctx.store.etcdctl(['member', 'list'])).trim().split('\n');
      assert.equal(members.length, 1);
      assert.match(members[0], new RegExp(`, started, t, http://127\\.0\\.0\\.1:${ctx.store.peerPort}, ${ctx.store.endpoint}, false$`));
      assert.match(ok(await ctx.store.etcdctl(['endpoint', 'hashkv'])), new RegExp(`^${ctx.store.endpoint}, \\d+\n$`));
      // (on the real etcd this would add a member that never starts and lose quorum)
      if (ctx.target === 'tskube') assert.match(errorLine(await ctx.store.etcdctl(['member', 'add', 'x', '--peer-urls=http://127.0.0.1:1'])), /single-member store/);
    });

    test('/metrics is Prometheus text with etcd metric names and live values', async () => {
      ok(await ctx.store.etcdctl(['put', 'metrics/a', '1']));
      const res = await curl(['-i', `${ctx.store.endpoint}/metrics`]);
      assert.match(res.stdout, /content-type: text\/plain; version=0\.0\.4/i);
      const m = await metrics();
      const value = (name: string) => {
        assert.ok(m.has(name), `${name} missing`);
        return m.get(name)!;
      };
      assert.equal(value('etcd_server_has_leader'), 1);
      assert.equal(value('etcd_server_is_leader'), 1);
      assert.equal(value('etcd_server_quota_backend_bytes'), 2147483648);
      assert.ok(value('etcd_mvcc_db_total_size_in_bytes') > 0);
      assert.ok(value('etcd_mvcc_db_total_size_in_use_in_bytes') > 0);
      assert.ok(value('etcd_debugging_mvcc_keys_total') >= 1);
      assert.ok(value('etcd_disk_backend_commit_duration_seconds_count') >= 1);
      assert.ok(value('etcd_disk_wal_fsync_duration_seconds_count') >= 1);
      assert.ok(value('etcd_network_client_grpc_received_bytes_total') > 0);
      assert.equal(value(`etcd_server_version{server_version="${serverVersion}"}`), 1);
      assert.ok(value('grpc_server_handled_total{grpc_code="OK",grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"}') >= 1);
      assert.ok(value('grpc_server_started_total{grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"}') >= 1);
    });

    test('concurrent writes share fsyncs (group commit)', async () => {
      const fsyncs = async () => (await metrics()).get('etcd_disk_wal_fsync_duration_seconds_count')!;
      const client = ctx.store.client();
      await client.kv.put({ key: Buffer.from('gc/warm'), value: Buffer.from('v') });
      const before = await fsyncs();
      const n = 256;
      await Promise.all(Array.from({ length: n }, (_, i) => client.kv.put({ key: Buffer.from(`gc/${i}`), value: Buffer.from('v') })));
      const used = (await fsyncs()) - before;
      assert.ok(used >= 1 && used <= n / 4, `${used} fsyncs for ${n} concurrent puts`);
      assert.equal((await client.kv.range({ key: Buffer.from('gc/'), range_end: Buffer.from('gc0'), count_only: true })).count, String(n + 1));
    });

    test('a request over --max-request-bytes gets etcd\'s "request is too large" and changes nothing', async () => {
      const big = await ctx.store.etcdctl(['put', 'limits/big'], { input: 'x'.repeat(8192) });
      assert.equal(errorLine(big), 'Error: etcdserver: request is too large');
      assert.equal(ok(await ctx.store.etcdctl(['get', 'limits/big', '--print-value-only'])).trim(), '');
      ok(await ctx.store.etcdctl(['put', 'limits/small'], { input: 'x'.repeat(1024) }));
      // reads are not raft requests and are not limited by --max-request-bytes
      assert.equal(ok(await ctx.store.etcdctl(['get', 'limits/' + 'k'.repeat(5000)])).trim(), '');
    });

    test('etcd validation before the store: empty key, duplicate keys in a txn', async () => {
      assert.equal(errorLine(await ctx.store.etcdctl(['put', '', 'v'])), 'Error: etcdserver: key is not provided');
      const dup = await ctx.store.etcdctl(['txn'], { input: '\nput dup/a 1\nput dup/a 2\n\n\n' });
      assert.equal(errorLine(dup), 'Error: etcdserver: duplicate key given in txn request');
      const overlap = await ctx.store.etcdctl(['txn'], { input: '\ndel dup/ dup/z\nput dup/b 2\n\n\n' });
      assert.equal(errorLine(overlap), 'Error: etcdserver: duplicate key given in txn request');
      assert.equal(ok(await ctx.store.etcdctl(['get', 'dup/', '--prefix'])).trim(), '');
    });
  },
  { start: { extraArgs: ['--max-request-bytes', '4096'] } },
);
