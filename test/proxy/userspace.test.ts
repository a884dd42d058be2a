// The userspace proxy mode on loopback: a NodePort Service forwarded by the process itself
// to TCP endpoints, round robin; an endpoint-less Service is refused; the loud log line.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startCluster, type Cluster } from '../apiserver/harness.js';
import { loadKubeconfig } from '../../src/client/index.js';
import { runProxy, type RunningProxy } from '../../src/proxy/server.js';

let cluster: Cluster;
let proxy: RunningProxy | undefined;
const backends: net.Server[] = [];
const logs: string[] = [];

const echo = (tag: string): Promise<number> => new Promise((resolve) => {
  const s = net.createServer((c) => c.end(`${tag}\n`));
  backends.push(s);
  s.listen(0, '127.0.0.2', () => resolve((s.address() as net.AddressInfo).port));
});
const ask = (port: number): Promise<string> => new Promise((resolve) => {
  const c = net.connect(port, '127.0.0.1');
  let d = '';
  c.on('data', (x) => { d += x; });
  c.on('end', () => resolve(d.trim()));
  c.on('error', (e) => resolve(`ERR:${(e as NodeJS.ErrnoException).code}`));
});

before(async () => { cluster = await startCluster(); });
after(async () => {
  await proxy?.stop();
  for (const s of backends) s.close();
  await cluster?.stop();
});

test('userspace mode forwards a NodePort to endpoints and says so loudly', async () => {
  const [p1, p2] = [await echo('one'), await echo('two')];
  const nodePort = 30000 + (process.pid % 2700);
  const apply = (o: object) => { const r = cluster.kubectl(['apply', '-f', '-'], JSON.stringify(o)); assert.equal(r.code, 0, r.stderr); };
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'us', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort }] } });
  apply({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'us-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'us' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: p1, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.2'] }],
  });
  apply({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'us-2', namespace: 'default', labels: { 'kubernetes.io/service-name': 'us' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: p2, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.2'] }],
  });
  proxy = await runProxy({
    clientConfig: loadKubeconfig(cluster.kubeconfig), hostname: 'n', mode: 'userspace', minSyncPeriodMs: 50,
    healthzBindAddress: '', metricsBindAddress: '', userspaceBindAddress: '127.0.0.1', log: (l) => logs.push(l),
  });
  await proxy.synced();
  assert.ok(logs.some((l) => /WARNING: running in USERSPACE mode/.test(l)), logs.join('\n'));
  // the first sync waits for both caches: Services listed before their slices arrive would be refused
  const first = logs.find((l) => /userspace sync of/.test(l))?.match(/sync of (\d+) service ports, (\d+) with ready endpoints/);
  assert.ok(first && first[1] === first[2] && Number(first[1]) >= 2, logs.join('\n'));
  const got = [await ask(nodePort), await ask(nodePort), await ask(nodePort), await ask(nodePort)];
  assert.deepEqual(new Set(got), new Set(['one', 'two']), JSON.stringify(got));
  cluster.k('delete', 'endpointslice', 'us-1', 'us-2');
  const deadline = Date.now() + 10_000;
  let r = await ask(nodePort);
  while (!r.startsWith('ERR') && r !== '' && Date.now() < deadline) { await new Promise((x) => setTimeout(x, 100)); r = await ask(nodePort); }
  assert.ok(r.startsWith('ERR') || r === '', `no endpoints: refused, got ${r}`);
});
