// Controller-manager benchmark (not part of npm test): N Deployments × R replicas on real
// etcd + tskube apiserver + tskube scheduler + tskube controller-manager, and hollow nodes
// (one `tskube kubelet --hollow-nodes M` process) that run the pods. Prints the time until
// every pod exists and until every pod is Running, pods created per second, and the
// manager's CPU time and peak RSS.
//   node dist/bench/controllers-bench.js [--deployments 1000] [--replicas 10] [--nodes 100] [--qps 1000]
import fs from 'node:fs';
import path from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import { DEPLOYMENTS, NODES, PODS, SharedInformer } from '../src/client/index.js';
import { spawnKubelet } from '../test/kubelet/harness.js';
import { startEnv } from '../test/controllers/harness.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const deployments = arg('deployments', 1000);
const replicas = arg('replicas', 10);
const nodes = arg('nodes', Math.max(1, Math.ceil((deployments * replicas) / 200)));
const qps = arg('qps', 1000);
const total = deployments * replicas;

function procStats(pid: number): { cpuMs: number; rssMB: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime
  const rss = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs: (ticks * 1000) / 100, rssMB: rss ? Number(rss[1]) / 1024 : 0 };
}

const env = await startEnv();
const rootDir = path.join(env.c.dir, 'hollow');
fs.mkdirSync(rootDir);
const kubelet = await spawnKubelet(['--kubeconfig', env.c.kubeconfig, '--hollow-nodes', String(nodes), '--hostname-override', 'node', '--max-pods', '250'], rootDir);
try {
  for (;;) {
    const list = await env.client.resource(NODES).list('').catch(() => ({ items: [] as Node[] }));
    if (list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= nodes) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await env.startScheduler();
  const m = await env.startManager(['--leader-elect=false', '--controllers=deployment,replicaset', `--kube-api-qps=${qps}`, `--kube-api-burst=${qps * 2}`,
    '--concurrent-deployment-syncs=10', '--concurrent-replicaset-syncs=10']);
  const pid = m.child.pid!;
  const cpu0 = procStats(pid).cpuMs;
  const pods = new SharedInformer<Pod>(env.client, PODS, { log: () => {} });
  let created = 0; let running = 0; let tExist = 0; let tRunning = 0;
  const t0 = performance.now();
  const seen = new Set<string>(); const run = new Set<string>();
  const note = (p: Pod) => {
    const uid = p.metadata!.uid!;
    if (!seen.has(uid)) { seen.add(uid); created++; if (created === total) tExist = performance.now() - t0; }
    if (p.status?.phase === 'Running' && !run.has(uid)) { run.add(uid); running++; if (running === total) tRunning = performance.now() - t0; }
  };
  pods.addEventHandler({ onAdd: note, onUpdate: (_, p) => note(p) });
  pods.start();
  await pods.waitForSync();
  const dc = env.client.resource(DEPLOYMENTS);
  for (let i = 0; i < deployments; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, deployments - i) }, (_, j) => dc.create('default', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `bench-${i + j}` },
      spec: { replicas, selector: { matchLabels: { app: `bench-${i + j}` } }, template: { metadata: { labels: { app: `bench-${i + j}` } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    })));
  }
  const tSubmitted = performance.now() - t0;
  while (running < total) {
    await new Promise((r) => setTimeout(r, 1000));
    process.stderr.write(`\r${created}/${total} pods created, ${running} running   `);
  }
  process.stderr.write('\n');
  const s = procStats(pid);
  await pods.stop();
  console.log(`controller-manager bench: ${deployments} deployments × ${replicas} replicas = ${total} pods on ${nodes} hollow nodes`);
  console.log(`  deployments submitted in    ${(tSubmitted / 1000).toFixed(1)} s`);
  console.log(`  all pods exist after        ${(tExist / 1000).toFixed(1)} s  (${(total / (tExist / 1000)).toFixed(0)} pods created/s)`);
  console.log(`  all pods Running after      ${(tRunning / 1000).toFixed(1)} s`);
  console.log(`  manager CPU                 ${((s.cpuMs - cpu0) / 1000).toFixed(1)} s (${(((s.cpuMs - cpu0) / tRunning) * 100).toFixed(0)}% of one core)`);
  console.log(`  manager peak RSS            ${s.rssMB.toFixed(0)} MiB`);
} finally {
  await kubelet.stop();
  await env.stop();
}
