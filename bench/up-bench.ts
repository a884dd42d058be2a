// `tskube up` from nothing to a usable cluster: time until all nodes are Ready and the
// kube-system pods Running (what `up` waits for before it says "is up"), for a fresh data
// dir (PKI and all) and for a restart of the same cluster; then the cluster's total RSS at
// idle, summed over every process (the `up` supervisor, kubelets, static pods).
//   node dist/bench/up-bench.js [--nodes 3] [--runs 2] [--idle 15]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clusterProcesses } from '../src/admin/up/processes.js';
import { freePort, sleep, startUp, stopUp, type UpProcess } from '../test/e2e/up-harness.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const NODES = arg('nodes', 3);
const RUNS = arg('runs', 2);
const IDLE_S = arg('idle', 15);

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function commandOf(pid: number): string {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.findIndex((a) => a.endsWith('main.js'));
    const sub = argv[i + 1] ?? argv[0];
    const node = argv.find((a) => a.startsWith('--hostname-override='))?.split('=')[1];
    return node ? `${sub} ${node}` : sub === '/bin/sleep' ? 'sleep' : sub;
  } catch {
    return '?';
  }
}

async function timedUp(dir: string, args: string[]): Promise<{ up: UpProcess; seconds: number }> {
  const t0 = performance.now();
  const up = startUp(dir, args);
  await up.ready(600_000);
  return { up, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (let run = 1; run <= RUNS; run++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-up-bench-'));
    const args = ['--name', 'bench', '--apiserver-port', String(await freePort()), '--nodes', String(NODES), '--runtime', 'hollow', '--wait', '600'];
    try {
      process.stderr.write(`run ${run}: fresh cluster of ${NODES} nodes in ${dir}\n`);
      const cold = await timedUp(dir, args);
      const phases = [...cold.up.output.matchAll(/✓ (API server ready|\d+\/\d+ nodes Ready|kube-system pods Running)[^(]*\(([\d.]+)s\)/g)].map((m) => `${m[1].replace(/\d+\/\d+ /, '')} ${m[2]}s`);
      rows.push([`run ${run} fresh`, cold.seconds.toFixed(1), phases.join(', ')]);
      process.stderr.write(`  ready in ${cold.seconds.toFixed(1)}s; idling ${IDLE_S}s for RSS\n`);
      await sleep(IDLE_S * 1000);
      const pids = [cold.up.child.pid!, ...clusterProcesses(dir)];
      const per = pids.map((p) => [commandOf(p), rssKiB(p)] as const);
      const total = per.reduce((s, [, k]) => s + k, 0);
      rows.push([`run ${run} idle RSS`, `${(total / 1024).toFixed(0)} MiB`, per.map(([c, k]) => `${c} ${(k / 1024).toFixed(0)}`).join(', ')]);
      await stopUp(cold.up, dir);
      const warm = await timedUp(dir, args);
      rows.push([`run ${run} restart`, warm.seconds.toFixed(1), 'same data dir: PKI kept, objects back']);
      await stopUp(warm.up, dir);
    } finally {
      if (clusterProcesses(dir).length) process.stderr.write(`warning: processes left in ${dir}\n`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const header = ['measurement', 'seconds / MiB', 'detail'];
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] + 2) : c)).join('') + '\n');
  process.stdout.write(`(${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)} at the end)\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
