// kube-proxy sync time and first-packet latency, per mode (iptables, nftables): a full sync
// and a one-Service sync at N Services × 10 endpoints — rendering plus the real
// iptables-restore / nft -f inside a network namespace this benchmark makes and removes —
// then the time to open fresh TCP connections through a ClusterIP (each one's first packet
// is NATed by the rules) against connecting to the endpoint directly. Run as root:
//   node dist/bench/proxy-bench.js [--sizes 1000,10000] [--modes iptables,nftables,iptables-legacy] [--connections 300]
// (iptables-legacy: the iptables mode driving the legacy x_tables backend instead of the host's default)
import { execFileSync, spawnSync } from 'node:child_process';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ServicePortBuilder } from '../src/proxy/service-port.js';
import { Iptables } from '../src/proxy/iptables/iptables.js';
import { IptablesProxier } from '../src/proxy/iptables/proxier.js';
import { Nft } from '../src/proxy/nftables/nft.js';
import { NftablesProxier } from '../src/proxy/nftables/proxier.js';
import type { Proxier } from '../src/proxy/proxier.js';
import { toolCpuMs } from '../src/proxy/tool-runner.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('sizes', '1000,10000').split(',').map(Number);
const modes = arg('modes', 'iptables,nftables').split(',');
const connections = Number(arg('connections', '300'));
const ENDPOINTS = 10;
const PROBE_IP = '10.111.255.250';
const POD_IP = '10.255.0.1';

