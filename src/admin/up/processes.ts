// The processes of one cluster: kubelets `tskube up` starts (each in its own process group)
// and the static pods those kubelets start (also in groups of their own). Every one of them
// carries TSKUBE_UP_DATA_DIR=<data dir> in its environment, so a stop — or a later `up`
// after a crash — can find and end them all from /proc, leaving no orphans.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export const MARKER_ENV = 'TSKUBE_UP_DATA_DIR';

export function spawnLogged(argv: string[], logFile: string, env: NodeJS.ProcessEnv): ChildProcess {
  const fd = fs.openSync(logFile, 'a');
  try {
    return spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], env });
  } finally {
    fs.closeSync(fd);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a process group, or the process alone when it leads none. */
export function signalTree(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try { process.kill(pid, sig); } catch { /* gone */ }
  }
}

/** Live processes whose environment carries the marker for this data dir (never this process). */
export function clusterProcesses(dataDir: string): number[] {
  const want = `${MARKER_ENV}=${dataDir}`;
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${e}/environ`, 'latin1').split('\0');
      if (!env.includes(want)) continue;
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'latin1');
      if (/\) Z /.test(stat)) continue; // a zombie waits for its parent, it is not running
      out.push(pid);
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitGone(pids: () => number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids();
  while (left.length && Date.now() < deadline) {
    await sleep(100);
    left = pids();
  }
  return left;
}

/**
 * Stops a cluster: kubelets first (so none restarts a static pod), then every other marked
 * process with SIGTERM, and SIGKILL for whatever is left after the grace period.
 */
export async function stopCluster(dataDir: string, kubeletPids: number[], graceMs = 10_000, log: (m: string) => void = () => {}): Promise<void> {
  for (const pid of kubeletPids) signalTree(pid, 'SIGTERM');
  let left = await waitGone(() => kubeletPids.filter(alive), Math.min(graceMs, 5000));
  for (const pid of left) signalTree(pid, 'SIGKILL');
  for (const pid of clusterProcesses(dataDir)) signalTree(pid, 'SIGTERM');
  left = await waitGone(() => clusterProcesses(dataDir), graceMs);
  if (left.length) log(`killing ${left.length} process(es) that did not stop in ${graceMs / 1000}s: ${left.join(' ')}`);
  for (const pid of left) signalTree(pid, 'SIGKILL');
  await waitGone(() => clusterProcesses(dataDir), 2000);
}
