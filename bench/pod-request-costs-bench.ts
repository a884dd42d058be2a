// The API server's CPU per request of each kind a pod costs in the scheduler and controllers
// runs: pod create, pods/binding, an events.k8s.io Scheduled event, the kubelet's pods/status
// PATCH, and the pod delete; each phase alone, its API-server CPU from /proc. With --watchers
// W, W pod watches pinned to a node each (fieldSelector spec.nodeName=node-i, as W kubelets
// watch) stay open throughout, so the figures show what fan-out to them costs per write.
// Not part of `npm test`.
//
//   node dist/bench/pod-request-costs-bench.js [--pods 1000] [--concurrency 32] [--watchers 0] [--watch-field spec.nodeName] [--store etcd|tskube] [--profile DIR]
// --profile DIR: the API server's V8 CPU profile (bench/cpu-profile-summary).
import fs from 'node:fs';
import os from 'node:os';
import { startCluster, type StoreKind } from '../test/apiserver/harness.js';
import { api, openWatch, type WatchStream } from '../test/apiserver/api-request.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : dflt; };
const PODS = Number(arg('pods', '1000'));
const CONC = Number(arg('concurrency', '32'));
const WATCHERS = Number(arg('watchers', '0'));
// status.nominatedNodeName=node-i: as many watches, on a field the cache does not index (what every watch cost before).
const WATCH_FIELD = arg('watch-field', 'spec.nodeName');
const STORE = arg('store', 'etcd') as StoreKind;
const PROFILE = process.argv.includes('--profile') ? arg('profile', '') : undefined;
const NODES = 100;

function cpuOf(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // ms (USER_HZ = 100)
}

async function inParallel(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONC }, async () => { while (next < n) await fn(next++); }));
}

const ns = 'costs';
const pod = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'costs' } },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '100Mi' } } }] } });
const node = (i: number) => `node-${i % NODES}`;
const micro = () => new Date().toISOString().replace('Z', '000Z');

const c = await startCluster({ store: STORE, apiserverArgs: ['--max-requests-inflight', '2000'],
  nodeArgs: PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : [] });
const watches: WatchStream[] = [];
try {
  const must = async (p: Promise<{ status: number; body: any }>, want: number) => {
    const r = await p;
    if (r.status !== want) throw new Error(`${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  };
  await must(api(c.apiURL, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), 201);
  for (let i = 0; i < WATCHERS; i++) watches.push(await openWatch(c.apiURL, `/api/v1/pods?watch=true&fieldSelector=${WATCH_FIELD}%3Dnode-${i}`));
  const phases: Array<[string, (i: number) => Promise<void>]> = [
    ['POST pods', (i) => must(api(c.apiURL, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(i)), 201)],
    ['POST pods/binding', (i) => must(api(c.apiURL, 'POST', `/api/v1/namespaces/${ns}/pods/p-${i}/binding`,
      { apiVersion: 'v1', kind: 'Binding', metadata: { name: `p-${i}` }, target: { apiVersion: 'v1', kind: 'Node', name: node(i) } }), 201)],
    ['POST events (Scheduled)', (i) => must(api(c.apiURL, 'POST', `/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: `p-${i}.${Date.now().toString(16)}${i}`, namespace: ns },
      eventTime: micro(), reportingController: 'default-scheduler', reportingInstance: 'default-scheduler-bench', action: 'Binding', reason: 'Scheduled',
      regarding: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: `p-${i}` }, note: `Successfully assigned ${ns}/p-${i} to ${node(i)}`, type: 'Normal',
    }), 201)],
    // What the controller manager's and the kubelet's recorders send (4 of the ~8 requests a pod costs in controllers-bench).
    ['POST events (core v1)', (i) => must(api(c.apiURL, 'POST', `/api/v1/namespaces/${ns}/events`, {
      apiVersion: 'v1', kind: 'Event', metadata: { name: `p-${i}.${Date.now().toString(16)}${i}c`, namespace: ns },
      involvedObject: { kind: 'Pod', namespace: ns, name: `p-${i}`, uid: `u-${i}`, apiVersion: 'v1', resourceVersion: '1' },
      reason: 'Started', message: 'Started container c', type: 'Normal', source: { component: 'kubelet', host: node(i) },
      firstTimestamp: new Date().toISOString().replace(/\.\d+Z/, 'Z'), lastTimestamp: new Date().toISOString().replace(/\.\d+Z/, 'Z'), count: 1,
      reportingComponent: 'kubelet', reportingInstance: node(i),
    }), 201)],
    ['PATCH pods/status', (i) => must(api(c.apiURL, 'PATCH', `/api/v1/namespaces/${ns}/pods/p-${i}/status`, {
      status: { phase: 'Running', podIP: `10.0.${i >> 8}.${i & 255}`, conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z') }] },
    }, 'application/strategic-merge-patch+json'), 200)],
    ['DELETE pods', (i) => must(api(c.apiURL, 'DELETE', `/api/v1/namespaces/${ns}/pods/p-${i}?gracePeriodSeconds=0`), 200)],
  ];
  console.log(`${PODS} pods, ${CONC} in flight, ${WATCHERS} pod watches on ${WATCH_FIELD}=node-i, store ${STORE}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`);
  for (const [name, fn] of phases) {
    const before = cpuOf(c.pids.apiserver);
    const t0 = performance.now();
    await inParallel(PODS, fn);
    const wall = performance.now() - t0;
    const ms = cpuOf(c.pids.apiserver) - before;
    console.log(`${name.padEnd(24)} ${(ms / PODS).toFixed(2)} ms API-server CPU each, ${(PODS / wall * 1000).toFixed(0)}/s`);
  }
  if (WATCHERS && WATCH_FIELD === 'spec.nodeName') {
    const got = watches.reduce((n, w) => n + w.events.length, 0);
    // Binding (ADDED), status and delete: three events for each pod on a watched node.
    const watched = Array.from({ length: PODS }, (_, i) => i % NODES < WATCHERS).filter(Boolean).length;
    console.log(`events delivered to the pinned watches: ${got} of ${3 * watched}`);
  }
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  for (const w of watches) w.close();
  await c.stop();
}
