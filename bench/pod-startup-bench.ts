// Pod startup latency with real containers: a `tskube kubelet` on a containerd that tskube
// runs, against real etcd + `tskube apiserver`, everything inside a network namespace the
// bench creates (it re-runs itself there). With busybox already on the node it measures,
// for --pods N pods (default 50), the time from the create request to the watch event that
// shows the pod Running — one pod at a time, then all N at once — as p50/p90/p99/max, and
// the kubelet's CPU and RSS while it runs N pods (and containerd's, for scale). The peer is
// the same containerd driven as `crictl runp` + `create` + `start` do (RunPodSandbox,
// CreateContainer, StartContainer with crictl's minimal configs, straight over CRI): the
// runtime's own floor, one at a time and N at once, from the first call to StartContainer's
// answer (crictl itself is not packaged in Debian 12).
//   flock /tmp/tskube-bench.lock node dist/bench/pod-startup-bench.js [--pods 50] [--steady 30]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type ClientConfig, NODES, PODS, RestClient, SharedInformerFactory } from '../src/client/index.js';
import { busyboxImage } from '../src/images/busybox-image.js';
import { LocalRegistry } from '../src/images/local-registry.js';
import { writeOciLayout } from '../src/images/oci-image.js';
import { ContainerdProcess } from '../src/kubelet/runtime/cri/containerd-process.js';
import { CriClient } from '../src/kubelet/runtime/cri/cri-client.js';

