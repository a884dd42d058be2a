// --etcd-servers with three members of a real etcd cluster on loopback: when the member the
// API server talks to dies, unary calls and the watch caches' etcd watches move to another
// member, so reads, writes and open watches carry on (a watch keeps delivering without an
// ERROR or a re-list).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, freePort, startCluster } from './harness.js';
import { api, openWatch } from './api-request.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-etcd3-'));
const members: Array<{ name: string; client: string; child: ChildProcess }> = [];
let c: Cluster;

async function startEtcdCluster(): Promise<void> {
  const ports = [];
  for (let i = 0; i < 3; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initial = ports.map((p, i) => `m${i}=http://127.0.0.1:${p.peer}`).join(',');
  const ready: Promise<void>[] = [];
  ports.forEach((p, i) => {
    const client = `http://127.0.0.1:${p.client}`;
    const child = spawn('/usr/bin/etcd', ['--name', `m${i}`, '--data-dir', path.join(dir, `m${i}`),
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', `http://127.0.0.1:${p.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${p.peer}`,
      '--initial-cluster', initial, '--initial-cluster-state', 'new', '--initial-cluster-token', `tskube-${process.pid}`,
      '--heartbeat-interval', '50', '--election-timeout', '500'], { stdio: ['ignore', 'ignore', 'pipe'] });
    members.push({ name: `m${i}`, client, child });
    ready.push(new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`etcd m${i} did not start: ${text.slice(-2000)}`)), 30_000);
      child.stderr!.on('data', (d) => { text += d; if (/ready to serve client requests/.test(text)) { clearTimeout(timer); resolve(); } });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`etcd m${i} exited ${code}: ${text.slice(-2000)}`)); });
    }));
  });
  await Promise.all(ready);
}

async function stopMember(m: { child: ChildProcess }): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return;
  const exited = new Promise((r) => m.child.once('exit', r));
  m.child.kill('SIGKILL');
  await exited;
}

before(async () => {
  await startEtcdCluster();
  c = await startCluster({ etcdServers: members.map((m) => m.client) });
});
after(async () => {
  await c?.stop();
  for (const m of members) await stopMember(m);
  fs.rmSync(dir, { recursive: true, force: true });
});

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
const PODS = '/api/v1/namespaces/default/pods';

/** Retries through an etcd leader election (a second or so), as a client would. */
async function eventually<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 40; i++) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: ${JSON.stringify(last)}`);
}

test('the member the API server uses dies: reads, writes and open watches go on', async () => {
  assert.equal((await api(c.apiURL, 'POST', PODS, pod('before'))).status, 201);
  const list = await api(c.apiURL, 'GET', PODS);
  const watch = await openWatch(c.apiURL, `${PODS}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
  try {
    // The first endpoint serves every call until it fails.
    await stopMember(members[0]);
    const created = await eventually('create after the kill', () => api(c.apiURL, 'POST', PODS, pod('after')), (r) => r.status === 201 || r.status === 409);
    assert.ok(created.status === 201 || created.status === 409);
    const names = await eventually('list after the kill', () => api(c.apiURL, 'GET', PODS), (r) => r.status === 200);
    assert.deepEqual(names.body.items.map((p: any) => p.metadata.name), ['after', 'before']);
    assert.equal(c.k('get', 'pod', 'after', '-o', 'jsonpath={.metadata.name}'), 'after');
    // The watch opened before the kill delivers the new pod, with no ERROR and no end.
    const evs = await watch.waitFor(1, 20_000);
    assert.deepEqual(evs.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED after']);
    assert.equal((await api(c.apiURL, 'DELETE', `${PODS}/before`)).status, 200);
    const more = await watch.waitFor(2, 20_000);
    assert.deepEqual(more.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED after', 'DELETED before']);
    // A new watch and /readyz work too.
    const fresh = await openWatch(c.apiURL, `${PODS}?watch=true`);
    try { assert.equal((await fresh.waitFor(1)).map((e) => e.object.metadata.name)[0], 'after'); } finally { fresh.close(); }
    const ready = await api(c.apiURL, 'GET', '/readyz?verbose');
    assert.equal(ready.status, 200, ready.body);
  } finally { watch.close(); }
});
