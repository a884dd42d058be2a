// Starts a store (real etcd, or `tskube etcd`) and `tskube apiserver` on free loopback ports
// with a static token and a kubeconfig, runs the real kubectl against them, and stops
// everything at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TOKEN = 'e2e-token-0123456789';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); });
  });
}

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp, what: string, ms = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${text}`)), ms);
    child[stream]!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = re.exec(text);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${code}: ${text}`)); });
  });
}

export interface Cluster {
  store: StoreKind;
  dir: string;
  kubeconfig: string;
  apiURL: string;
  etcdURL: string;
  /** Process ids of the API server and of the store this harness started (benchmarks read /proc). */
  pids: { apiserver: number; store?: number };
  kubectl(args: string[], input?: string): { code: number; stdout: string; stderr: string };
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): string;
  stop(): Promise<void>;
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Which store the API server talks to: Debian's etcd 3.4 or `tskube etcd`. */
export type StoreKind = 'etcd' | 'tskube';
export const STORES: StoreKind[] = ['tskube', 'etcd'];

/** Starts the store on a free loopback port; returns its client URL. */
export async function startStore(kind: StoreKind, dir: string): Promise<{ child: ChildProcess; url: string }> {
  if (kind === 'tskube') {
    const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'etcd', '--data-dir', path.join(dir, 'etcd'),
      '--listen-client-urls', 'http://127.0.0.1:0', '--advertise-client-urls', 'http://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const m = await waitFor(child, 'stderr', /serving client requests on 127\.0\.0\.1:(\d+)/, 'tskube etcd');
      return { child, url: `http://127.0.0.1:${m[1]}` };
    } catch (err) { await stopChild(child); throw err; }
  }
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const child = spawn('/usr/bin/etcd', ['--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `default=http://127.0.0.1:${peer}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitFor(child, 'stderr', /ready to serve client requests/, 'etcd');
    return { child, url };
  } catch (err) { await stopChild(child); throw err; }
}

export interface ClusterOptions {
  store?: StoreKind;
  apiserverArgs?: string[];
  /** Use these etcd endpoints (a cluster the test runs, or another Cluster's etcdURL) instead of starting a store. */
  etcdServers?: string[];
  /** Extra environment for the API server process. */
  env?: Record<string, string>;
  /** Node flags for the API server process (--cpu-prof for a benchmark). */
  nodeArgs?: string[];
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-apiserver-'));
  const extraArgs = options.apiserverArgs ?? [];
  let etcd: ChildProcess | undefined;
  let api: ChildProcess | undefined;
  try {
    const store = options.etcdServers ? undefined : await startStore(options.store ?? 'tskube', dir);
    etcd = store?.child;
    const etcdURL = store?.url ?? options.etcdServers!.join(',');
    fs.writeFileSync(path.join(dir, 'tokens.csv'), `${TOKEN},e2e-admin,uid-1,"system:masters"\n`);
    api = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(root, 'dist/src/cli/main.js'), 'apiserver', '--etcd-servers', etcdURL, '--bind-address', '127.0.0.1',
      '--secure-port', '0', '--cert-dir', path.join(dir, 'certs'), '--token-auth-file', path.join(dir, 'tokens.csv'),
      '--service-cluster-ip-range', '10.96.0.0/24', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    // TSKUBE_APISERVER_LOG=FILE keeps the API server's log (debugging a test or a bench run).
    if (process.env.TSKUBE_APISERVER_LOG) api.stderr!.pipe(fs.createWriteStream(process.env.TSKUBE_APISERVER_LOG, { flags: 'a' }));
    const m = await waitFor(api, 'stderr', /serving securely on 127\.0\.0\.1:(\d+)/, 'apiserver');
    const apiURL = `https://127.0.0.1:${m[1]}`;
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: e2e', '  cluster:', `    server: ${apiURL}`, '    insecure-skip-tls-verify: true',
      'users:', '- name: admin', '  user:', `    token: ${TOKEN}`,
      'contexts:', '- name: e2e', '  context: {cluster: e2e, user: admin, namespace: default}',
      'current-context: e2e', '',
    ].join('\n'));
    const kubectl = (args: string[], input?: string) => {
      const r = spawnSync('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: dir } });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    const started = { etcd, api };
    return {
      store: options.store ?? 'tskube', dir, kubeconfig, apiURL, etcdURL, kubectl, pids: { apiserver: api.pid!, store: etcd?.pid },
      k: (...args: string[]) => {
        const r = kubectl(args);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
        return r.stdout;
      },
      async stop() {
        await stopChild(started.api);
        await stopChild(started.etcd);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopChild(api);
    await stopChild(etcd);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Writes a manifest into the cluster's temp dir and returns its path. */
export function manifest(c: Cluster, name: string, text: string): string {
  const file = path.join(c.dir, name);
  fs.writeFileSync(file, text);
  return file;
}