function world(n: number, generation = 0, like?: { services: Service[]; slices: EndpointSlice[] }): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    // as in an informer cache, objects that did not change are the same objects
    if (like && i > 0) { services.push(like.services[i]); slices.push(like.slices[i]); continue; }
    const name = `svc-${i}`;
    services.push({ metadata: { namespace: 'bench', name }, spec: { clusterIP: `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    // svc-0's endpoints move each generation: the "one Service changed" case
    const base = i === 0 ? generation * ENDPOINTS : 0;
    slices.push({
      addressType: 'IPv4', metadata: { namespace: 'bench', name: `${name}-x`, labels: { 'kubernetes.io/service-name': name } },
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: Array.from({ length: ENDPOINTS }, (_, e) => ({ addresses: [`10.${128 + (i >> 12)}.${(i >> 4) & 255}.${((i & 15) << 4) + ((e + base) % 16)}`], conditions: { ready: true }, nodeName: 'n' })),
    });
  }
  // the probe sorts last, so in iptables mode its first packet walks every KUBE-SERVICES rule
  if (like) return { services: [...services, like.services[n]], slices: [...slices, like.slices[n]] };
  services.push({ metadata: { namespace: 'zzz', name: 'probe' }, spec: { clusterIP: PROBE_IP, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  slices.push({
    addressType: 'IPv4', metadata: { namespace: 'zzz', name: 'probe-x', labels: { 'kubernetes.io/service-name': 'probe' } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: [POD_IP], conditions: { ready: true }, nodeName: 'n' }],
  });
  return { services, slices };
}

// runs inside the namespace: an echo server on the pod address, then timed fresh connections
const PROBE = `
const net = require('net');
const [count, ...targets] = process.argv.slice(1);
const srv = net.createServer((c) => c.end('x')).listen(8080, '${POD_IP}', async () => {
  const out = {};
  for (const t of targets) {
    const [host, port] = t.split(':');
    const times = [];
    for (let i = 0; i < Number(count); i++) {
      const t0 = process.hrtime.bigint();
      await new Promise((resolve, reject) => {
        const s = net.connect(Number(port), host);
        s.once('data', () => { times.push(Number(process.hrtime.bigint() - t0) / 1e6); s.destroy(); resolve(); });
        s.once('error', reject);
      });
    }
    times.sort((a, b) => a - b);
    out[t] = { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
  }
  console.log(JSON.stringify(out));
  srv.close();
});
`;

/** CPU ms of this process and of the tools it ran (nft, iptables-restore; run by the tool helper): wall time minus these is waiting. */
function cpuMs(): { self: number; children: number } {
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1000, children: toolCpuMs() };
}
const cpuSince = (c: { self: number; children: number }): string => {
  const n = cpuMs();
  return `CPU: JS ${(n.self - c.self).toFixed(0)} ms, tools ${(n.children - c.children).toFixed(0)} ms`;
};

const ns = `tskube-proxy-bench-${process.pid}`;
const inNs = ['ip', 'netns', 'exec', ns];
const sh = (...a: string[]): void => { execFileSync(a[0], a.slice(1), { stdio: 'ignore' }); };
spawnSync('ip', ['netns', 'add', ns]);
try {
  sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  sh('ip', '-n', ns, 'link', 'add', 'pods0', 'type', 'veth', 'peer', 'name', 'pods1');
  sh('ip', '-n', ns, 'addr', 'add', `${POD_IP}/24`, 'dev', 'pods0');
  sh('ip', '-n', ns, 'link', 'set', 'pods0', 'up');
  sh('ip', '-n', ns, 'link', 'set', 'pods1', 'up');
  sh('ip', '-n', ns, 'route', 'add', '10.96.0.0/12', 'dev', 'pods0');
  console.log(`load before: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  for (const mode of modes) {
    for (const n of sizes) {
      const proxier: Proxier = mode === 'nftables'
        ? new NftablesProxier(new Nft(inNs), { clusterCIDR: '10.128.0.0/9' })
        : new IptablesProxier(new Iptables(inNs, mode === 'iptables-legacy' ? 'iptables-legacy' : 'iptables'), { clusterCIDR: '10.128.0.0/9' });
      const builder = new ServicePortBuilder('n');
      const w0 = world(n);
      let t = performance.now();
      const ports0 = builder.build(w0.services, w0.slices);
      const build = performance.now() - t;
      let c = cpuMs();
      t = performance.now();
      const full = await proxier.sync(ports0);
      const fullMs = performance.now() - t;
      const fullCpu = cpuSince(c);
      const w1 = world(n, 1, w0);
      c = cpuMs();
      t = performance.now();
      const one = await proxier.sync(builder.build(w1.services, w1.slices));
      const oneMs = performance.now() - t;
      const oneCpu = cpuSince(c);
      // a Service added (all others the same objects): its ClusterIP block is rewritten
      const added: Service = { metadata: { namespace: 'bench', name: 'added' }, spec: { clusterIP: '10.96.40.1', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } };
      const addedSlice: EndpointSlice = { ...w1.slices[1], metadata: { namespace: 'bench', name: 'added-x', labels: { 'kubernetes.io/service-name': 'added' } } };
      c = cpuMs();
      t = performance.now();
      const plus = await proxier.sync(builder.build([...w1.services, added], [...w1.slices, addedSlice]));
      const plusMs = performance.now() - t;
      const plusCpu = cpuSince(c);
      // the first syncs after a full one also pay for collecting its garbage (a major GC of the
      // heap it left): the steady state is the median of further ones — svc-0's endpoints moving
      // back and forth, then the added Service removed and added again
      const steady = async (label: string, worlds: { services: Service[]; slices: EndpointSlice[] }[]): Promise<string> => {
        const runs: { ms: number; js: number; tools: number }[] = [];
        for (const w of worlds) {
          const c0 = cpuMs();
          const t0 = performance.now();
          await proxier.sync(builder.build(w.services, w.slices));
          const c1 = cpuMs();
          runs.push({ ms: performance.now() - t0, js: c1.self - c0.self, tools: c1.children - c0.children });
        }
        const med = (k: 'ms' | 'js' | 'tools'): string => runs.map((r) => r[k]).sort((a, b) => a - b)[runs.length >> 1].toFixed(0);
        return `${label}: median of ${runs.length} ${med('ms')} ms (CPU: JS ${med('js')} ms, tools ${med('tools')} ms; all: ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms)`;
      };
      const w2 = world(n, 2, w1);
      const w3 = world(n, 3, w2);
      const moves = await steady('one Service\'s endpoints move, later', [w2, w3, w2, w3, w2]);
      const withAdded = { services: [...w2.services, added], slices: [...w2.slices, addedSlice] };
      const adds = await steady('Service removed / added, later', [w2, withAdded, w2, withAdded, w2, withAdded]);
      const tool = mode === 'nftables' ? 'nft -f' : 'iptables-restore';
      console.log(`${mode} ${n}: RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (a fork of this process would copy its page tables; the tools run from a small helper)`);
      console.log(`${mode} ${n} services × ${ENDPOINTS} endpoints: model ${build.toFixed(0)} ms; ` +
        `full sync ${fullMs.toFixed(0)} ms (render ${full.renderMs.toFixed(0)} ms, ${tool} ${full.applyMs.toFixed(0)} ms, ${full.written} chains; ${fullCpu}); ` +
        `one-service sync ${oneMs.toFixed(0)} ms (render ${one.renderMs.toFixed(0)} ms, ${tool} ${one.applyMs.toFixed(0)} ms, ${one.written} chains written, ${one.deleted} deleted; ${oneCpu}); ` +
        `Service added ${plusMs.toFixed(0)} ms (render ${plus.renderMs.toFixed(0)} ms, ${tool} ${plus.applyMs.toFixed(0)} ms, ${plus.written} chains written; ${plusCpu})`);
      console.log(`${mode} ${n}: ${moves}; ${adds}`);
      if (connections > 0) {
        const r = JSON.parse(execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', PROBE, String(connections), `${POD_IP}:8080`, `${PROBE_IP}:80`], { encoding: 'utf8' })) as Record<string, { p50: number; p99: number }>;
        const d = r[`${POD_IP}:8080`];
        const s = r[`${PROBE_IP}:80`];
        console.log(`${mode} ${n}: first packet (connect + first byte, ${connections} fresh connections): direct p50 ${d.p50.toFixed(3)} ms p99 ${d.p99.toFixed(3)} ms; ` +
          `through the ClusterIP p50 ${s.p50.toFixed(3)} ms p99 ${s.p99.toFixed(3)} ms (+${(s.p50 - d.p50).toFixed(3)} ms at p50)`);
      }
      if (mode === 'nftables') await new Nft(inNs).cleanup();
      else await new Iptables(inNs, mode === 'iptables-legacy' ? 'iptables-legacy' : 'iptables').cleanup();
    }
  }
  console.log(`load after: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
} finally {
  spawnSync('ip', ['netns', 'del', ns]);
}
