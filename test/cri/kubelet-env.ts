// A one-node cluster with real containers, all inside a network namespace the test creates:
// `tskube etcd` and `tskube apiserver` on the namespace's loopback, Debian's docker-registry
// holding busybox (built from busybox-static) as docker.io's mirror, a containerd that
// tskube runs, and a real `tskube kubelet --container-runtime-endpoint unix://…`. The test
// drives it with the real kubectl (run in the namespace) and looks at containerd directly
// through its socket, which is a file and so reachable from outside the namespace.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { busyboxImage } from '../../src/images/busybox-image.js';
import { writeOciLayout } from '../../src/images/oci-image.js';
import { LocalRegistry } from '../../src/images/local-registry.js';
import { ContainerdProcess } from '../../src/kubelet/runtime/cri/containerd-process.js';
import { CriRuntime } from '../../src/kubelet/runtime/cri/cri-runtime.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(root, 'dist/src/cli/main.js');
export const TOKEN = 'cri-e2e-token-0123456789';

export interface KubeletHandle { child: ChildProcess; output(): string; stop(signal?: NodeJS.Signals): Promise<void> }

export interface CriCluster {
  dir: string;
  netns: string;
  registry: LocalRegistry;
  containerd: ContainerdProcess;
  runtime: CriRuntime;
  kubeconfig: string;
  kubeletRoot: string;
  podLogsDir: string;
  nodeName: string;
  kubelet: KubeletHandle;
  /** Runs argv inside the namespace. */
  inNetns(argv: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): Promise<string>;
  pod(name: string, ns?: string): Promise<Pod>;
  /** Starts `kubectl get pods -w` for one pod name; lines() is what jsonpath printed per update so far. */
  watchPod(name: string, jsonpath: string): { lines(): string[]; stop(): void };
  apply(obj: object): Promise<void>;
  startKubelet(extra?: string[]): Promise<KubeletHandle>;
  stop(): Promise<void>;
}

const nsArgv = (netns: string, argv: string[]) => ['nsenter', `--net=/run/netns/${netns}`, '--', ...argv];

export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', ms = 15_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(t);
}

function spawnWaiting(argv: string[], re: RegExp, what: string, ms = 30_000): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const output = () => text;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${what} did not start: ${text}`)); }, ms);
    const onData = (d: Buffer) => {
      text += d.toString();
      if (text.length > 2_000_000) text = text.slice(-1_000_000);
      const m = re.exec(text);
      if (m && timer) { clearTimeout(timer); resolve({ child, match: m, output }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${code}: ${text}`)); });
  });
}

export interface CriClusterOptions {
  /** Extra kubelet flags. */
  kubeletArgs?: string[];
  /** Hand the pod CIDR to the kubelet by flag (else the test sets node.spec.podCIDR, as nodeipam would). */
  podCIDRFlag?: boolean;
  /** Extra API server flags. */
  apiserverArgs?: string[];
}

