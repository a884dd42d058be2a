// `tskube up` from nothing to a usable cluster: time until all nodes are Ready and the
// kube-system pods Running (what `up` waits for before it says "is up"), for a fresh data
// dir (PKI and all) and for a restart of the same cluster; then the cluster's memory at
// idle, per process and summed over every process (the `up` supervisor, kubelets, static
// pods): RSS, PSS (shared pages split between the processes sharing them, also with other
// Node processes on the machine) and USS + one copy of the shared pages (the node binary's
// text counted once: what the cluster would cost alone on a machine).
//   node dist/bench/up-bench.js [--nodes 3] [--runs 2] [--idle 15] [--tskube /path/to/dist/src/cli/main.js] [-- extra up flags]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterProcesses, stopCluster } from '../src/admin/up/processes.js';
import { freePort, sleep, stopUp, UpProcess } from '../test/e2e/up-harness.js';
import { upTimeline, type TimedLine } from './up-timeline.js';

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
const extra = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
const arg = (name: string, dflt: string) => {
  const i = own.indexOf(`--${name}`);
  return i >= 0 ? own[i + 1] : dflt;
};
const NODES = Number(arg('nodes', '3'));
const RUNS = Number(arg('runs', '2'));
const IDLE_S = Number(arg('idle', '15'));
const MAIN = path.resolve(arg('tskube', path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js')));

interface Mem { rss: number; pss: number; uss: number; shared: number }

/** KiB figures from /proc/PID/smaps_rollup. */
function memKiB(pid: number): Mem {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const f = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rss: f('Rss'), pss: f('Pss'), uss: f('Private_Clean') + f('Private_Dirty'), shared: f('Shared_Clean') + f('Shared_Dirty') };
  } catch {
    return { rss: 0, pss: 0, uss: 0, shared: 0 };
  }
}

function commandOf(pid: number): string {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = args.findIndex((a) => a.endsWith('main.js'));
    const sub = args[i + 1] ?? args[0];
    const node = args.find((a) => a.startsWith('--hostname-override='))?.split('=')[1];
    return node ? `${sub} ${node.replace(/^bench-/, '')}` : sub;
  } catch {
    return '?';
  }
}

const mib = (kib: number) => (kib / 1024).toFixed(0);
const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_S; // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

/** CPU each process of the cluster used until it was up: what the start costs on a shared machine. */
function startCpu(dir: string, upPid: number): string {
  const per = [upPid, ...clusterProcesses(dir).filter((p) => p !== upPid)].map((p) => ({ cmd: commandOf(p), s: cpuSeconds(p) }));
  return `${per.reduce((t, x) => t + x.s, 0).toFixed(2)} s: ${per.map((x) => `${x.cmd} ${x.s.toFixed(2)}`).join(', ')}`;
}

async function timedUp(dir: string, args: string[]): Promise<{ up: UpProcess; seconds: number; timeline: string; cpu: string }> {
  const t0 = performance.now();
  const wall0 = Date.now();
  const up = new UpProcess(spawn(process.execPath, [MAIN, 'up', '--data-dir', dir, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  const timed: TimedLine[] = [];
  let partial = '';
  up.child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) timed.push({ at: Date.now(), line });
  });
  await up.ready(600_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = startCpu(dir, up.child.pid!);
  await sleep(300); // the last progress line's listener and log writes
  const timeline = upTimeline(dir, 'bench', wall0, timed).map(([name, s]) => `${name} ${s.toFixed(2)}s`).join(', ');
  return { up, seconds, timeline, cpu };
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const load0 = os.loadavg()[0];
  for (let run = 1; run <= RUNS; run++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-up-bench-'));
    const args = ['--name', 'bench', '--apiserver-port', String(await freePort()), '--nodes', String(NODES), '--runtime', 'hollow', '--wait', '600', ...extra];
    try {
      process.stderr.write(`run ${run}: fresh cluster of ${NODES} nodes in ${dir} (${MAIN})\n`);
      const cold = await timedUp(dir, args);
      const phases = [...cold.up.output.matchAll(/✓ (API server ready|\d+\/\d+ nodes Ready|kube-system pods Running)[^(]*\(([\d.]+)s\)/g)].map((m) => `${m[1].replace(/\d+\/\d+ /, '')} ${m[2]}s`);
      rows.push([`run ${run} fresh`, `${cold.seconds.toFixed(1)} s`, phases.join(', ')]);
      rows.push([`run ${run} fresh critical path`, '', cold.timeline]);
      rows.push([`run ${run} fresh CPU until up`, '', cold.cpu]);
      process.stderr.write(`  ready in ${cold.seconds.toFixed(1)}s; idling ${IDLE_S}s for memory\n`);
      await sleep(IDLE_S * 1000);
      const pids = [cold.up.child.pid!, ...clusterProcesses(dir).filter((p) => p !== cold.up.child.pid)];
      const per = pids.map((p) => ({ cmd: commandOf(p), ...memKiB(p) }));
      const sum = (k: keyof Mem) => per.reduce((s, x) => s + x[k], 0);
      const alone = sum('uss') + Math.max(...per.map((x) => x.shared));
      rows.push([`run ${run} idle RSS`, `${mib(sum('rss'))} MiB`, `${per.length} processes: ${per.map((x) => `${x.cmd} ${mib(x.rss)}`).join(', ')}`]);
      rows.push([`run ${run} idle PSS`, `${mib(sum('pss'))} MiB`, per.map((x) => `${x.cmd} ${mib(x.pss)}`).join(', ')]);
      rows.push([`run ${run} idle USS+shared once`, `${mib(alone)} MiB`, `private ${mib(sum('uss'))} + shared ${mib(Math.max(...per.map((x) => x.shared)))}`]);
      await stopUp(cold.up, dir);
      const warm = await timedUp(dir, args);
      rows.push([`run ${run} restart`, `${warm.seconds.toFixed(1)} s`, 'same data dir: PKI kept, objects back']);
      rows.push([`run ${run} restart critical path`, '', warm.timeline]);
      rows.push([`run ${run} restart CPU until up`, '', warm.cpu]);
      await stopUp(warm.up, dir);
    } finally {
      if (clusterProcesses(dir).length) {
        process.stderr.write(`warning: processes left in ${dir}\n`);
        await stopCluster(dir, [], 2000);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const header = ['measurement', 'figure', 'detail'];
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] + 2) : c)).join('') + '\n');
  process.stdout.write(`(${os.cpus().length} CPUs, load average ${load0.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end; ${MAIN})\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
