// tskube etcd's client port serves etcd v3 gRPC (etcdctl) and plain HTTP (curl) at once,
// as etcd's cmux does: /health, /version, /metrics, and etcd's limits on request size.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { run } from './harness/run-process.js';
import { StoreProcess } from './harness/store-process.js';

const curl = (args: string[]) => run('curl', ['-sS', '--max-time', '10', ...args]);

let store: StoreProcess;

before(async () => {
  store = await StoreProcess.start('tskube', { extraArgs: ['--max-request-bytes', '4096'] });
});

after(async () => {
  await store?.destroy();
});

test('one port answers etcdctl v3 and curl HTTP', async () => {
  ok(await store.etcdctl(['put', 'shared/port', 'yes']));
  const health = await curl(['-i', `${store.endpoint}/health`]);
  assert.equal(health.code, 0, health.stderr);
  assert.match(health.stdout, /^HTTP\/1\.1 200/);
  assert.ok(health.stdout.endsWith('{"health":"true"}'), health.stdout);
  assert.equal(ok(await store.etcdctl(['get', 'shared/port', '--print-value-only'])).trim(), 'yes');
  const version = await curl([`${store.endpoint}/version`]);
  assert.deepEqual(JSON.parse(version.stdout), { etcdserver: '3.4.23', etcdcluster: '3.4.0' });
  const missing = await curl(['-o', '/dev/null', '-w', '%{http_code}', `${store.endpoint}/no/such/path`]);
  assert.equal(missing.stdout, '404');
});

test('endpoint status and member list describe this one member', async () => {
  // per-endpoint calls carry the endpoint URL ("http://...") as :authority, which the server must accept
  const [status] = JSON.parse(ok(await store.etcdctl(['endpoint', 'status', '-w', 'json']))) as {
    Status: { header: { member_id: number; cluster_id: number; raft_term: number; revision: number }; version: string; leader: number; dbSize: number; raftIndex: number };
  }[];
  assert.equal(status.Status.version, '3.4.23');
  assert.equal(status.Status.leader, status.Status.header.member_id);
  assert.ok(status.Status.header.cluster_id !== undefined && status.Status.header.cluster_id !== 0);
  assert.ok(status.Status.header.raft_term >= 1);
  assert.ok(status.Status.dbSize > 0);
  assert.ok(status.Status.raftIndex >= status.Status.header.revision);
  const members = ok(await store.etcdctl(['member', 'list'])).trim().split('\n');
  assert.equal(members.length, 1);
  assert.match(members[0], new RegExp(`, started, t, http://127\\.0\\.0\\.1:${store.peerPort}, ${store.endpoint}, false$`));
  assert.match(ok(await store.etcdctl(['endpoint', 'hashkv'])), new RegExp(`^${store.endpoint}, \\d+\n$`));
  const add = await store.etcdctl(['member', 'add', 'x', '--peer-urls=http://127.0.0.1:1']);
  assert.match(errorLine(add), /single-member store/);
});

test('/metrics is Prometheus text with etcd metric names and live values', async () => {
  ok(await store.etcdctl(['put', 'metrics/a', '1']));
  const res = await curl(['-i', `${store.endpoint}/metrics`]);
  assert.match(res.stdout, /content-type: text\/plain; version=0\.0\.4/i);
  const body = res.stdout;
  for (const line of [
    /^etcd_server_has_leader 1$/m,
    /^etcd_server_is_leader 1$/m,
    /^etcd_server_quota_backend_bytes 2147483648$/m,
    /^etcd_mvcc_db_total_size_in_bytes [1-9]\d*$/m,
    /^etcd_mvcc_db_total_size_in_use_in_bytes \d+$/m,
    /^etcd_debugging_mvcc_keys_total [1-9]\d*$/m,
    /^etcd_disk_backend_commit_duration_seconds_count [1-9]\d*$/m,
    /^etcd_network_client_grpc_received_bytes_total [1-9]\d*$/m,
    /^etcd_server_version\{server_version="3\.4\.23"\} 1$/m,
    /^grpc_server_handled_total\{grpc_type="unary",grpc_service="etcdserverpb\.KV",grpc_method="Put",grpc_code="OK"\} [1-9]\d*$/m,
  ]) {
    assert.match(body, line);
  }
});

test('a request over --max-request-bytes gets etcd\'s "request is too large" and changes nothing', async () => {
  const big = await store.etcdctl(['put', 'limits/big'], { input: 'x'.repeat(8192) });
  assert.equal(errorLine(big), 'Error: etcdserver: request is too large');
  assert.equal(ok(await store.etcdctl(['get', 'limits/big', '--print-value-only'])).trim(), '');
  ok(await store.etcdctl(['put', 'limits/small'], { input: 'x'.repeat(1024) }));
  // reads are not raft requests and are not limited by --max-request-bytes
  assert.equal(ok(await store.etcdctl(['get', 'limits/' + 'k'.repeat(5000)])).trim(), '');
});

test('etcd validation before the store: empty key, duplicate keys in a txn', async () => {
  assert.equal(errorLine(await store.etcdctl(['put', '', 'v'])), 'Error: etcdserver: key is not provided');
  const dup = await store.etcdctl(['txn'], { input: '\nput dup/a 1\nput dup/a 2\n\n\n' });
  assert.equal(errorLine(dup), 'Error: etcdserver: duplicate key given in txn request');
  const overlap = await store.etcdctl(['txn'], { input: '\ndel dup/ dup/z\nput dup/b 2\n\n\n' });
  assert.equal(errorLine(overlap), 'Error: etcdserver: duplicate key given in txn request');
  assert.equal(ok(await store.etcdctl(['get', 'dup/', '--prefix'])).trim(), '');
});
