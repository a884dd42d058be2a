// Real etcd plus `tskube apiserver` on free loopback ports for the client library's tests,
// with a kubeconfig for them and the ability to restart the API server on the same port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TOKEN = 'client-test-token-0123456789';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); });
  });
}

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp, what: string, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString();
      if (re.test(text)) { cleanup(); resolve(); }
    };
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`${what} exited with ${code}: ${text}`)); };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`${what} did not start: ${text}`)); }, ms);
    const cleanup = () => { clearTimeout(timer); child[stream]!.off('data', onData); child.off('exit', onExit); child[stream]!.resume(); };
    child[stream]!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

export interface TestCluster {
  dir: string;
  kubeconfig: string;
  apiURL: string;
  etcdURL: string;
  /** Compacts etcd's history up to its current revision (with the real etcdctl). */
  compactEtcd(): void;
  /** A fresh client on the cluster's kubeconfig (high limits; tests are not about QPS). */
  client(extra?: { qps?: number; burst?: number }): RestClient;
  /** Kills the API server (SIGKILL: no goodbye to watchers) and starts it again on the same port. */
  restartApiServer(downMs?: number): Promise<void>;
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  /** A second API server process on the same etcd, for changes the first one's watchers must not see live. */
  secondApiServer(): Promise<{ client: RestClient; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-client-'));
  const children: { etcd?: ChildProcess; api?: ChildProcess; api2?: ChildProcess } = {};
  const clients: RestClient[] = [];
  const stop = async () => {
    for (const c of clients) c.close();
    await stopChild(children.api2);
    await stopChild(children.api);
    await stopChild(children.etcd);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [client, peer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdURL = `http://127.0.0.1:${client}`;
    children.etcd = spawn('/usr/bin/etcd', ['--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', etcdURL, '--advertise-client-urls', etcdURL,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `default=http://127.0.0.1:${peer}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitFor(children.etcd, 'stderr', /ready to serve client requests/, 'etcd');
    fs.writeFileSync(path.join(dir, 'tokens.csv'), `${TOKEN},client-admin,uid-1,"system:masters"\n`);
    const spawnApi = async (port: number, certs: string) => {
      const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'apiserver', '--etcd-servers', etcdURL, '--bind-address', '127.0.0.1',
        '--secure-port', String(port), '--cert-dir', path.join(dir, certs), '--token-auth-file', path.join(dir, 'tokens.csv'),
        '--service-cluster-ip-range', '10.96.0.0/24'], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await waitFor(child, 'stderr', /serving securely on 127\.0\.0\.1:\d+/, 'apiserver');
      } catch (err) {
        await stopChild(child, 'SIGKILL');
        throw err;
      }
      return child;
    };
    const startApi = async () => { children.api = await spawnApi(apiPort, 'certs'); };
    await startApi();
    const apiURL = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: t', '  cluster:', `    server: ${apiURL}`, '    insecure-skip-tls-verify: true',
      'users:', '- name: admin', '  user:', `    token: ${TOKEN}`,
      'contexts:', '- name: t', '  context: {cluster: t, user: admin, namespace: default}',
      'current-context: t', '',
    ].join('\n'));
    return {
      dir, kubeconfig, apiURL, etcdURL,
      compactEtcd() {
        const env = { ...process.env, ETCDCTL_API: '3' };
        const st = spawnSync('/usr/bin/etcdctl', ['--endpoints', etcdURL, 'endpoint', 'status', '-w', 'json'], { encoding: 'utf8', env });
        const rev = JSON.parse(st.stdout)[0].Status.header.revision;
        const r = spawnSync('/usr/bin/etcdctl', ['--endpoints', etcdURL, 'compact', String(rev)], { encoding: 'utf8', env });
        if (r.status !== 0) throw new Error(`etcdctl compact failed: ${r.stderr}`);
      },
      client(extra = {}) {
        const c = new RestClient({ ...loadKubeconfig(kubeconfig), qps: extra.qps ?? 1000, burst: extra.burst ?? 1000 });
        clients.push(c);
        return c;
      },
      stopApiServer: () => stopChild(children.api, 'SIGKILL'),
      startApiServer: startApi,
      async secondApiServer() {
        const port = await freePort();
        children.api2 = await spawnApi(port, 'certs2');
        const c2 = new RestClient({ ...loadKubeconfig(kubeconfig), server: `https://127.0.0.1:${port}`, qps: 1000, burst: 1000 });
        clients.push(c2);
        return { client: c2, stop: () => stopChild(children.api2) };
      },
      async restartApiServer(downMs = 300) {
        await stopChild(children.api, 'SIGKILL');
        await new Promise((r) => setTimeout(r, downMs));
        await startApi();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls `cond` every 20 ms until it holds; fails with `what` after `ms`. */
export async function eventually(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
