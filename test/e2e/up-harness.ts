// Runs `tskube up` as a user would (the built CLI, its own process group, a temp data dir,
// a free API server port) and drives the cluster with the real kubectl and admin.conf.
// Whatever happens, stop() leaves no process of the cluster behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clusterProcesses, stopCluster } from '../../src/admin/up/processes.js';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const run = promisify(execFile);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000, every = 500): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export class UpProcess {
  output = '';
  exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => { this.output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { this.output += d.toString(); });
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  async ready(ms = 300_000): Promise<void> {
    let code: number | null | undefined;
    void this.exited.then((c) => { code = c; });
    await waitFor('tskube up to report the cluster up', async () => {
      if (code !== undefined) throw new Error(`tskube up exited with ${code}:\n${this.output}`);
      return /Cluster "[^"]+" is up/.test(this.output);
    }, ms, 250).catch((err: Error) => { throw new Error(`${err.message}\n--- output:\n${this.output}`); });
  }
}

export function startUp(dataDir: string, args: string[]): UpProcess {
  const child = spawn(process.execPath, [main, 'up', '--data-dir', dataDir, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return new UpProcess(child);
}

/** SIGTERM to `up` (it stops its cluster); any straggler is then ended the hard way. */
export async function stopUp(up: UpProcess, dataDir: string, ms = 60_000): Promise<number | null> {
  if (up.child.exitCode === null && up.child.signalCode === null) {
    try { process.kill(up.child.pid!, 'SIGTERM'); } catch { /* gone */ }
  }
  const code = await Promise.race([up.exited, sleep(ms).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    try { process.kill(-up.child.pid!, 'SIGKILL'); } catch { /* gone */ }
  }
  if (clusterProcesses(dataDir).length) await stopCluster(dataDir, [], 2000);
  return code === 'timeout' ? null : code;
}

export async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
  return stdout;
}

export async function kubectlJSON<T = Record<string, unknown>>(kubeconfig: string, args: string[]): Promise<T> {
  return JSON.parse(await kubectl(kubeconfig, [...args, '-o', 'json'])) as T;
}

/** Pid of a live process whose command line contains every one of `parts`. */
export function findProcess(parts: string[]): number | undefined {
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((p) => cmd.includes(p)) && !/\) Z /.test(fs.readFileSync(`/proc/${e}/stat`, 'latin1'))) return Number(e);
    } catch { /* gone */ }
  }
  return undefined;
}
