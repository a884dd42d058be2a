// Kubelet integration harness: a store + tskube apiserver (test/apiserver/harness), and
// `tskube kubelet` processes started and stopped by the test, with a REST client and kubectl.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type Cluster, type ClusterOptions, startCluster } from '../apiserver/harness.js';
import { loadKubeconfig, PODS, RestClient } from '../../src/client/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface KubeletProc {
  child: ChildProcess;
  port: number;
  rootDir: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface Env {
  c: Cluster;
  client: RestClient;
  startKubelet(name: string, args?: string[]): Promise<KubeletProc>;
  stop(): Promise<void>;
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(t);
}

/** `tskube kubelet` on loopback; resolves once it serves (a minute allowed: a loaded machine starts node slowly). */
/** nodeArgs: Node flags for the process (a benchmark's --cpu-prof). */
export function spawnKubelet(args: string[], rootDir: string, nodeArgs: string[] = []): Promise<KubeletProc> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist/src/cli/main.js'), 'kubelet', '--root-dir', rootDir, '--port', '0', '--healthz-port', '0', '--read-only-port', '0',
    '--address', '127.0.0.1', '--node-ip', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`kubelet did not start: ${text}`)); }, 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /serving on https:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (m && /kubelet: started/.test(text)) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), rootDir, output: () => text, stop: (s) => stopChild(child, s) });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`kubelet exited with ${code}: ${text}`)); });
  });
}

export function startEnv(): Promise<Env> {
  return startEnvWith({});
}

export async function startEnvWith(options: ClusterOptions): Promise<Env> {
  const c = await startCluster(options);
  const client = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 0 });
  const kubelets: KubeletProc[] = [];
  return {
    c, client,
    async startKubelet(name, args = []) {
      const rootDir = path.join(c.dir, `kubelet-${name}`);
      fs.mkdirSync(rootDir, { recursive: true });
      const k = await spawnKubelet(['--kubeconfig', c.kubeconfig, '--hostname-override', name, ...args], rootDir);
      kubelets.push(k);
      return k;
    },
    async stop() {
      await Promise.all(kubelets.map((k) => k.stop()));
      client.close();
      await c.stop();
    },
  };
}

/** Polls `fn` until it returns a truthy value; fails with the last value seen. */
export async function eventually<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function podManifest(name: string, node: string, spec: Partial<NonNullable<Pod['spec']>>): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox' }], ...spec } as NonNullable<Pod['spec']>,
  };
}

export const getPod = (client: RestClient, name: string, ns = 'default'): Promise<Pod> => client.resource(PODS).get(ns, name);
