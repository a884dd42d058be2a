// Controller-manager integration harness: real etcd + tskube apiserver (test/apiserver/
// harness), `tskube controller-manager` (and, when asked, `tskube scheduler`) as child
// processes, and nodes: by default real `tskube kubelet` processes on the hollow runtime
// (one process per node, so a test can kill one node's kubelet), whose containers "run"
// until stopped or exit as their command says (`sh -c "exit 1"`, `sleep 2`). The older
// in-process FakeKubelet (startEnv({ fake: true })) remains for tests that pick each pod's
// outcome from the test itself.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { type Cluster, startCluster } from '../apiserver/harness.js';
import fs from 'node:fs';
import { LEASES, NODES, PODS, RestClient, SharedInformer, isNotFound, loadKubeconfig } from '../../src/client/index.js';
import { spawnKubelet, type KubeletProc } from '../kubelet/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Proc {
  child: ChildProcess;
  port: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

function startProc(args: string[], readyRe: RegExp, nodeArgs: string[] = []): Promise<Proc> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist/src/cli/main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  return new Promise<Proc>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start: ${text}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (process.env.TSKUBE_TEST_LOG) process.stderr.write(d);
      const m = readyRe.exec(text);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]), output: () => text, stop: (s) => stopChild(child, s) }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${args[0]} exited with ${code}: ${text}`)); });
  });
}

/** What a pod does once the fake kubelet starts it. */
export type PodOutcome = { run: true } | { stuck: true } | { exit: number; afterMs?: number; reason?: string };

/**
 * TEST HELPER, not a kubelet: heartbeats nodes (status + Lease) and drives pod status on
 * nodes it runs, so controllers can be tested before the real kubelet exists.
 */
export class FakeKubelet implements Nodes {
  readonly nodes = new Set<string>();
  private readonly informer: SharedInformer<Pod>;
  private timer?: NodeJS.Timeout;
  private ip = 0;
  private readonly handled = new Map<string, string>();
  outcome: (pod: Pod) => PodOutcome = () => ({ run: true });

  constructor(private readonly client: RestClient) {
    this.informer = new SharedInformer(client, PODS, { log: () => {} });
    const kick = (p: Pod) => { void this.handle(p).catch(() => {}); };
    this.informer.addEventHandler({ onAdd: kick, onUpdate: (_, p) => kick(p) });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
    this.timer = setInterval(() => { void this.heartbeat().catch(() => {}); for (const p of this.informer.lister.list()) void this.handle(p).catch(() => {}); }, 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.informer.stop();
  }

  /** Creates the Node through the API and starts running it. */
  async addNode(name: string, labels: Record<string, string> = {}, taints: Node['spec'] = {}): Promise<void> {
    await this.client.resource(NODES).create('', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: taints });
    this.nodes.add(name);
    await this.heartbeatNode(name);
  }

  /** The node's "kubelet" dies: no more heartbeats or pod updates. */
  kill(name: string): void { this.nodes.delete(name); }

  private async heartbeat(): Promise<void> {
    await Promise.all([...this.nodes].map((n) => this.heartbeatNode(n)));
  }

  private async heartbeatNode(name: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const cond = (type: string, status: string, reason: string) => ({ type, status, reason, message: reason, lastHeartbeatTime: now, lastTransitionTime: now });
    await this.client.resource(NODES).patch('', name, 'strategic', {
      status: {
        conditions: [cond('Ready', 'True', 'KubeletReady'), cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'), cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), cond('PIDPressure', 'False', 'KubeletHasSufficientPID')],
        capacity: { cpu: '8', memory: '16Gi', pods: '110' }, allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      },
    }, {}, 'status');
    const leases = this.client.resource(LEASES);
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') };
    try {
      const l = await leases.get('kube-node-lease', name);
      await leases.update('kube-node-lease', { ...l, spec: { ...l.spec, ...spec } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await leases.create('kube-node-lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec });
    }
  }

  private async handle(pod: Pod): Promise<void> {
    const node = pod.spec?.nodeName;
    if (!node || !this.nodes.has(node)) return;
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    const pods = this.client.resource(PODS);
    if (pod.metadata?.deletionTimestamp) {
      if (this.handled.get(key) === 'deleting') return;
      this.handled.set(key, 'deleting');
      await pods.delete(pod.metadata.namespace!, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch(() => {});
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const state = `${pod.metadata!.uid}`;
    if (this.handled.get(key) === state) return;
    this.handled.set(key, state);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ip = pod.status?.podIP ?? `10.244.${Math.floor(++this.ip / 250)}.${(this.ip % 250) + 1}`;
    const outcome = this.outcome(pod);
    if ('stuck' in outcome) return;
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const cond = (type: string, status: string) => ({ type, status, lastTransitionTime: now, lastProbeTime: null });
    await pods.patch(pod.metadata!.namespace!, pod.metadata!.name!, 'merge', {
      status: {
        phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '127.0.0.1', startTime: now,
        conditions: [cond('PodScheduled', 'True'), cond('Initialized', 'True'), cond('ContainersReady', 'True'), cond('Ready', 'True')],
        containerStatuses: names.map((name) => ({ name, ready: true, started: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: now } } })),
      },
    }, {}, 'status');
    if ('exit' in outcome) {
      await sleep(outcome.afterMs ?? 200);
      const end = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await pods.patch(pod.metadata!.namespace!, pod.metadata!.name!, 'merge', {
        status: {
          phase: outcome.exit === 0 ? 'Succeeded' : 'Failed',
          conditions: [cond('PodScheduled', 'True'), cond('Initialized', 'True'), cond('ContainersReady', 'False'), cond('Ready', 'False')],
          containerStatuses: names.map((name) => ({ name, ready: false, started: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: outcome.exit, reason: outcome.reason ?? (outcome.exit === 0 ? 'Completed' : 'Error'), startedAt: now, finishedAt: end } } })),
        },
      }, {}, 'status').catch(() => {});
    }
  }
}

/** The node side of the harness: hollow kubelets or the FakeKubelet. */
export interface Nodes {
  addNode(name: string, labels?: Record<string, string>, spec?: Node['spec']): Promise<void>;
  /** The node's kubelet dies: no more heartbeats or pod updates. */
  kill(name: string): void;
  outcome: (pod: Pod) => PodOutcome;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One `tskube kubelet --container-runtime-endpoint hollow://` process per node. */
