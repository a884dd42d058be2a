// tskube dns against a real API server: cluster names over UDP and TCP, headless
// Services, SRV, PTR, pod names, NXDOMAIN with SOA, forwarding with a cache; busybox nslookup
// (Debian's busybox has no -port flag; it takes the server as host:port).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startCluster, type Cluster } from '../apiserver/harness.js';
import { loadKubeconfig } from '../../src/client/index.js';
import { runDns, type RunningDns } from '../../src/dns/server.js';
import { fakeUpstream, queryTcp, queryUdp, type Reply } from './dns-client.js';

let cluster: Cluster;
let server: RunningDns | undefined;
let upstream: Awaited<ReturnType<typeof fakeUpstream>> | undefined;

const apply = (obj: object) => { const r = cluster.kubectl(['apply', '-f', '-'], JSON.stringify(obj)); assert.equal(r.code, 0, r.stderr); };
const data = (r: Reply) => (r.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

async function eventually(fn: () => Promise<Reply>, ok: (r: Reply) => boolean, what: string): Promise<Reply> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await fn();
    if (ok(r)) return r;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

before(async () => {
  cluster = await startCluster();
  upstream = await fakeUpstream();
  cluster.k('create', 'namespace', 'dev');
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'dev' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'dev' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } });
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'dev' }, spec: { type: 'ExternalName', externalName: 'example.test' } });
  apply({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'db-abc', namespace: 'dev', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.244.1.6'], hostname: 'db-1', conditions: { ready: true } },
      { addresses: ['10.244.1.7'], hostname: 'db-2', conditions: { ready: false } },
    ],
  });
  // a headless Service with 40 ready endpoints: its A answer (~700 bytes) does not fit 512
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'many', namespace: 'dev' }, spec: { clusterIP: 'None', selector: { app: 'many' }, ports: [{ name: 'http', port: 80 }] } });
  apply({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'many-abc', namespace: 'dev', labels: { 'kubernetes.io/service-name': 'many' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints: Array.from({ length: 40 }, (_, i) => ({ addresses: [`10.244.2.${i + 1}`], conditions: { ready: true } })),
  });
  // an IPv6 headless Service: AAAA records
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'six', namespace: 'dev' }, spec: { clusterIP: 'None', selector: { app: 'six' }, ports: [{ name: 'http', port: 80 }] } });
  apply({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'six-abc', namespace: 'dev', labels: { 'kubernetes.io/service-name': 'six' } },
    addressType: 'IPv6', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints: [{ addresses: ['fd00:10:244::5'], hostname: 'six-0', conditions: { ready: true } }, { addresses: ['fd00:10:244::6'], conditions: { ready: true } }],
  });
  server = await runDns({
    clientConfig: loadKubeconfig(cluster.kubeconfig), clusterDomain: 'cluster.local', bindAddress: '127.0.0.1', port: 0,
    upstreams: [{ host: '127.0.0.1', port: upstream.port }], log: () => {},
  });
});

after(async () => {
  await server?.stop();
  upstream?.close();
  await cluster?.stop();
});

