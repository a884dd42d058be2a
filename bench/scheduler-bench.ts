// scheduler_perf-like run (upstream's SchedulingBasic 5000Nodes_10000Pods), end to end
// through our API server: N nodes, then M pods created at once; reports pods scheduled per
// second, creation->binding latency percentiles, and memory. Not part of `npm test`.
//
//   node dist/bench/scheduler-bench.js [--mode one-process|processes] [--nodes 5000] [--pods 10000]
//        [--concurrency 100] [--qps 5000] [--preload] [--store tskube|etcd] [--profile DIR]
//
// --mode one-process (upstream's setup: store, API server and scheduler in the test
//   process) runs tskube etcd, tskube apiserver, tskube scheduler and the load generator in
//   this one Node process; memory is that process's RSS.
// --mode processes runs each component as its own process (real etcd by default,
//   --store tskube for tskube etcd) and reports each process's RSS.
// --preload creates the pods before the scheduler starts, so the figure is the scheduler's
//   own decide-and-bind throughput rather than the API server's create rate.
// --profile DIR writes V8 CPU profiles (.cpuprofile) there: of the API server and scheduler processes, or of
//   this whole process in one-process mode; summarize with bench/cpu-profile-summary.
import fs from 'node:fs';
import path from 'node:path';
import perfHooks from 'node:perf_hooks';
import { RestClient } from '../src/client/rest-client.js';
import type { ResourceRef } from '../src/client/resource-ref.js';
import { startOneProcess, startProcesses, type BenchEnv } from './scheduler-bench/environments.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const NODES = Number(arg('nodes', '5000'));
const PODS = Number(arg('pods', '10000'));
const CONCURRENCY = Number(arg('concurrency', '100'));
const QPS = Number(arg('qps', '5000'));
const MODE = arg('mode', 'one-process');
const STORE = arg('store', MODE === 'one-process' ? 'tskube' : 'etcd') as 'tskube' | 'etcd';
const PRELOAD = process.argv.includes('--preload');
const PROFILE = process.argv.includes('--profile') ? path.resolve(arg('profile', '')) : undefined;
if (MODE !== 'one-process' && MODE !== 'processes') throw new Error(`--mode: want one-process or processes, got ${MODE}`);

const NODES_REF: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const PODS_REF: ResourceRef = { group: '', version: 'v1', resource: 'pods', namespace: 'bench' };

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]); }));
}

/**
 * A create that survives an overloaded store: 5xx answers and timeouts are retried, and an
 * AlreadyExists on a retry means the first try got through.
 */
async function createRetrying(client: RestClient, ref: ResourceRef, obj: unknown, answer = true): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    try {
      // the pods' answers are not read: decoding each created pod was load-generator CPU for nothing
      return answer ? await client.create(ref, obj) : await client.writeOnly('POST', ref, obj);
    } catch (err) {
      const code = (err as { status?: { code?: number } }).status?.code ?? 0;
      if (attempt > 1 && code === 409) return answer ? client.get({ ...ref, name: (obj as any).metadata.name }) : undefined;
      if ((code >= 400 && code < 500 && code !== 429) || attempt >= 5) throw err;
      retries++;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}
