// Hollow-node density: one `tskube kubelet --hollow-nodes N` process against real etcd +
// tskube apiserver; reports the time until all N nodes are Ready, the process's RSS and the
// RSS per hollow node, idle and with P pods placed round-robin on the nodes. Not part of `npm test`.
//   node dist/bench/hollow-nodes-bench.js [--nodes 1000] [--pods 0] [--settle 15]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'kubernetes-types/core/v1.js';
import { startCluster } from '../test/apiserver/harness.js';
import { loadKubeconfig, NODES, PODS, RestClient } from '../src/client/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('nodes', 1000);
const P = arg('pods', 0);
const SETTLE = arg('settle', 15);

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const c = await startCluster({ store: 'etcd' });
const client = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 0 });
const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'kubelet', '--kubeconfig', c.kubeconfig, '--hollow-nodes', String(N),
  '--hostname-override', 'hollow', '--root-dir', path.join(c.dir, 'kubelet'), '--port', '0', '--healthz-port', '0', '--read-only-port', '0', '--address', '127.0.0.1', '--node-ip', '127.0.0.1'],
{ stdio: ['ignore', 'ignore', 'inherit'] });
try {
  const t0 = Date.now();
  for (;;) {
    // a slow API server (lists of 1,000 nodes on a busy machine) is retried, not fatal
    const list = await client.resource(NODES).list('').catch(() => ({ items: [] as Node[] }));
    const ready = list.items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
    if (ready >= N) break;
    if (child.exitCode !== null) throw new Error(`kubelet exited with ${child.exitCode}`);
    await sleep(500);
  }
  const readyS = (Date.now() - t0) / 1000;
  await sleep(SETTLE * 1000);
  const idle = rssMiB(child.pid!);
  console.log(`hollow nodes: ${N}; all Ready after ${readyS.toFixed(1)} s`);
  console.log(`kubelet RSS idle: ${idle.toFixed(0)} MiB (${((idle * 1024) / N).toFixed(1)} KiB per hollow node)`);
  if (P > 0) {
    const t1 = Date.now();
    let i = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (i < P) {
        const k = i++;
        await client.resource(PODS).create('default', {
          apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${k}` },
          spec: { nodeName: `hollow-${k % N}`, containers: [{ name: 'c', image: 'pause' }] },
        });
      }
    }));
    for (;;) {
      const list = await client.resource(PODS).list('default', { fieldSelector: 'status.phase=Running' }).catch(() => ({ items: [] }));
      if (list.items.length >= P) break;
      await sleep(500);
    }
    console.log(`${P} pods Running after ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    await sleep(SETTLE * 1000);
    const busy = rssMiB(child.pid!);
    console.log(`kubelet RSS with ${P} pods: ${busy.toFixed(0)} MiB (${((busy * 1024) / N).toFixed(1)} KiB per hollow node)`);
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  client.close();
  await c.stop();
}
