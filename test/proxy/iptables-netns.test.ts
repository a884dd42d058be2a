// tskube proxy in iptables mode against a real API server, programming a network namespace
// the test makes; connections to ClusterIPs and NodePorts go to TCP servers in it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { startCluster, type Cluster } from '../apiserver/harness.js';
import { loadKubeconfig } from '../../src/client/index.js';
import { runProxy, type RunningProxy } from '../../src/proxy/server.js';
import { connectMany, deleteNetns, makeNetns, nsExec, nsExecAsync, startEchoServers } from './netns.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NS = `tskube-proxy-${process.pid}`;
const PODS = ['10.244.0.1', '10.244.0.2', '10.244.0.3'];
let cluster: Cluster;
let servers: ChildProcess | undefined;
let proxy: RunningProxy | undefined;
const logs: string[] = [];

const start = async (): Promise<RunningProxy> => runProxy({
  clientConfig: loadKubeconfig(cluster.kubeconfig), hostname: 'node-a', mode: 'iptables', clusterCIDR: '10.244.0.0/16',
  minSyncPeriodMs: 50, healthzBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0',
  iptablesPrefix: ['ip', 'netns', 'exec', NS], log: (l) => logs.push(l),
});

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`${what}: last ${JSON.stringify(v)}\n${logs.slice(-5).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
    v = await fn();
  }
  return v;
}

const slice = (name: string, svc: string, ips: string[], ready = true): string => JSON.stringify({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready }, nodeName: 'node-a' })),
});
const service = (name: string, extra: object = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...extra },
});
const apply = (json: string) => { const r = cluster.kubectl(['apply', '-f', '-'], json); assert.equal(r.code, 0, r.stderr); };
const clusterIP = (name: string) => cluster.k('get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}');

before(async () => {
  makeNetns(NS, PODS);
  servers = await startEchoServers(NS, 8080, PODS);
  cluster = await startCluster();
  proxy = await start();
});

after(async () => {
  await proxy?.stop();
  servers?.kill();
  await cluster?.stop();
  deleteNetns(NS);
});

test('ClusterIP spreads connections over three ready endpoints', async () => {
  apply(service('web'));
  apply(slice('web-1', 'web', PODS));
  const ip = clusterIP('web');
  const got = await eventually(() => connectMany(NS, ip, 80, 30), (r) => new Set(r).size === 3, 'spread over 3 endpoints');
  assert.ok(got.every((x) => PODS.includes(x)), JSON.stringify(got));
  const saved = nsExec(NS, 'iptables-save', '-t', 'nat');
  assert.match(saved, /-A KUBE-SERVICES .*-d 10\.96\.0\.\d+\/32 .*--dport 80 -j KUBE-SVC-/);
  assert.match(saved, /--mode random --probability 0\.33333333/);
});

test('a removed endpoint is no longer served; zero ready endpoints are refused', async () => {
  apply(slice('web-1', 'web', PODS.slice(0, 2)));
  const ip = clusterIP('web');
  await eventually(() => connectMany(NS, ip, 80, 20), (r) => r.every((x) => x === PODS[0] || x === PODS[1]), 'endpoint removed');
  apply(slice('web-1', 'web', PODS, false));
  const refused = await eventually(() => connectMany(NS, ip, 80, 3), (r) => r.every((x) => x === 'ERR:ECONNREFUSED'), 'refused without endpoints');
  assert.equal(refused.length, 3);
  assert.match(nsExec(NS, 'iptables-save', '-t', 'filter'), /default\/web:http has no endpoints.*-j REJECT/);
});

test('sessionAffinity ClientIP keeps one backend', async () => {
  apply(service('sticky', { sessionAffinity: 'ClientIP' }));
  apply(slice('sticky-1', 'sticky', PODS));
  const ip = clusterIP('sticky');
  const got = await eventually(() => connectMany(NS, ip, 80, 15), (r) => !r[0].startsWith('ERR'), 'sticky reachable');
  assert.equal(new Set(got).size, 1, JSON.stringify(got));
});

test('NodePort answers on the node address', async () => {
  apply(service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }] }));
  apply(slice('np-1', 'np', [PODS[2]]));
  const got = await eventually(() => connectMany(NS, PODS[0], 30080, 3), (r) => r.every((x) => x === PODS[2]), 'nodeport');
  assert.equal(got.length, 3);
});

test('/healthz and /metrics', async () => {
  const h = await fetch(`http://127.0.0.1:${proxy!.healthzPort}/healthz`);
  assert.equal(h.status, 200);
  assert.equal((await h.json() as { nodeName: string }).nodeName, 'node-a');
  const m = await (await fetch(`http://127.0.0.1:${proxy!.metricsPort}/metrics`)).text();
  assert.match(m, /kubeproxy_sync_proxy_rules_duration_seconds_count \d+/);
  assert.match(m, /kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);
});

test('rules survive a proxy restart; a deleted Service disappears; --cleanup removes everything', async () => {
  const ip = clusterIP('np');
  await proxy!.stop();
  proxy = undefined;
  assert.deepEqual(await connectMany(NS, ip, 80, 2), [PODS[2], PODS[2]], 'traffic flows with the proxy stopped');
  proxy = await start();
  cluster.k('delete', 'svc', 'sticky');
  await eventually(() => nsExecAsync(NS, 'iptables-save', '-t', 'nat'), (s) => !s.includes('default/sticky'), 'sticky chains deleted');
  assert.deepEqual(await connectMany(NS, ip, 80, 2), [PODS[2], PODS[2]], 'traffic flows after restart');
  await proxy.stop();
  proxy = undefined;
  const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, path.join(root, 'dist/src/cli/main.js'), 'proxy', '--cleanup'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const all = nsExec(NS, 'iptables-save');
  assert.doesNotMatch(all, /KUBE-/);
  assert.match((await connectMany(NS, ip, 80, 1))[0], /^ERR:/);
});
