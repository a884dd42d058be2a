// scheduler_perf-like run, end to end through our API server on real etcd: N nodes, then
// M pods created at once; reports pods scheduled per second, creation->binding latency
// percentiles, and the scheduler process's memory. Not part of `npm test`.
//   node dist/bench/scheduler-bench.js [--nodes 5000] [--pods 10000] [--concurrency 200] [--tskube-etcd] [--preload]
// --preload creates the pods before the scheduler starts, so the figure is the scheduler's
// own throughput (decide + bind through the API) rather than the API server's create rate.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../test/apiserver/harness.js';
import { api } from '../test/apiserver/api-request.js';
import { RestClient } from '../src/client/rest-client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const NODES = arg('nodes', 5000);
const PODS = arg('pods', 10000);
const CONCURRENCY = arg('concurrency', 200);
const PRELOAD = process.argv.includes('--preload');
const STORE = process.argv.includes('--tskube-etcd') ? 'tskube' as const : 'etcd' as const;

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]); }));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const c = await startCluster({ store: STORE, apiserverArgs: ['--max-requests-inflight', '2000'] });
  const client = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 0 });
  let sched: ReturnType<typeof spawn> | undefined;
  try {
    let t = performance.now();
    const nodes = Array.from({ length: NODES }, (_, i) => `node-${i}`);
    await pool(nodes, CONCURRENCY, async (name) => {
      const cap = { cpu: '32', memory: '64Gi', pods: '110' };
      const zone = `zone-${Number(name.slice(5)) % 10}`;
      const created: any = await client.create({ group: '', version: 'v1', resource: 'nodes' }, {
        apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } },
      });
      await client.update({ group: '', version: 'v1', resource: 'nodes', name, subresource: 'status' }, { ...created, status: { capacity: cap, allocatable: cap, conditions: [{ type: 'Ready', status: 'True' }] } });
    });
    console.log(`${NODES} nodes created in ${((performance.now() - t) / 1000).toFixed(1)}s`);

    const startScheduler = async (): Promise<number> => {
      sched = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'scheduler', '--kubeconfig', c.kubeconfig, '--leader-elect=false',
        '--bind-address', '127.0.0.1', '--secure-port', '0', '--kube-api-qps', '5000', '--kube-api-burst', '5000',
        '--authentication-kubeconfig', c.kubeconfig, '--authorization-kubeconfig', c.kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
      let out = '';
      return new Promise<number>((resolve, reject) => {
        sched!.stderr!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /caches synced/.test(out) && /on https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        sched!.once('exit', (code) => reject(new Error(`scheduler exited ${code}: ${out}`)));
      });
    };
    let port = PRELOAD ? 0 : await startScheduler();
    // Watch bindings from the start of pod creation.
    const created = new Map<string, number>();
    const bound = new Map<string, number>();
    const list: any = await client.list({ group: '', version: 'v1', resource: 'pods', namespace: 'bench' });
    const abort = new AbortController();
    let allBound: () => void = () => {};
    const done = new Promise<void>((r) => { allBound = r; });
    void (async () => {
      try {
        for await (const ev of client.watch<any>({ group: '', version: 'v1', resource: 'pods', namespace: 'bench' }, { resourceVersion: list.metadata.resourceVersion }, abort.signal)) {
          if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
          const p = ev.object;
          if (p.spec?.nodeName && !bound.has(p.metadata.name)) {
            bound.set(p.metadata.name, performance.now());
            if (bound.size === PODS) allBound();
          }
        }
      } catch { /* aborted */ }
    })();
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }).catch(() => {});

    t = performance.now();
    const names = Array.from({ length: PODS }, (_, i) => `pod-${i}`);
    await pool(names, CONCURRENCY, async (name) => {
      created.set(name, performance.now());
      await client.create({ group: '', version: 'v1', resource: 'pods', namespace: 'bench' }, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'bench', labels: { app: 'bench' } },
        spec: { containers: [{ name: 'c', image: 'registry.local/pause:3.9', resources: { requests: { cpu: '100m', memory: '100Mi' } } }] },
      });
    });
    const createSecs = (performance.now() - t) / 1000;
    if (PRELOAD) {
      port = await startScheduler();
      t = performance.now();
      for (const n of names) created.set(n, t);
    }
    await done;
    const total = (Math.max(...bound.values()) - t) / 1000;
    const lat = names.map((n) => bound.get(n)! - created.get(n)!).sort((a, b) => a - b);
    const metrics = String((await api(`https://127.0.0.1:${port}`, 'GET', '/metrics')).body);
    const rss = Number(/^process_resident_memory_bytes (\S+)/m.exec(metrics)?.[1] ?? 0);
    const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? 0);
    abort.abort();
    console.log(`${PODS} pods created in ${createSecs.toFixed(1)}s (${(PODS / createSecs).toFixed(0)}/s through the API server)`);
    console.log(`all bound ${total.toFixed(1)}s after ${PRELOAD ? 'the scheduler started' : 'the first create'}: ${(PODS / total).toFixed(0)} pods scheduled/s end to end`);
    console.log(`creation->binding latency ms: p50 ${pct(lat, 50).toFixed(0)}, p90 ${pct(lat, 90).toFixed(0)}, p99 ${pct(lat, 99).toFixed(0)}, max ${lat[lat.length - 1].toFixed(0)}`);
    console.log(`scheduler memory at ${NODES} nodes / ${PODS} pods: rss ${(rss / 2 ** 20).toFixed(0)} MiB, heap used ${(heap / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    if (sched && sched.exitCode === null) { const e = new Promise((r) => sched!.once('exit', r)); sched.kill('SIGTERM'); await e; }
    client.close();
    await c.stop();
  }
}

await main();
