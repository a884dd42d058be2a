// The watch cache end to end: 100 watchers on pods share the one etcd watch the cache
// holds, every watcher sees every event in order, lists at resourceVersion=0 come from the
// cache, and a version older than the ring (--default-watch-cache-size 20) is 410 Expired.
// Lists without a resourceVersion come from the cache once it has caught up with etcd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from './harness.js';
import { api, metric, openWatch, type WatchStream } from './api-request.js';

let c: Cluster;
before(async () => { c = await startCluster({ apiserverArgs: ['--default-watch-cache-size', '20'] }); });
after(async () => { await c?.stop(); });

function etcdMetrics(): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(`${c.etcdURL}/metrics`, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

test('100 watchers on pods: one etcd watch, every event to every watcher in order', async () => {
  const list = await api(c.apiURL, 'GET', '/api/v1/namespaces/default/pods');
  assert.equal(list.status, 200);
  const rv = list.body.metadata.resourceVersion;
  const before = metric(await etcdMetrics(), 'etcd_debugging_mvcc_watcher_total');
  assert.ok(before !== undefined && before > 0, 'the caches hold etcd watches');
  const watches: WatchStream[] = [];
  try {
    for (let i = 0; i < 100; i++) watches.push(await openWatch(c.apiURL, `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`));
    const apiMetrics = (await api(c.apiURL, 'GET', '/metrics')).body as string;
    assert.equal(metric(apiMetrics, 'apiserver_watch_cache_watchers{prefix="/registry/pods/"}'), 100);
    assert.equal(metric(await etcdMetrics(), 'etcd_debugging_mvcc_watcher_total'), before, '100 API watches add no etcd watch');
    for (const n of ['w1', 'w2', 'w3']) assert.equal((await api(c.apiURL, 'POST', '/api/v1/namespaces/default/pods', pod(n))).status, 201);
    assert.equal((await api(c.apiURL, 'DELETE', '/api/v1/namespaces/default/pods/w2')).status, 200);
    for (const w of watches) {
      const evs = await w.waitFor(4);
      assert.deepEqual(evs.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w1', 'ADDED w2', 'ADDED w3', 'DELETED w2']);
      const rvs = evs.map((e) => Number(e.object.metadata.resourceVersion));
      assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
    }
  } finally {
    for (const w of watches) w.close();
  }
});

test('resourceVersion=0 lists come from the cache and match etcd', async () => {
  const fromCache = await api(c.apiURL, 'GET', '/api/v1/namespaces/default/pods?resourceVersion=0');
  const fromEtcd = await api(c.apiURL, 'GET', '/api/v1/namespaces/default/pods');
  assert.deepEqual(fromCache.body.items.map((p: any) => p.metadata.name), fromEtcd.body.items.map((p: any) => p.metadata.name));
  assert.deepEqual(fromCache.body.items.map((p: any) => p.metadata.name), ['w1', 'w3']);
  const bad = await api(c.apiURL, 'GET', '/api/v1/pods?resourceVersionMatch=NotOlderThan');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
});

test('a version older than the ring is 410 Expired; a recent one resumes', async () => {
  const created = await api(c.apiURL, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'churn' }, data: { n: '0' } });
  const early = Number(created.body.metadata.resourceVersion);
  let last = early;
  for (let i = 1; i <= 25; i++) {
    const r = await api(c.apiURL, 'PUT', '/api/v1/namespaces/default/configmaps/churn', { metadata: { name: 'churn' }, data: { n: String(i) } });
    last = Number(r.body.metadata.resourceVersion);
  }
  const old = await openWatch(c.apiURL, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${early}`);
  try {
    const [ev] = await old.waitFor(1);
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
    assert.match(ev.object.message, /too old resource version/);
  } finally { old.close(); }
  const recent = await openWatch(c.apiURL, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${last - 2}`);
  try {
    const evs = await recent.waitFor(2);
    assert.deepEqual(evs.map((e) => `${e.type} ${e.object.data.n}`), ['MODIFIED 24', 'MODIFIED 25']);
  } finally { recent.close(); }
});

/** The API server's count of etcd calls of one operation on one resource (etcd_request_duration_seconds). */
async function etcdCalls(operation: string, type: string): Promise<number> {
  const text = (await api(c.apiURL, 'GET', '/metrics')).body as string;
  const line = text.split('\n').find((l) => l.startsWith(`etcd_request_duration_seconds_count{operation="${operation}",type="${type}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('a list without resourceVersion is consistent and comes from the cache: an object put straight into etcd a moment before is in it', async () => {
  const listsBefore = await etcdCalls('list', 'pods');
  for (let i = 0; i < 3; i++) {
    // Written behind the API server's back: only waiting for the cache's watch to reach etcd's revision shows it.
    const name = `direct-${i}`;
    const value = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'kube-public', uid: `u-${i}`, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const put = spawnSync('/usr/bin/etcdctl', ['--endpoints', c.etcdURL, '-w', 'json', 'put', `/registry/pods/kube-public/${name}`, value], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 20_000 });
    assert.equal(put.status, 0, put.stderr);
    const revision = Number(JSON.parse(put.stdout).header.revision);
    const list = await api(c.apiURL, 'GET', '/api/v1/namespaces/kube-public/pods');
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((p: any) => p.metadata.name === name && p.metadata.resourceVersion === String(revision)), `${name} at ${revision} listed`);
    assert.ok(Number(list.body.metadata.resourceVersion) >= revision);
  }
  assert.equal(await etcdCalls('list', 'pods'), listsBefore, 'no list of pods reached etcd');
  // A paged list still reads etcd (upstream 1.32 delegates limit to storage).
  const paged = await api(c.apiURL, 'GET', '/api/v1/namespaces/kube-public/pods?limit=2');
  assert.equal(paged.body.items.length, 2);
  assert.ok(paged.body.metadata.continue);
  assert.ok(await etcdCalls('list', 'pods') > listsBefore);
});