export async function startCriCluster(o: CriClusterOptions = {}): Promise<CriCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-crik-'));
  const netns = `tskcri-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  execFileSync('ip', ['netns', 'add', netns]);
  const children: ChildProcess[] = [];
  let registry: LocalRegistry | undefined;
  let containerd: ContainerdProcess | undefined;
  let runtime: CriRuntime | undefined;
  let kubelet: KubeletHandle | undefined;
  const stop = async () => {
    await kubelet?.stop().catch(() => {});
    await runtime?.close().catch(() => {});
    await containerd?.stop().catch(() => {});
    for (const c of children.reverse()) await stopChild(c).catch(() => {});
    await registry?.stop().catch(() => {});
    try { execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' }); } catch { /* gone */ }
    removeCgroupTree(`/tskube-test-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    execFileSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    registry = await LocalRegistry.start({ dir: path.join(dir, 'registry'), netns });
    const layout = path.join(dir, 'busybox-oci');
    writeOciLayout(layout, [busyboxImage()]);
    await registry.push(layout, 'library/busybox:latest');
    // no podCIDR: containerd writes its CNI config when the kubelet calls UpdateRuntimeConfig
    containerd = await ContainerdProcess.start({
      dataDir: path.join(dir, 'containerd'), netns, ipMasq: false, bridge: `tskc${process.pid % 100000}`,
      registryMirrors: { 'docker.io': [registry.url] },
    });
    runtime = new CriRuntime(containerd.endpoint);

    const etcd = await spawnWaiting(nsArgv(netns, [process.execPath, MAIN, 'etcd', '--data-dir', path.join(dir, 'etcd'),
      '--listen-client-urls', 'http://127.0.0.1:0', '--advertise-client-urls', 'http://127.0.0.1:0']), /serving client requests on 127\.0\.0\.1:(\d+)/, 'tskube etcd');
    children.push(etcd.child);
    fs.writeFileSync(path.join(dir, 'tokens.csv'), `${TOKEN},cri-admin,uid-1,"system:masters"\n`);
    const api = await spawnWaiting(nsArgv(netns, [process.execPath, MAIN, 'apiserver', '--etcd-servers', `http://127.0.0.1:${etcd.match[1]}`,
      '--bind-address', '127.0.0.1', '--secure-port', '0', '--cert-dir', path.join(dir, 'certs'), '--token-auth-file', path.join(dir, 'tokens.csv'),
      '--service-cluster-ip-range', '10.96.0.0/24', ...(o.apiserverArgs ?? [])]), /serving securely on 127\.0\.0\.1:(\d+)/, 'apiserver');
    children.push(api.child);
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: cri', '  cluster:', `    server: https://127.0.0.1:${api.match[1]}`, '    insecure-skip-tls-verify: true',
      'users:', '- name: admin', '  user:', `    token: ${TOKEN}`,
      'contexts:', '- name: cri', '  context: {cluster: cri, user: admin, namespace: default}',
      'current-context: cri', '',
    ].join('\n'));

    const inNetns = (argv: string[], input?: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(nsArgv(netns, argv)[0], nsArgv(netns, argv).slice(1), { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: dir } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
      if (input !== undefined) child.stdin!.end(input);
    });
    const kubectl = (args: string[], input?: string) => inNetns(['/usr/bin/kubectl', '--kubeconfig', kubeconfig, ...args], input);
    const k = async (...args: string[]) => {
      const r = await kubectl(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    };
    const kubeletRoot = path.join(dir, 'kubelet');
    const podLogsDir = path.join(dir, 'pod-logs');
    const nodeName = `cri-node-${process.pid}`;
    const startKubelet = async (extra: string[] = []): Promise<KubeletHandle> => {
      const argv = nsArgv(netns, [process.execPath, MAIN, 'kubelet', '--kubeconfig', kubeconfig, '--hostname-override', nodeName,
        '--root-dir', kubeletRoot, '--pod-logs-dir', podLogsDir, '--container-runtime-endpoint', containerd!.endpoint,
        '--node-ip', '127.0.0.1', '--address', '127.0.0.1', '--port', '0', '--healthz-port', '0', '--read-only-port', '0',
        '--cluster-dns', '10.96.0.10', '--cluster-domain', 'cluster.local', '--cgroup-root', `/tskube-test-${process.pid}`,
        '--node-status-update-frequency', '1s',
        ...(o.podCIDRFlag ? ['--pod-cidr', '10.244.1.0/24'] : []), ...(o.kubeletArgs ?? []), ...(process.env.CRI_TEST_KUBELET_ARGS?.split(' ').filter(Boolean) ?? []), ...extra]);
      const s = await spawnWaiting(argv, /kubelet: started node/, 'kubelet', 60_000);
      const handle: KubeletHandle = { child: s.child, output: s.output, stop: (sig) => stopChild(s.child, sig) };
      kubelet = handle;
      return handle;
    };
    const cluster: CriCluster = {
      dir, netns, registry, containerd, runtime, kubeconfig, kubeletRoot, podLogsDir, nodeName,
      kubelet: await startKubelet(),
      inNetns, kubectl, k,
      pod: async (name, ns = 'default') => JSON.parse(await k('get', 'pod', '-n', ns, name, '-o', 'json')) as Pod,
      watchPod: (name, jsonpath) => {
        const argv = nsArgv(netns, ['/usr/bin/kubectl', '--kubeconfig', kubeconfig, 'get', 'pods', '--field-selector', `metadata.name=${name}`,
          '-w', '-o', `jsonpath=${jsonpath}{"\\n"}`]);
        const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, HOME: dir } });
        children.push(child);
        let text = '';
        child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
        return { lines: () => text.split('\n').filter(Boolean), stop: () => child.kill('SIGKILL') };
      },
      apply: async (obj) => {
        // a List's items as a stream of documents (kubectl's validation of kind List needs more OpenAPI than served)
        const o2 = obj as { kind?: string; items?: object[] };
        const text = o2.kind === 'List' ? o2.items!.map((i) => JSON.stringify(i)).join('\n') : JSON.stringify(obj);
        const r = await kubectl(['apply', '-f', '-'], text);
        if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
      },
      startKubelet: async (extra) => (cluster.kubelet = await startKubelet(extra)),
      stop,
    };
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Lists the cgroup dirs under `rel` (every hierarchy) that still exist. */
export function cgroupDirs(rel: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    out.push(d);
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  for (const h of ['', ...fs.readdirSync('/sys/fs/cgroup')]) walk(path.join('/sys/fs/cgroup', h, rel));
  return out;
}

function removeCgroupTree(rel: string): void {
  for (const d of cgroupDirs(rel).sort((a, b) => b.length - a.length)) {
    try { fs.rmdirSync(d); } catch { /* busy or gone */ }
  }
}

/** Polls `fn` until it returns a truthy value; fails with the last value seen. */
export async function eventually<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 60_000, everyMs = 300): Promise<NonNullable<T>> {
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
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A container's whole log (every attempt so far, or one) read from the node's pod log dir. */
export function podLog(c: CriCluster, pod: Pod, container: string, attempt?: number): string {
  const m = pod.metadata!;
  const dir = path.join(c.podLogsDir, `${m.namespace}_${m.name}_${m.uid}`, container);
  let files: string[] = [];
  try { files = fs.readdirSync(dir).filter((f) => /^\d+\.log$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b)); } catch { return ''; }
  if (attempt !== undefined) files = files.filter((f) => f === `${attempt}.log`);
  let out = '';
  for (const f of files) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const m2 = /^\S+ (stdout|stderr) ([PF]) (.*)$/.exec(line);
      if (m2) out += m2[3] + (m2[2] === 'F' ? '\n' : '');
    }
  }
  return out;
}