export class HollowNodes implements Nodes {
  private readonly procs = new Map<string, KubeletProc>();
  private cidrs = 0;
  constructor(private readonly client: RestClient, private readonly kubeconfig: string, private readonly dir: string) {}

  set outcome(_: (pod: Pod) => PodOutcome) { throw new Error('hollow nodes run what the pod says: use commands (sh -c "exit 1") or probes instead'); }
  get outcome(): (pod: Pod) => PodOutcome { return () => ({ run: true }); }

  async start(): Promise<void> {}

  async addNode(name: string, labels: Record<string, string> = {}, spec: Node['spec'] = {}): Promise<void> {
    const rootDir = path.join(this.dir, `kubelet-${name}`);
    fs.mkdirSync(rootDir, { recursive: true });
    const args = ['--kubeconfig', this.kubeconfig, '--hostname-override', name, '--container-runtime-endpoint', 'hollow://', '--node-status-update-frequency', '2s',
      '--pod-cidr', `10.244.${this.cidrs++}.0/24`];
    if (Object.keys(labels).length) args.push('--node-labels', Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','));
    if (spec.taints?.length) args.push('--register-with-taints', spec.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(','));
    this.procs.set(name, await spawnKubelet(args, rootDir));
    await waitFor(`node ${name} Ready`, async () => (await this.client.resource(NODES).get('', name)).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  }

  kill(name: string): void { this.procs.get(name)?.child.kill('SIGKILL'); }

  async stop(): Promise<void> { await Promise.all([...this.procs.values()].map((p) => p.stop())); }
}

export interface Env {
  c: Cluster;
  client: RestClient;
  kubelet: Nodes;
  managers: Proc[];
  /** The real kubectl, run asynchronously: the harness's informers (and a FakeKubelet) live in this process and must keep running meanwhile. */
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** kubectl that must succeed; resolves with stdout. */
  k(...args: string[]): Promise<string>;
  startManager(args?: string[]): Promise<Proc>;
  startScheduler(args?: string[]): Promise<Proc>;
  stop(): Promise<void>;
}

/** nodeArgs: Node flags for the API server, manager and scheduler processes (a benchmark's --cpu-prof). */
export async function startEnv(opts: { fake?: boolean; apiserverArgs?: string[]; nodeArgs?: string[] } = {}): Promise<Env> {
  const c = await startCluster({ store: 'etcd', apiserverArgs: opts.apiserverArgs, nodeArgs: opts.nodeArgs });
  const client = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 0 });
  const kubelet: Nodes = opts.fake ? new FakeKubelet(client) : new HollowNodes(client, c.kubeconfig, c.dir);
  const procs: Proc[] = [];
  const managers: Proc[] = [];
  try {
    await kubelet.start();
  } catch (err) {
    client.close();
    await c.stop();
    throw err;
  }
  const kubectl = (args: string[], input?: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', c.kubeconfig, ...args], { env: { ...process.env, HOME: c.dir } });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const t = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
    child.stdin.end(input ?? '');
  });
  return {
    c, client, kubelet, managers, kubectl,
    async k(...args: string[]) {
      const r = await kubectl(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    async startManager(args = ['--leader-elect=false']) {
      const p = await startProc(['controller-manager', '--kubeconfig', c.kubeconfig, '--bind-address', '127.0.0.1', '--secure-port', '0', '--kube-api-qps', '200', '--kube-api-burst', '400',
        '--authentication-kubeconfig', c.kubeconfig, '--authorization-kubeconfig', c.kubeconfig, ...args],
        /on https:\/\/127\.0\.0\.1:(\d+)/, opts.nodeArgs);
      procs.push(p);
      managers.push(p);
      return p;
    },
    async startScheduler(args: string[] = []) {
      const p = await startProc(['scheduler', '--kubeconfig', c.kubeconfig, '--bind-address', '127.0.0.1', '--secure-port', '0', '--leader-elect=false', ...args], /on https:\/\/127\.0\.0\.1:(\d+)/, opts.nodeArgs);
      procs.push(p);
      return p;
    },
    async stop() {
      await Promise.all(procs.map((p) => p.stop()));
      await kubelet.stop();
      client.close();
      await c.stop();
    },
  };
}

/** Polls `fn` until it returns a truthy value (returned) or the time runs out. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, stepMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) { last = err; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(stepMs);
  }
}
