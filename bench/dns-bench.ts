// tskube dns throughput and latency: queries per second and p50/p99 for cluster names over
// UDP, against a real API server with 1,000 Services (and their EndpointSlices).
//   node dist/bench/dns-bench.js [queries=20000] [concurrency=50]
import dgram from 'node:dgram';
import * as dns from 'dns-packet';
import { startCluster } from '../test/apiserver/harness.js';
import { loadKubeconfig, RestClient, SERVICES } from '../src/client/index.js';
import { runDns } from '../src/dns/server.js';

const total = Number(process.argv[2] ?? 20000);
const concurrency = Number(process.argv[3] ?? 50);
const SERVICE_COUNT = 1000;

const cluster = await startCluster({ apiserverArgs: ['--service-cluster-ip-range', '10.96.0.0/16'] });
try {
  const client = new RestClient({ ...loadKubeconfig(cluster.kubeconfig), qps: 1000, burst: 1000 });
  const svcs = client.resource(SERVICES);
  for (let i = 0; i < SERVICE_COUNT; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => svcs.create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i + j}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } })));
  }
  const server = await runDns({ clientConfig: loadKubeconfig(cluster.kubeconfig), clusterDomain: 'cluster.local', bindAddress: '127.0.0.1', port: 0, upstreams: [], log: () => {} });
  const sock = dgram.createSocket('udp4');
  const pending = new Map<number, { start: number; done: () => void }>();
  const lat: number[] = [];
  sock.on('message', (m) => {
    const id = m.readUInt16BE(0);
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    lat.push(performance.now() - p.start);
    p.done();
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let sent = 0;
  let nextId = 0;
  const worker = async (): Promise<void> => {
    while (sent < total) {
      sent++;
      const id = nextId++ & 0xffff;
      const name = `s${Math.floor(Math.random() * SERVICE_COUNT)}.default.svc.cluster.local`;
      await new Promise<void>((done) => {
        const t = setTimeout(() => { pending.delete(id); done(); }, 2000);
        pending.set(id, { start: performance.now(), done: () => { clearTimeout(t); done(); } });
        sock.send(dns.encode({ type: 'query', id, questions: [{ type: 'A', name }] }), server.port, '127.0.0.1');
      });
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))].toFixed(2);
  console.log(`dns: ${lat.length}/${total} answered in ${secs.toFixed(1)} s = ${(lat.length / secs).toFixed(0)} qps (concurrency ${concurrency}, ${SERVICE_COUNT} Services); p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
  sock.close();
  await server.stop();
} finally {
  await cluster.stop();
}
