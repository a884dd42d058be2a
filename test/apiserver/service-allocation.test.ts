// Service IP and NodePort allocation under pressure, on a small range (10.97.0.0/26: 62
// addresses, the kubernetes Service takes the first; NodePorts 30000-30039): concurrent creates
// never share an address or port, type changes release what they no longer use, a dry run
// answers with an address without taking it, and a full range gives upstream's error. The
// same server runs with --max-requests-inflight 1, so parallel reads get upstream's 429.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from './harness.js';
import { api } from './api-request.js';

let c: Cluster;
before(async () => {
  c = await startCluster({ apiserverArgs: ['--service-cluster-ip-range', '10.97.0.0/26', '--service-node-port-range', '30000-30039', '--max-requests-inflight', '1', '--max-mutating-requests-inflight', '0'] });
});
after(async () => { await c?.stop(); });

const SVCS = '/api/v1/namespaces/default/services';
const svc = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });

test('type changes release the NodePort (→ClusterIP) and the ClusterIP (→ExternalName)', async () => {
  const np = await api(c.apiURL, 'POST', SVCS, svc('np', { type: 'NodePort', clusterIP: '10.97.0.10', ports: [{ port: 80, nodePort: 30005 }] }));
  assert.equal(np.status, 201, JSON.stringify(np.body));
  const taken = await api(c.apiURL, 'POST', SVCS, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] }));
  assert.equal(taken.status, 422);
  assert.match(taken.body.message, /spec\.ports\[0\]\.nodePort: Invalid value: 30005: provided port is already allocated/);
  // NodePort → ClusterIP with the nodePort sent back unchanged (a merge patch of the type): dropped and released.
  const toClusterIP = await api(c.apiURL, 'PATCH', `${SVCS}/np`, { spec: { type: 'ClusterIP' } }, 'application/merge-patch+json');
  assert.equal(toClusterIP.status, 200, JSON.stringify(toClusterIP.body));
  assert.equal(toClusterIP.body.spec.ports[0].nodePort, undefined);
  assert.equal(toClusterIP.body.spec.externalTrafficPolicy, undefined);
  assert.equal((await api(c.apiURL, 'POST', SVCS, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] }))).status, 201, 'the port is free again');
  // A ClusterIP Service with a nodePort is refused as upstream.
  const bad = await api(c.apiURL, 'PATCH', `${SVCS}/np`, { spec: { ports: [{ port: 80, nodePort: 30006 }] } }, 'application/merge-patch+json');
  assert.equal(bad.status, 422);
  assert.match(bad.body.message, /spec\.ports\[0\]\.nodePort: Forbidden: may not be used when `type` is 'ClusterIP'/);
  // ClusterIP → ExternalName: the address is dropped and released.
  const toExternal = await api(c.apiURL, 'PATCH', `${SVCS}/np`, { spec: { type: 'ExternalName', externalName: 'example.com' } }, 'application/merge-patch+json');
  assert.equal(toExternal.status, 200, JSON.stringify(toExternal.body));
  assert.equal(toExternal.body.spec.clusterIP, undefined);
  assert.equal(toExternal.body.spec.clusterIPs, undefined);
  assert.equal((await api(c.apiURL, 'POST', SVCS, svc('reuse', { clusterIP: '10.97.0.10' }))).status, 201, 'the address is free again');
  for (const n of ['np', 'np2', 'reuse']) assert.equal((await api(c.apiURL, 'DELETE', `${SVCS}/${n}`)).status, 200);
});

test('concurrent creates never share an address or a port; a dry run takes nothing; a full range is upstream\'s error', async () => {
  const dry = await api(c.apiURL, 'POST', `${SVCS}?dryRun=All`, svc('dry', { type: 'NodePort' }));
  assert.equal(dry.status, 201);
  assert.match(dry.body.spec.clusterIP, /^10\.97\.0\.\d+$/);
  assert.ok(dry.body.spec.ports[0].nodePort >= 30000 && dry.body.spec.ports[0].nodePort <= 30039);
  assert.equal((await api(c.apiURL, 'GET', `${SVCS}/dry`)).status, 404);

  // 40 NodePort Services at once: the whole port range, 40 of the 61 free addresses.
  const made = await Promise.all(Array.from({ length: 40 }, (_, i) => api(c.apiURL, 'POST', SVCS, svc(`np-${i}`, { type: 'NodePort' }))));
  for (const r of made) assert.equal(r.status, 201, JSON.stringify(r.body));
  const ips = made.map((r) => r.body.spec.clusterIP);
  const ports = made.map((r) => r.body.spec.ports[0].nodePort);
  assert.equal(new Set(ips).size, 40, 'no address handed out twice');
  assert.equal(new Set(ports).size, 40, 'no port handed out twice');
  const full = await api(c.apiURL, 'POST', SVCS, svc('one-port-too-many', { type: 'NodePort' }));
  assert.equal(full.status, 500);
  assert.equal(full.body.reason, 'InternalError');
  assert.equal(full.body.message, 'Internal error occurred: failed to allocate a nodePort: range is full');
  assert.equal((await api(c.apiURL, 'GET', `${SVCS}/one-port-too-many`)).status, 404);

  // Exactly the 21 addresses left (the dry run and the failed create took none), at once.
  const rest = await Promise.all(Array.from({ length: 21 }, (_, i) => api(c.apiURL, 'POST', SVCS, svc(`ip-${i}`))));
  for (const r of rest) assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(new Set([...ips, ...rest.map((r) => r.body.spec.clusterIP), '10.97.0.1']).size, 62);
  const noIP = await api(c.apiURL, 'POST', SVCS, svc('one-ip-too-many'));
  assert.equal(noIP.status, 500);
  assert.equal(noIP.body.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
  // Deleting one frees its address for the next.
  assert.equal((await api(c.apiURL, 'DELETE', `${SVCS}/ip-0`)).status, 200);
  const again = await api(c.apiURL, 'POST', SVCS, svc('one-ip-too-many'));
  assert.equal(again.status, 201);
  assert.equal(again.body.spec.clusterIP, rest[0].body.spec.clusterIP);
});

test('--max-requests-inflight 1: parallel reads get 429 in plain text with Retry-After, writes are not limited', async () => {
  const replies = await Promise.all(Array.from({ length: 60 }, () => api(c.apiURL, 'GET', `${SVCS}`)));
  const limited = replies.filter((r) => r.status === 429);
  assert.ok(limited.length > 0, 'some reads were refused');
  assert.ok(replies.some((r) => r.status === 200));
  assert.equal(limited[0].body, 'Too many requests, please try again later.\n');
  assert.equal(limited[0].headers['retry-after'], '1');
});
