// Scheduler integration harness: real etcd + tskube apiserver (test/apiserver/harness),
// Node objects created through the API, and `tskube scheduler` processes started and
// stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Cluster, startCluster } from '../apiserver/harness.js';
import { RestClient } from '../../src/client/rest-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { api } from '../apiserver/api-request.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface SchedulerProc {
  child: ChildProcess;
  port: number;
  output(): string;
  get(pathAndQuery: string): Promise<{ status: number; body: string }>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface Env {
  c: Cluster;
  client: RestClient;
  schedulers: SchedulerProc[];
  startScheduler(args?: string[], configYaml?: string): Promise<SchedulerProc>;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

export async function startEnv(): Promise<Env> {
  const c = await startCluster({ store: 'etcd' });
  const client = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 0 });
  const schedulers: SchedulerProc[] = [];
  let n = 0;
  return {
    c, client, schedulers,
    async startScheduler(args = [], configYaml) {
      const extra = [...args];
      if (configYaml) {
        const f = path.join(c.dir, `sched-config-${n++}.yaml`);
        fs.writeFileSync(f, configYaml);
        extra.push('--config', f);
      }
      const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'scheduler', '--kubeconfig', c.kubeconfig,
        '--bind-address', '127.0.0.1', '--secure-port', '0',
        '--authentication-kubeconfig', c.kubeconfig, '--authorization-kubeconfig', c.kubeconfig, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`scheduler did not start: ${text}`)), 40_000);
        child.stderr!.on('data', (d: Buffer) => {
          text += d.toString();
          const m = /on https:\/\/127\.0\.0\.1:(\d+)/.exec(text);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`scheduler exited with ${code}: ${text}`)); });
      });
      const proc: SchedulerProc = {
        child, port, output: () => text,
        async get(p) {
          const res = await api(`https://127.0.0.1:${port}`, 'GET', p);
          return { status: res.status, body: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) };
        },
        stop: (signal) => stopChild(child, signal),
      };
      schedulers.push(proc);
      return proc;
    },
    async stop() {
      await Promise.all(schedulers.map((s) => s.stop()));
      client.close();
      await c.stop();
    },
  };
}

/** A Ready node with the given capacity (allocatable = capacity) and labels/taints. */
export function nodeObject(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: any[]; unschedulable?: boolean; images?: any[]; extra?: Record<string, string> } = {}) {
  const cap = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi', ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: cap, allocatable: cap, conditions: [{ type: 'Ready', status: 'True' }], images: o.images },
  };
}

/** Creates the node, then writes its status (create ignores status). */
export async function createNode(client: RestClient, node: ReturnType<typeof nodeObject>): Promise<void> {
  const nodes = { group: '', version: 'v1', resource: 'nodes' };
  const created: any = await client.create(nodes, node);
  await client.update({ ...nodes, name: node.metadata.name, subresource: 'status' }, { ...created, status: node.status });
}

export function podObject(name: string, o: { ns?: string; cpu?: string; memory?: string; labels?: Record<string, string>; spec?: Record<string, any> } = {}) {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: Object.keys(requests).length ? { requests } : undefined }], ...(o.spec ?? {}) },
  };
}

export const podsRef = (ns = 'default', name?: string) => ({ group: '', version: 'v1', resource: 'pods', namespace: ns, name });

export async function createPod(client: RestClient, pod: any): Promise<void> {
  await client.create(podsRef(pod.metadata.namespace), pod);
}

export async function getPod(client: RestClient, name: string, ns = 'default'): Promise<any> {
  return client.get(podsRef(ns, name));
}

/** Polls until fn returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) { last = err; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function waitBound(client: RestClient, name: string, ns = 'default', ms?: number): Promise<string> {
  return eventually(async () => (await getPod(client, name, ns)).spec?.nodeName as string | undefined, `pod ${ns}/${name} to be bound`, ms);
}

export async function events(client: RestClient, ns: string, podName: string): Promise<any[]> {
  const list: any = await client.list({ group: '', version: 'v1', resource: 'events', namespace: ns }, { fieldSelector: `involvedObject.name=${podName}` }).catch(async () =>
    client.list({ group: '', version: 'v1', resource: 'events', namespace: ns }));
  return (list.items ?? []).filter((e: any) => e.involvedObject?.name === podName);
}