test('A for a ClusterIP Service over UDP and TCP', async () => {
  const ip = cluster.k('get', 'svc', '-n', 'dev', 'web', '-o', 'jsonpath={.spec.clusterIP}');
  const udp = await eventually(() => queryUdp(server!.port, 'web.dev.svc.cluster.local', 'A'), (r) => data(r)[0] === ip, 'web A');
  assert.ok(udp.flags! & 0x400, 'authoritative');
  assert.equal((udp.answers![0] as { ttl?: number }).ttl, 5);
  const tcp = await queryTcp(server!.port, 'WEB.dev.svc.cluster.local.', 'A');
  assert.deepEqual(data(tcp), [ip]);
  const aaaa = await queryUdp(server!.port, 'web.dev.svc.cluster.local', 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.equal(aaaa.answers!.length, 0);
});

test('headless Service: ready endpoint IPs and hostname records, SRV for the named port', async () => {
  const all = await eventually(() => queryUdp(server!.port, 'db.dev.svc.cluster.local', 'A'), (r) => (r.answers ?? []).length === 2, 'db A');
  assert.deepEqual(data(all).sort(), ['10.244.1.5', '10.244.1.6']);
  assert.deepEqual(data(await queryUdp(server!.port, 'db-1.db.dev.svc.cluster.local', 'A')), ['10.244.1.6']);
  assert.equal((await queryUdp(server!.port, 'db-2.db.dev.svc.cluster.local', 'A')).rcode, 'NXDOMAIN', 'not-ready endpoint has no record');
  const srv = await queryTcp(server!.port, '_pg._tcp.db.dev.svc.cluster.local', 'SRV');
  const targets = (srv.answers ?? []).map((a) => (a.type === 'SRV' ? `${a.data.target}:${a.data.port}` : '')).sort();
  assert.deepEqual(targets, ['db-0.db.dev.svc.cluster.local:5432', 'db-1.db.dev.svc.cluster.local:5432']);
  const websrv = await queryUdp(server!.port, '_http._tcp.web.dev.svc.cluster.local', 'SRV');
  assert.deepEqual((websrv.answers ?? []).map((a) => (a.type === 'SRV' ? `${a.data.target}:${a.data.port}` : '')), ['web.dev.svc.cluster.local:80']);
});

test('PTR for ClusterIPs and headless endpoints; pod A records; ExternalName CNAME', async () => {
  const ip = cluster.k('get', 'svc', '-n', 'dev', 'web', '-o', 'jsonpath={.spec.clusterIP}');
  const rev = ip.split('.').reverse().join('.') + '.in-addr.arpa';
  assert.deepEqual(data(await queryUdp(server!.port, rev, 'PTR')), ['web.dev.svc.cluster.local']);
  assert.deepEqual(data(await queryUdp(server!.port, '5.1.244.10.in-addr.arpa', 'PTR')), ['db-0.db.dev.svc.cluster.local']);
  assert.deepEqual(data(await queryUdp(server!.port, '10-244-3-9.dev.pod.cluster.local', 'A')), ['10.244.3.9']);
  const cname = await queryUdp(server!.port, 'ext.dev.svc.cluster.local', 'A');
  assert.equal(cname.answers![0].type, 'CNAME');
  assert.equal(data(cname)[0], 'example.test');
});

test('missing names in the cluster domain are NXDOMAIN with the SOA in authority', async () => {
  for (const name of ['nope.dev.svc.cluster.local', 'x.y.z.cluster.local', '1-2-3.dev.pod.cluster.local']) {
    const r = await queryUdp(server!.port, name, 'A');
    assert.equal(r.rcode, 'NXDOMAIN', name);
    assert.equal(r.authorities![0].type, 'SOA');
    assert.equal(r.authorities![0].name, 'cluster.local');
  }
  const before = upstream!.queries();
  await queryUdp(server!.port, 'nope.dev.svc.cluster.local', 'A');
  assert.equal(upstream!.queries(), before, 'cluster names never go upstream');
});

test('other names are forwarded and cached', async () => {
  const n0 = upstream!.queries();
  const a = await queryUdp(server!.port, 'example.test', 'A');
  assert.deepEqual(data(a), ['192.0.2.1']);
  const b = await queryTcp(server!.port, 'example.test', 'A');
  assert.deepEqual(data(b), ['192.0.2.1']);
  assert.ok((b.answers![0] as { ttl: number }).ttl <= 30, 'TTL capped by the cache');
  assert.equal(upstream!.queries() - n0, 1, 'second answer came from the cache');
  assert.equal((await queryUdp(server!.port, 'missing.test', 'A')).rcode, 'NXDOMAIN');
});

test('AAAA: IPv6 endpoints of a headless Service, by name and hostname; A for them is empty', async () => {
  const all = await eventually(() => queryUdp(server!.port, 'six.dev.svc.cluster.local', 'AAAA'), (r) => (r.answers ?? []).length === 2, 'six AAAA');
  assert.deepEqual(all.answers!.map((a) => a.type), ['AAAA', 'AAAA']);
  assert.deepEqual(data(all).sort(), ['fd00:10:244::5', 'fd00:10:244::6']);
  assert.deepEqual(data(await queryTcp(server!.port, 'six-0.six.dev.svc.cluster.local', 'AAAA')), ['fd00:10:244::5']);
  assert.deepEqual(data(await queryUdp(server!.port, 'fd00-10-244--6.six.dev.svc.cluster.local', 'AAAA')), ['fd00:10:244::6']);
  const a = await queryUdp(server!.port, 'six.dev.svc.cluster.local', 'A');
  assert.equal(a.rcode, 'NOERROR');
  assert.equal(a.answers!.length, 0);
  assert.equal(a.authorities![0].type, 'SOA');
});

test('a large answer: truncated over plain UDP, whole over TCP and over UDP with EDNS0 (OPT echoed)', async () => {
  await eventually(() => queryTcp(server!.port, 'many.dev.svc.cluster.local', 'A'), (r) => (r.answers ?? []).length === 40, 'many over TCP');
  const plain = await queryUdp(server!.port, 'many.dev.svc.cluster.local', 'A');
  assert.ok(plain.flags! & 0x200, 'TC set');
  assert.equal(plain.answers!.length, 0);
  assert.ok(plain.size <= 512);
  const edns = await queryUdp(server!.port, 'many.dev.svc.cluster.local', 'A', '127.0.0.1', { edns: 4096 });
  assert.equal(edns.flags! & 0x200, 0, 'not truncated');
  assert.equal(edns.answers!.length, 40);
  assert.ok(edns.size > 512);
  const opt = edns.additionals!.find((x) => x.type === 'OPT') as unknown as { udpPayloadSize: number };
  assert.equal(opt.udpPayloadSize, 1232);
  // a client buffer smaller than the answer still gets TC
  const small = await queryUdp(server!.port, 'many.dev.svc.cluster.local', 'A', '127.0.0.1', { edns: 600 });
  assert.ok(small.flags! & 0x200);
  // EDNS versions other than 0 are BADVERS: extended rcode 1 in the OPT
  const bad = await queryUdp(server!.port, 'web.dev.svc.cluster.local', 'A', '127.0.0.1', { edns: 1232, ednsVersion: 1 });
  assert.equal((bad.additionals!.find((x) => x.type === 'OPT') as unknown as { extendedRcode: number }).extendedRcode, 1);
});

test('forwarding: a truncated upstream answer is fetched again over TCP; TCP clients are forwarded over TCP', async () => {
  const tcp0 = upstream!.tcpQueries();
  const r = await queryUdp(server!.port, 'big.test', 'A', '127.0.0.1', { edns: 1232 });
  assert.equal(r.answers!.length, 30);
  assert.equal(r.flags! & 0x200, 0);
  assert.equal(upstream!.tcpQueries() - tcp0, 1, 'one retry over TCP');
  // without EDNS the 30 records do not fit: TC to the client, which asks again over TCP (from the cache)
  const plain = await queryUdp(server!.port, 'big.test', 'A');
  assert.ok(plain.flags! & 0x200);
  assert.equal((await queryTcp(server!.port, 'big.test', 'A')).answers!.length, 30);
  const tcp1 = upstream!.tcpQueries();
  assert.equal((await queryTcp(server!.port, 'other.test', 'A')).rcode, 'NXDOMAIN');
  assert.equal(upstream!.tcpQueries() - tcp1, 1, 'a TCP client is forwarded over TCP');
});

test('a deleted Service stops resolving', async () => {
  cluster.k('delete', 'svc', '-n', 'dev', 'web');
  await eventually(() => queryUdp(server!.port, 'web.dev.svc.cluster.local', 'A'), (r) => r.rcode === 'NXDOMAIN', 'web gone');
});

test('answers are reused only while nothing changes: the very same query follows a Service that comes and goes', async () => {
  // queryTcp always sends id 7, so each of these queries is byte for byte the same
  const name = 'late.dev.svc.cluster.local';
  assert.equal((await queryTcp(server!.port, name, 'A')).rcode, 'NXDOMAIN');
  assert.equal((await queryTcp(server!.port, name, 'A')).rcode, 'NXDOMAIN');
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'late', namespace: 'dev' }, spec: { ports: [{ port: 80 }] } });
  const ip = cluster.k('get', 'svc', '-n', 'dev', 'late', '-o', 'jsonpath={.spec.clusterIP}');
  await eventually(() => queryTcp(server!.port, name, 'A'), (r) => data(r)[0] === ip, 'late A');
  // over UDP, an answer given again carries each query's own id (queryUdp checks it)
  const [a, b] = await Promise.all([queryUdp(server!.port, name, 'A'), queryUdp(server!.port, name, 'A')]);
  assert.deepEqual([data(a), data(b)], [[ip], [ip]]);
  cluster.k('delete', 'svc', '-n', 'dev', 'late');
  await eventually(() => queryTcp(server!.port, name, 'A'), (r) => r.rcode === 'NXDOMAIN', 'late gone');
});

test('busybox nslookup resolves a headless Service name', { skip: !fs.existsSync('/usr/bin/busybox') && 'no busybox' }, async () => {
  // asynchronous: the server answers from this same process
  const out = await new Promise<string>((resolve, reject) => execFile('/usr/bin/busybox', ['nslookup', '-type=a', 'db-0.db.dev.svc.cluster.local', `127.0.0.1:${server!.port}`],
    { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(stdout + stderr)) : resolve(stdout))));
  assert.match(out, /Address:\s+10\.244\.1\.5/);
});
