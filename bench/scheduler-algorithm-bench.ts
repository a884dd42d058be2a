// The scheduler's own costs at scale, without the API server: a SchedulerCache with N nodes
// (shaped like scheduler-bench's), the default profile, and M pods decided and assumed one
// after another as the scheduler does — decisions per CPU-second (load-independent), the heap the
// cache holds per node and per pod, and what the explain store costs when it keeps its full
// 256 decisions (scheduled ones, and unschedulable ones with every node rejected).
//   node --expose-gc dist/bench/scheduler-algorithm-bench.js [--nodes 5000] [--pods 10000] [--scheduled-only]
// (--scheduled-only skips the unschedulable decisions, e.g. to profile the common path alone)
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from '../src/scheduler/cache/scheduler-cache.js';
import { Framework, type FrameworkDeps } from '../src/scheduler/framework/framework.js';
import { inTreeRegistry } from '../src/scheduler/framework/registry.js';
import { PodInfo } from '../src/scheduler/framework/pod-info.js';
import { Scheduler1 } from '../src/scheduler/schedule-one.js';
import { ExplainStore, summarize } from '../src/scheduler/explain.js';
import { fitErrorMessage } from '../src/scheduler/framework/fit-error.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const NODES = arg('nodes', 5000);
const PODS = arg('pods', 10000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = () => { gc!(); gc!(); return process.memoryUsage().heapUsed; };
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

const node = (i: number): Node => {
  const cap = { cpu: '32', memory: '64Gi', pods: '110' };
  const name = `node-${i}`;
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 10}` } }, status: { capacity: cap, allocatable: cap, conditions: [{ type: 'Ready', status: 'True' }] } };
};
const pod = (i: number, cpu = '100m'): Pod => ({
  metadata: { name: `pod-${i}`, namespace: 'bench', uid: `uid-${i}`, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'registry.local/pause:3.9', resources: { requests: { cpu, memory: '100Mi' } } }] },
});

const cache = new SchedulerCache();
const deps: FrameworkDeps = {
  nodeInfos: () => cache.nodeInfos(), nodeInfo: (n) => cache.nodeInfo(n), nodesWithImage: (i) => cache.nodesWithImage(i),
  nodesWithAffinityPods: () => cache.nodesWithAffinityPods(), nodesWithRequiredAntiAffinityPods: () => cache.nodesWithRequiredAntiAffinityPods(),
  namespaceLabels: () => undefined,
  listers: { pdbs: () => [], services: () => [], replicaSets: () => [], statefulSets: () => [], namespace: () => undefined, pod: () => undefined, pvc: () => undefined, pv: () => undefined, pvs: () => [], storageClass: () => undefined, csiNode: () => undefined },
  isPVCUsedByPods: (k) => cache.isPVCUsedByPods(k),
  client: { bind: async () => {}, deletePod: async () => {}, setNominatedNode: async () => {}, updatePV: async (v) => v, updatePVC: async (c) => c },
  nominatedPodsForNode: () => [], event: () => {},
};
const fw = new Framework({ schedulerName: 'default-scheduler' }, inTreeRegistry(), deps);
const alg = new Scheduler1(() => cache.nodeInfos(), () => undefined);

const h0 = heap();
for (let i = 0; i < NODES; i++) cache.addNode(node(i));
const h1 = heap();
console.log(`${NODES} nodes in the cache: ${mib(h1 - h0)} (${((h1 - h0) / NODES / 1024).toFixed(2)} KiB per node)`);

const explain = new ExplainStore(() => cache.nodeInfos().map((n) => n.name));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
let c0 = cpu();
const t = performance.now();
for (let i = 0; i < PODS; i++) {
  const pi = new PodInfo(pod(i));
  const d = alg.schedule(fw, pi);
  if (!d.node) throw new Error(`pod ${i} did not fit`);
  explain.record(pi.key, summarize(d, fw.schedulerName, 'Scheduled'));
  cache.assume(new PodInfo({ ...pi.pod, spec: { ...pi.pod.spec!, nodeName: d.node } }), d.node);
}
const secs = (performance.now() - t) / 1000;
const cpuSecs = cpu() - c0;
console.log(`${PODS} pods decided and assumed in ${secs.toFixed(1)} s wall, ${cpuSecs.toFixed(1)} s cpu: ${(PODS / cpuSecs).toFixed(0)} decisions per cpu-second (${((1000 * cpuSecs) / PODS).toFixed(2)} ms cpu each, explain recording included; ${(PODS / secs).toFixed(0)}/s wall on this machine now)`);
const h2 = heap();
const withScheduled = h2;
explain.forgetAll();
const h3 = heap();
console.log(`explain store, ${explain.capacity} scheduled decisions (each keeps its ~${Math.round(NODES / 10)} scored nodes): ${mib(withScheduled - h3)}`);
console.log(`${PODS} pods in the cache: ${mib(h3 - h1)} (${((h3 - h1) / PODS / 1024).toFixed(2)} KiB per pod)`);

// Unschedulable decisions reject every node: the store keeps them grouped.
if (process.argv.includes('--scheduled-only')) process.exit(0);
c0 = cpu();
for (let i = 0; i < explain.capacity; i++) {
  const pi = new PodInfo(pod(PODS + i, '64'));
  const d = alg.schedule(fw, pi);
  explain.record(pi.key, summarize(d, fw.schedulerName, 'Unschedulable', fitErrorMessage(d.numNodes, d.statuses)));
}
const perFail = (1000 * (cpu() - c0)) / explain.capacity;
const h4 = heap();
console.log(`explain store, ${explain.capacity} unschedulable decisions (all ${NODES} nodes rejected): ${mib(h4 - h3)}; an unschedulable decision takes ${perFail.toFixed(1)} ms cpu`);
