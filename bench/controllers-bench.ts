// Controller-manager benchmark (not part of npm test): N Deployments × R replicas on real
// etcd + tskube apiserver + tskube scheduler + tskube controller-manager, and hollow nodes
// (one `tskube kubelet --hollow-nodes M` process) that run the pods. Prints the time until
// every pod exists and until every pod is Running, pods created per second, and the
// CPU time of every process per pod (etcd, apiserver, scheduler, controller-manager, hollow
// kubelet, from /proc), the manager's peak RSS, and the API server's requests by verb and
// resource over the run (its /metrics): what each pod costs in writes.
//   node dist/bench/controllers-bench.js [--deployments 1000] [--replicas 10] [--nodes 100] [--qps 1000]
//        [--scheduler-qps 1000] [--workers 10] [--profile DIR]
// --qps / --scheduler-qps: the manager's and scheduler's --kube-api-qps (burst twice that), as
//   upstream's density tests raise them above the 20 / 50 defaults.
// --workers: the manager's --concurrent-deployment-syncs and --concurrent-replicaset-syncs.
// --profile DIR: V8 CPU profiles of every tskube process (node --cpu-prof; written when they exit), for
//   bench/cpu-profile-summary.
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
const schedulerQps = arg('scheduler-qps', 1000);
const workers = arg('workers', 10);
const total = deployments * replicas;
const profIdx = process.argv.indexOf('--profile');
const profDir = profIdx > 0 ? path.resolve(process.argv[profIdx + 1]) : undefined;
if (profDir) fs.mkdirSync(profDir, { recursive: true });
const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];

function procStats(pid: number): { cpuMs: number; rssMB: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime
  const rss = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs: (ticks * 1000) / 100, rssMB: rss ? Number(rss[1]) / 1024 : 0 };
}
/**
 * With --profile: SIGTERM the profiled processes and wait for them to exit, however long V8
 * takes to write a profile of minutes on a loaded machine (the harness's stop gives each 5 s,
 * then SIGKILL, which writes no profile).
 */
async function stopForProfiles(pids: number[]): Promise<void> {
  for (const pid of pids) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  const deadline = Date.now() + 180_000;
  const alive = (pid: number) => { try { return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
  while (Date.now() < deadline && pids.some(alive)) {
    await new Promise((r) => setTimeout(r, 500));
  }
}
let profiled: number[] = [];
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** apiserver_request_total summed by verb and resource/subresource (codes folded together). */
function requestCounts(k: (...args: string[]) => string): Map<string, number> {
  const text = k('get', '--raw', '/metrics');
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(line)?.[1] ?? '';
    if (label('verb') === 'WATCH') continue;
    const key = `${label('verb')} ${label('resource')}${label('subresource') ? `/${label('subresource')}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

const env = await startEnv({ nodeArgs });
const rootDir = path.join(env.c.dir, 'hollow');
fs.mkdirSync(rootDir);
const kubelet = await spawnKubelet(['--kubeconfig', env.c.kubeconfig, '--hollow-nodes', String(nodes), '--hostname-override', 'node', '--max-pods', '250'], rootDir, nodeArgs);
try {
  for (;;) {
    const list = await env.client.resource(NODES).list('').catch(() => ({ items: [] as Node[] }));
    if (list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= nodes) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const sched = await env.startScheduler([`--kube-api-qps=${schedulerQps}`, `--kube-api-burst=${schedulerQps * 2}`]);
  const m = await env.startManager(['--leader-elect=false', '--controllers=deployment,replicaset', `--kube-api-qps=${qps}`, `--kube-api-burst=${qps * 2}`,
    `--concurrent-deployment-syncs=${workers}`, `--concurrent-replicaset-syncs=${workers}`]);
  const pid = m.child.pid!;
  profiled = [pid, sched.child.pid!, kubelet.child.pid!, env.c.pids.apiserver];
  const pids: Record<string, number> = { etcd: env.c.pids.store!, apiserver: env.c.pids.apiserver, scheduler: sched.child.pid!, manager: pid, kubelet: kubelet.child.pid! };
  const cpuAll = () => Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, procStats(p).cpuMs]));
  const load0 = loadavg();
  const req0 = requestCounts(env.c.k);
  const all0 = cpuAll();
  const cpu0 = all0.manager;
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
  const all1 = cpuAll();
  const req1 = requestCounts(env.c.k);
  await pods.stop();
  console.log(`controller-manager bench: ${deployments} deployments × ${replicas} replicas = ${total} pods on ${nodes} hollow nodes`);
  console.log(`  deployments submitted in    ${(tSubmitted / 1000).toFixed(1)} s`);
  console.log(`  all pods exist after        ${(tExist / 1000).toFixed(1)} s  (${(total / (tExist / 1000)).toFixed(0)} pods created/s)`);
  console.log(`  all pods Running after      ${(tRunning / 1000).toFixed(1)} s`);
  console.log(`  manager CPU                 ${((s.cpuMs - cpu0) / 1000).toFixed(1)} s (${(((s.cpuMs - cpu0) / tRunning) * 100).toFixed(0)}% of one core)`);
  console.log(`  manager peak RSS            ${s.rssMB.toFixed(0)} MiB`);
  console.log(`  load average                ${load0} at start, ${loadavg()} at end (2 cores, shared)`);
  const cpuSum = Object.keys(pids).reduce((a, k) => a + all1[k] - all0[k], 0);
  console.log(`  CPU per pod (ms)            ${Object.keys(pids).map((k) => `${k} ${((all1[k] - all0[k]) / total).toFixed(2)}`).join(', ')}; total ${(cpuSum / total).toFixed(2)} (${((cpuSum / tRunning) * 100).toFixed(0)}% of one core)`);
  const perPod = [...req1].map(([k, v]) => [k, (v - (req0.get(k) ?? 0)) / total] as const).filter(([, v]) => v >= 0.01).sort((a, b) => b[1] - a[1]);
  console.log(`  API requests per pod        ${perPod.reduce((a, [, v]) => a + v, 0).toFixed(2)}: ${perPod.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
} finally {
  // the clients first, while the API server still answers (a kubelet or manager flushing
  // its events to a dead server retries until killed, and then writes no profile)
  if (profDir) { await stopForProfiles(profiled.filter((p) => p !== env.c.pids.apiserver)); await stopForProfiles([env.c.pids.apiserver]); }
  await kubelet.stop();
  await env.stop();
}
