// kube-proxy (iptables mode) sync time: a full sync and a one-Service sync at 1,000 and
// 10,000 Services × 10 endpoints — rendering plus a real iptables-restore inside a network
// namespace this benchmark makes and removes. Run as root:
//   node dist/bench/proxy-bench.js [1000,10000]
import { spawnSync } from 'node:child_process';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildServicePorts } from '../src/proxy/service-port.js';
import { Iptables } from '../src/proxy/iptables/iptables.js';
import { IptablesProxier } from '../src/proxy/iptables/proxier.js';

const sizes = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const ENDPOINTS = 10;

function world(n: number, generation = 0): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
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
  return { services, slices };
}

const ns = `tskube-proxy-bench-${process.pid}`;
spawnSync('ip', ['netns', 'add', ns]);
try {
  for (const n of sizes) {
    const proxier = new IptablesProxier(new Iptables(['ip', 'netns', 'exec', ns]), { clusterCIDR: '10.128.0.0/9' });
    const w0 = world(n);
    let t = performance.now();
    const ports0 = buildServicePorts(w0.services, w0.slices, 'n');
    const build = performance.now() - t;
    t = performance.now();
    const full = await proxier.sync(ports0);
    const fullMs = performance.now() - t;
    const w1 = world(n, 1);
    t = performance.now();
    const one = await proxier.sync(buildServicePorts(w1.services, w1.slices, 'n'));
    const oneMs = performance.now() - t;
    const rules = spawnSync('ip', ['netns', 'exec', ns, 'iptables-save', '-t', 'nat'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout.split('\n').filter((l) => l.startsWith('-A')).length;
    console.log(`${n} services × ${ENDPOINTS} endpoints: ${rules} nat rules; model ${build.toFixed(0)} ms; ` +
      `full sync ${fullMs.toFixed(0)} ms (render ${full.renderMs.toFixed(0)} ms, iptables-restore ${full.restoreMs.toFixed(0)} ms, ${full.changedChains} chains); ` +
      `one-service sync ${oneMs.toFixed(0)} ms (render ${one.renderMs.toFixed(0)} ms, iptables-restore ${one.restoreMs.toFixed(0)} ms, ${one.changedChains} chains written, ${one.deletedChains} deleted)`);
    await new Iptables(['ip', 'netns', 'exec', ns]).cleanup();
  }
} finally {
  spawnSync('ip', ['netns', 'del', ns]);
}