let retries = 0;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function createNodes(client: RestClient): Promise<void> {
  const t = performance.now();
  const cap = { cpu: '32', memory: '64Gi', pods: '110' };
  await pool(Array.from({ length: NODES }, (_, i) => i), CONCURRENCY, async (i) => {
    const name = `node-${i}`;
    const created: any = await createRetrying(client, NODES_REF, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 10}` } },
    });
    await client.update({ ...NODES_REF, name, subresource: 'status' }, { ...created, status: { capacity: cap, allocatable: cap, conditions: [{ type: 'Ready', status: 'True' }] } });
  });
  console.log(`${NODES} nodes created in ${((performance.now() - t) / 1000).toFixed(1)}s`);
}

/**
 * Records when each bench pod is first seen bound, from one watch started before any pod
 * exists. It selects bound pods only (spec.nodeName!=, indexed by the API server's watch
 * cache): a pod's first event in it is its binding, and the load generator neither receives
 * nor decodes the pods' creations (half its watch traffic).
 */
function watchBindings(client: RestClient, rv: string) {
  const bound = new Map<string, number>();
  const abort = new AbortController();
  let allBound: () => void = () => {};
  const done = new Promise<void>((r) => { allBound = r; });
  void (async () => {
    try {
      for await (const ev of client.watch<any>(PODS_REF, { resourceVersion: rv, fieldSelector: 'spec.nodeName!=' }, abort.signal)) {
        if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
        const p = ev.object;
        if (p.spec?.nodeName && !bound.has(p.metadata.name)) {
          bound.set(p.metadata.name, performance.now());
          if (bound.size === PODS) allBound();
        }
      }
    } catch { /* aborted */ }
  })();
  return { bound, done, stop: () => abort.abort() };
}

async function main(): Promise<void> {
  const env: BenchEnv = MODE === 'one-process'
    ? await startOneProcess({ qps: QPS, profileDir: PROFILE })
    : await startProcesses({ store: STORE, qps: QPS, profileDir: PROFILE });
  const client = new RestClient({ ...env.clientConfig, qps: 0 });
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`mode ${MODE} (store ${MODE === 'one-process' ? 'tskube etcd in process' : STORE}), ${NODES} nodes, ${PODS} pods, ${CONCURRENCY} creates in flight, scheduler qps ${QPS}; load average ${load}; ${new Date().toISOString()}`);
  try {
    await createNodes(client);
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    if (!PRELOAD) await env.startScheduler();
    const list: any = await client.list(PODS_REF);
    const w = watchBindings(client, list.metadata.resourceVersion);
    const created = new Map<string, number>();
    let cpu0 = env.cpu();
    let elu0 = perfHooks.performance.eventLoopUtilization();
    let t = performance.now();
    const names = Array.from({ length: PODS }, (_, i) => `pod-${i}`);
    await pool(names, CONCURRENCY, async (name) => {
      created.set(name, performance.now());
      await createRetrying(client, PODS_REF, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'bench', labels: { app: 'bench' } },
        spec: { containers: [{ name: 'c', image: 'registry.local/pause:3.9', resources: { requests: { cpu: '100m', memory: '100Mi' } } }] },
      }, false);
    });
    const createSecs = (performance.now() - t) / 1000;
    if (PRELOAD) {
      await env.startScheduler();
      cpu0 = env.cpu();
      elu0 = perfHooks.performance.eventLoopUtilization();
      t = performance.now();
      for (const n of names) created.set(n, t);
    }
    await w.done;
    const cpu1 = env.cpu();
    const elu = perfHooks.performance.eventLoopUtilization(elu0).utilization;
    const total = (Math.max(...w.bound.values()) - t) / 1000;
    const lat = names.map((n) => w.bound.get(n)! - created.get(n)!).sort((a, b) => a - b);
    w.stop();
    const mem = await env.memory();
    console.log(`${PODS} pods created in ${createSecs.toFixed(1)}s (${(PODS / createSecs).toFixed(0)}/s through the API server${retries ? `; ${retries} creates retried after 5xx/timeouts` : ''})`);
    console.log(`all bound ${total.toFixed(1)}s after ${PRELOAD ? 'the scheduler started' : 'the first create'}: ${(PODS / total).toFixed(0)} pods scheduled/s end to end`);
    console.log(`creation->binding latency ms: p50 ${pct(lat, 50).toFixed(0)}, p90 ${pct(lat, 90).toFixed(0)}, p99 ${pct(lat, 99).toFixed(0)}, max ${lat[lat.length - 1].toFixed(0)}`);
    console.log(`memory at ${NODES} nodes / ${PODS} pods: ${Object.entries(mem).map(([k, v]) => `${k} ${mib(v)}`).join(', ')}`);
    const cpuLine = Object.entries(cpu1).map(([k, v]) => `${k} ${(v - (cpu0[k] ?? 0)).toFixed(1)} s (${((1000 * (v - (cpu0[k] ?? 0))) / PODS).toFixed(2)} ms/pod)`);
    console.log(`cpu from first create to last binding: ${cpuLine.join(', ')}`);
    // Whether the load generator held the run back: its event loop's busy share (in
    // one-process mode that loop is everyone's); near 1 would mean creates and the watch queued behind it.
    console.log(`load generator event loop ${(100 * elu).toFixed(0)} % busy from first create to last binding${MODE === 'one-process' ? ' (shared with etcd, apiserver and scheduler)' : ''}`);
    const s = await env.schedulerStats();
    if (s) console.log(`scheduler: ${s}`);
  } finally {
    client.close();
    await env.stop();
  }
}

await main();