const self = fileURLToPath(import.meta.url);
const MAIN = path.resolve(path.dirname(self), '../src/cli/main.js');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('pods', 50);
const STEADY = arg('steady', 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

if (!process.env.TSKUBE_BENCH_NETNS) {
  // outside: make the namespace and run this file again inside it
  const netns = `tskbench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', netns]);
  let code = 1;
  try {
    execFileSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, self, ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, TSKUBE_BENCH_NETNS: netns } });
    code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? 1)));
  } finally {
    try { execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' }); } catch { /* gone */ }
  }
  process.exit(code);
}

function waitOutput(child: ChildProcess, re: RegExp, what: string, ms = 120_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`${what} did not start: ${text.slice(-2000)}`)), ms);
    const on = (d: Buffer) => {
      text += d.toString();
      const m = re.exec(text);
      if (m) { clearTimeout(t); resolve(m); }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (c) => { clearTimeout(t); reject(new Error(`${what} exited with ${c}: ${text.slice(-2000)}`)); });
  });
}

const cpuTicks = (pid: number): number => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
};
const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const TICKS = 100;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-podbench-'));
const children: ChildProcess[] = [];
let registry: LocalRegistry | undefined;
let containerd: ContainerdProcess | undefined;
const stopAll = async () => {
  for (const c of children.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }
  await containerd?.stop().catch(() => undefined);
  await registry?.stop().catch(() => undefined);
  try {
    for (const h of ['', ...fs.readdirSync('/sys/fs/cgroup')]) {
      const base = path.join('/sys/fs/cgroup', h, `tskube-bench-${process.pid}`);
      for (const d of ['kubepods/besteffort', 'kubepods/burstable', 'kubepods', '']) { try { fs.rmdirSync(path.join(base, d)); } catch { /* */ } }
    }
  } catch { /* */ }
  fs.rmSync(dir, { recursive: true, force: true });
};

try {
  log(`setting up in netns ${process.env.TSKUBE_BENCH_NETNS} (${dir})`);
  registry = await LocalRegistry.start({ dir: path.join(dir, 'registry') });
  writeOciLayout(path.join(dir, 'bb'), [busyboxImage()]);
  await registry.push(path.join(dir, 'bb'), 'library/busybox:latest');
  containerd = await ContainerdProcess.start({ dataDir: path.join(dir, 'containerd'), podCIDR: '10.244.1.0/24', ipMasq: false, bridge: 'tskbench0',
    registryMirrors: { 'docker.io': [registry.url] } });

  const etcd = spawn('/usr/bin/etcd', ['--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', 'http://127.0.0.1:2379', '--advertise-client-urls', 'http://127.0.0.1:2379',
    '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'default=http://127.0.0.1:2380'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(etcd);
  await waitOutput(etcd, /ready to serve client requests/, 'etcd');
  const token = 'bench-token-0123456789';
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${token},bench,uid-1,"system:masters"\n`);
  const api = spawn(process.execPath, [MAIN, 'apiserver', '--etcd-servers', 'http://127.0.0.1:2379', '--bind-address', '127.0.0.1', '--secure-port', '6443',
    '--cert-dir', path.join(dir, 'certs'), '--token-auth-file', path.join(dir, 'tokens.csv'), '--service-cluster-ip-range', '10.96.0.0/24'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(api);
  await waitOutput(api, /serving securely on 127\.0\.0\.1:6443/, 'apiserver');
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'b',
    clusters: [{ name: 'b', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'b', user: { token } }], contexts: [{ name: 'b', context: { cluster: 'b', user: 'b' } }],
  }));
  const kubelet = spawn(process.execPath, [MAIN, 'kubelet', '--kubeconfig', kubeconfig, '--hostname-override', 'bench-node', '--root-dir', path.join(dir, 'kubelet'),
    '--container-runtime-endpoint', containerd.endpoint, '--pod-cidr', '10.244.1.0/24', '--node-ip', '127.0.0.1', '--address', '127.0.0.1',
    '--port', '0', '--healthz-port', '0', '--read-only-port', '0', '--cgroup-root', `/tskube-bench-${process.pid}`, '--max-pods', String(N + 10), '-v', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(kubelet);
  // the kubelet's log, for when pods do not start (TSKUBE_BENCH_KUBELET_LOG keeps it)
  const kubeletLog = process.env.TSKUBE_BENCH_KUBELET_LOG ?? path.join(dir, 'kubelet.log');
  const logFile = fs.createWriteStream(kubeletLog);
  kubelet.stdout!.pipe(logFile);
  kubelet.stderr!.pipe(logFile);
  await waitOutput(kubelet, /kubelet: started node/, 'kubelet');

  const cfg: ClientConfig = { server: 'https://127.0.0.1:6443', token, insecureSkipTLSVerify: true, qps: 0, namespace: 'default' };
  const client = new RestClient(cfg);
  const runningAt = new Map<string, number>();
  const factory = new SharedInformerFactory(client);
  const seen = (p: Pod) => { if (p.status?.phase === 'Running' && !runningAt.has(p.metadata!.name!)) runningAt.set(p.metadata!.name!, Date.now()); };
  factory.forResource(PODS, { namespace: 'default' }).addEventHandler({ onAdd: seen, onUpdate: (_, p) => seen(p) });
  factory.start();
  await factory.waitForCacheSync();
  await waitNodeReady(client);

  const pod = (name: string): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName: 'bench-node', automountServiceAccountToken: false, terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
  });
  const waitRunning = async (names: string[], ms = 300_000) => {
    const deadline = Date.now() + ms;
    while (names.some((n) => !runningAt.has(n))) {
      if (Date.now() > deadline) {
        // say why: each late pod's phase and waiting reason as the API has them
        const late = names.filter((n) => !runningAt.has(n));
        const why = new Map<string, number>();
        for (const p of (await client.resource(PODS).list('default')).items) {
          if (!late.includes(p.metadata!.name!)) continue;
          const cs = p.status?.containerStatuses?.[0];
          const k = `${p.status?.phase}/${p.status?.reason ?? cs?.state?.waiting?.reason ?? '-'}`;
          why.set(k, (why.get(k) ?? 0) + 1);
        }
        throw new Error(`${late.length}/${names.length} not Running after ${ms / 1000}s (${[...why].map(([k, v]) => `${v} ${k}`).join(', ')}); kubelet log: ${kubeletLog}`);
      }
      await sleep(20);
    }
  };
  log('warm-up: pulls busybox once');
  await client.resource(PODS).create('default', pod('warmup'));
  await waitRunning(['warmup']);

  log(`${N} pods one at a time`);
  const serial: number[] = [];
  const sentAt = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const name = `seq-${i}`;
    const t0 = Date.now();
    sentAt.set(name, t0);
    await client.resource(PODS).create('default', pod(name));
    await waitRunning([name]);
    serial.push(runningAt.get(name)! - t0);
  }
  log('deleting them');
  await Promise.all(Array.from({ length: N }, (_, i) => client.resource(PODS).delete('default', `seq-${i}`, { gracePeriodSeconds: 0 }).catch(() => undefined)));
  for (let i = 0; i < 600; i++) {
    const left = (await client.resource(PODS).list('default')).items.filter((p) => p.metadata!.name!.startsWith('seq-')).length;
    if (!left) break;
    await sleep(500);
  }
  // a force-deleted pod is gone from the API at once, while the kubelet still tears it down:
  // wait until it runs only the warm-up pod, so the burst starts on the same node as the first phase
  const cri = new CriClient(containerd.endpoint);
  for (let i = 0; i < 1200; i++) {
    if ((await cri.listPodSandbox()).length <= 1) break;
    await sleep(250);
  }

  log(`${N} pods at once`);
  const t0cpu = cpuTicks(kubelet.pid!);
  const tBurst = Date.now();
  const sent = new Map<string, number>();
  await Promise.all(Array.from({ length: N }, async (_, i) => {
    const name = `burst-${i}`;
    sent.set(name, Date.now());
    sentAt.set(name, Date.now());
    await client.resource(PODS).create('default', pod(name));
  }));
  const burstNames = [...sent.keys()];
  await waitRunning(burstNames);
  const burstWall = Date.now() - tBurst;
  const burstCpu = ((cpuTicks(kubelet.pid!) - t0cpu) / TICKS) * 1000 / burstWall;
  const burst = burstNames.map((n) => runningAt.get(n)! - sent.get(n)!);

  log(`steady state with ${N + 1} pods for ${STEADY}s`);
  await sleep(5000);
  const c0 = cpuTicks(kubelet.pid!);
  const d0 = cpuTicks(containerd.pid!);
  const s0 = Date.now();
  await sleep(STEADY * 1000);
  const secs = (Date.now() - s0) / 1000;
  const kubeletCpu = ((cpuTicks(kubelet.pid!) - c0) / TICKS) / secs;
  const containerdCpu = ((cpuTicks(containerd.pid!) - d0) / TICKS) / secs;
  const kubeletRss = rssMiB(kubelet.pid!);
  const containerdRss = rssMiB(containerd.pid!);

  log(`peer: the same containerd driven as crictl runp/create/start, ${N} one at a time then ${N} at once`);
  const peerSerial: number[] = [];
  const peerIds: string[] = [];
  const crictlPod = async (name: string): Promise<number> => {
    // crictl's sandbox-config.json and container-config.json, as its docs show them
    const t0 = Date.now();
    const uid = `peer-${name}-${process.pid}`;
    const sandbox = { metadata: { name, namespace: 'peer', uid, attempt: 0 }, logDirectory: path.join(dir, 'peer-logs', uid), linux: {} };
    fs.mkdirSync(sandbox.logDirectory, { recursive: true }); // crictl users make it, as the kubelet does
    const sb = await cri.runPodSandbox(sandbox);
    const id = await cri.createContainer(sb, { metadata: { name: 'main', attempt: 0 }, image: { image: 'docker.io/library/busybox:latest' }, command: ['sleep', '3600'], logPath: 'main.log', linux: {} }, sandbox);
    await cri.startContainer(id);
    peerIds.push(sb);
    return Date.now() - t0;
  };
  for (let i = 0; i < N; i++) peerSerial.push(await crictlPod(`seq-${i}`));
  const removePeer = async () => {
    await Promise.all(peerIds.splice(0).map(async (id) => { await cri.stopPodSandbox(id); await cri.removePodSandbox(id); }));
  };
  await removePeer();
  const tPeer = Date.now();
  const peerBurst = await Promise.all(Array.from({ length: N }, (_, i) => crictlPod(`burst-${i}`)));
  const peerWall = Date.now() - tPeer;
  await removePeer();
  cri.close();

  const row = (label: string, xs: number[]) => `${label.padEnd(22)} p50 ${fmt(quantile(xs, 0.5))}  p90 ${fmt(quantile(xs, 0.9))}  p99 ${fmt(quantile(xs, 0.99))}  max ${fmt(Math.max(...xs))}`;
  console.log(`pod startup, image present, ${N} pods (creation → Running seen by a watch; goal p99 < 1 s, upstream SLO 5 s)`);
  console.log(row('one at a time', serial));
  console.log(row(`${N} at once`, burst));
  console.log(`${N} at once: all Running after ${fmt(burstWall)}; kubelet CPU during the burst ${(burstCpu * 100).toFixed(0)}% of a core`);
  console.log(row('peer one at a time', peerSerial));
  console.log(row(`peer ${N} at once`, peerBurst));
  console.log(`peer ${N} at once: all started after ${fmt(peerWall)}`);
  const ratio = (a: number[], b: number[], q: number) => (quantile(a, q) / quantile(b, q)).toFixed(2);
  console.log(`tskube/peer: one at a time p50 ${ratio(serial, peerSerial, 0.5)}x p99 ${ratio(serial, peerSerial, 0.99)}x; ${N} at once p50 ${ratio(burst, peerBurst, 0.5)}x p99 ${ratio(burst, peerBurst, 0.99)}x`);
  console.log(`steady, ${N + 1} pods running: kubelet CPU ${(kubeletCpu * 100).toFixed(1)}% of a core, RSS ${kubeletRss.toFixed(0)} MiB; containerd CPU ${(containerdCpu * 100).toFixed(1)}%, RSS ${containerdRss.toFixed(0)} MiB`);
  // where the time goes: the kubelet's own trace of each pod's first start (-v 2)
  const traces = parseTraces(fs.readFileSync(kubeletLog, 'utf8'));
  for (const [label, prefix] of [['one at a time', 'seq-'], [`${N} at once`, 'burst-']]) {
    const mine = [...traces].filter(([n]) => n.startsWith(prefix) && sentAt.has(n) && runningAt.has(n));
    if (!mine.length) continue;
    const col = (what: string, f: (n: string, t: Map<string, number>) => number | undefined) => {
      const xs = mine.map(([n, t]) => f(n, t)).filter((x): x is number => x !== undefined);
      return xs.length ? `${what} ${(quantile(xs, 0.5)).toFixed(0)}/${(quantile(xs, 0.99)).toFixed(0)}` : '';
    };
    console.log(`${label}, p50/p99 ms: ${[
      col('create→kubelet sees it', (n, t) => t.get('seenAt')! - sentAt.get(n)!),
      ...['volumes', 'sandbox', 'sandboxStatus', 'env', 'image', 'create', 'start', 'containerStatus', 'statusWrite'].map((k) => col(k, (_, t) => t.get(k))),
      col('kubelet total', (_, t) => t.get('kubeletDuration')),
      col('status written→watch', (n, t) => runningAt.get(n)! - t.get('runningWrittenAt')!),
    ].filter(Boolean).join(', ')}`);
  }
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
  await factory.shutdown();
  client.close();
} finally {
  await stopAll();
}

/** "observed pod startup duration pod=default/NAME k=v…" lines → NAME → field → number (ms). */
function parseTraces(text: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const m of text.matchAll(/observed pod startup duration pod=[^/\s]+\/(\S+) (.*)/g)) {
    out.set(m[1], new Map([...m[2].matchAll(/(\w+)=([\d.]+)/g)].map((f) => [f[1], Number(f[2])])));
  }
  return out;
}

async function waitNodeReady(client: RestClient): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const n = await client.resource(NODES).get('', 'bench-node').catch(() => undefined);
    if (n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    await sleep(200);
  }
  throw new Error('node not Ready');
}
