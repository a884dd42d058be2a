// `tskube up` at run time: start the control-plane node's kubelet (host-process runtime,
// which runs the static pods) and the workers' kubelets, watch the cluster come up, and on
// stop end every process of the cluster (and, with real workers, their node network:
// node-network.ts). It never restarts a kubelet that dies: a killed
// kubelet is a node going NotReady, as on a real machine.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { knownArgs, overrideArgs, renderArgs, type Args } from '../manifests/component-args.js';
import { adminClient, markControlPlane, readyNodes, runningPods } from './admin-client.js';
import { clusterLayout, kubeletPkiDir, nodeDir, nodeKubeconfig, type ClusterLayout } from './cluster-layout.js';
import type { NodeState } from './cluster-state.js';
import { portIsFree } from './free-port.js';
import { prepareCluster } from './prepare-cluster.js';
import { alive, clusterProcesses, MARKER_ENV, spawnLogged, stopCluster } from './processes.js';
import { tskubeArgv } from './tskube-command.js';
import { addonInput, cleanupHostProxyRules, clusterDnsKubeletArgs, installAddons, type ProxyMode } from './addons.js';
import { tskubeVersion } from './prepare-cluster.js';
import type { ContainerdProcess } from '../../kubelet/runtime/cri/containerd-process.js';
import { createNodeNetwork, removeNodeNetwork } from './node-network.js';
import { PodRoutes } from './pod-routes.js';
import { loopbackPorts, relayHostEnd, relayWorkerArgv } from './loopback-relay.js';
import type net from 'node:net';
import { loadKubeconfig } from '../../client/kubeconfig.js';

export type RuntimeName = 'hollow' | 'containerd';

export interface UpOptions {
  name: string;
  dataDir?: string;
  apiserverPort?: number;
  nodes: number;
  runtime: RuntimeName;
  etcdServers?: string[];
  apiserverArgs: Args;
  controllerManagerArgs: Args;
  schedulerArgs: Args;
  kubeletArgs: Args;
  /** kube-proxy's mode (iptables by default; userspace when not root). */
  proxyMode?: ProxyMode;
  /** --registry-mirror HOST=URL[,URL] values (containerd runtime). */
  registryMirrors?: string[];
  /** k3s-style registries.yaml (containerd runtime). */
  registriesFile?: string;
  /** An existing CRI runtime for the node instead of a containerd that tskube runs (one node only). */
  containerRuntimeEndpoint?: string;
  verbose?: boolean;
  /** How long to wait for the cluster to be ready before giving up (ms). */
  timeoutMs?: number;
  out?: (line: string) => void;
  /** Aborting it while the cluster starts stops everything started so far. */
  signal?: AbortSignal;
}

export interface RunningCluster {
  layout: ClusterLayout;
  /** Resolves when the cluster is stopped (by stop() or a signal). */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

export const CONTROL_PLANE_ROLE = 'node-role.kubernetes.io/control-plane';
/** Set by `up` with the admin's credentials once the node registers, as kubeadm does. */
const CONTROL_PLANE_LABELS = { [CONTROL_PLANE_ROLE]: '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' };

/**
 * With containerd, the control-plane kubelet runs two runtimes: its static pods (etcd,
 * kube-apiserver, …) stay host processes — they are this very tskube install, not images,
 * and must run before any API server or pod network exists — while pods from the API run
 * in the node's containerd like on every other node (so a one-node cluster runs workloads).
 */
function kubeletArgs(l: ClusterLayout, n: NodeState, cri: CriModules | undefined, withWorkers: boolean, endpoint?: string, nodeIP = '127.0.0.1'): Args {
  return [
    ['kubeconfig', nodeKubeconfig(l, n.name, n.controlPlane)],
    ['hostname-override', n.name],
    ['root-dir', nodeDir(l, n.name)],
    ['container-runtime-endpoint', cri ? endpoint ?? cri.nodeEndpoint(l, n.name) : n.controlPlane ? 'host-process://' : 'hollow://'],
    ...(cri && n.controlPlane ? [['static-pod-runtime-endpoint', 'host-process://']] as Args : []),
    ...(cri ? [['cgroup-root', cri.nodeCgroupRoot(l, n.name)]] as Args : []),
    ...(n.controlPlane ? [['pod-manifest-path', l.manifestsDir]] as Args : []),
    ...(n.controlPlane && withWorkers ? [['register-with-taints', `${CONTROL_PLANE_ROLE}:NoSchedule`]] as Args : []),
    // on the node network: the node's own address, where the API server reaches the kubelet
    ['node-ip', nodeIP],
    ['address', nodeIP],
    ['port', String(n.kubeletPort)],
    ['healthz-port', String(n.healthzPort)],
    // kubeadm's KubeletConfiguration leaves the unauthenticated read-only port off
    ['read-only-port', '0'],
    // the HTTPS server as kubeadm configures it: the API server (and any user) needs a
    // certificate from the cluster CA or a token, and a SubjectAccessReview says yes
    ['client-ca-file', path.join(l.pkiDir, 'ca.crt')],
    ['anonymous-auth', 'false'],
    ['authentication-token-webhook', 'true'],
    ['authorization-mode', 'Webhook'],
    ['tls-cert-file', path.join(kubeletPkiDir(l, n.name), 'kubelet-serving.crt')],
    ['tls-private-key-file', path.join(kubeletPkiDir(l, n.name), 'kubelet-serving.key')],
  ].filter(([, v]) => v !== '') as Args;
}

/** V8 flags for every process of the cluster (through NODE_OPTIONS): memory over throughput, for a local cluster. */
export const CHILD_NODE_OPTIONS = '--max-semi-space-size=1';
/**
 * glibc malloc settings for every process of the cluster (bench/README.md, up-bench): two
 * arenas; a fixed 128 KiB mmap threshold (glibc raises it up to 32 MiB after each large free,
 * and what is then freed on the heap stays with the process), trimming the heap's top past
 * 128 KiB and no extra padding when it grows. Socket reads (64 KiB) stay below the threshold.
 */
export const CHILD_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
  MALLOC_TOP_PAD_: '0',
};

/**
 * What only `--runtime containerd` needs (the CRI client, grpc-js and protobufjs behind it),
 * loaded only then: a hollow cluster's `up` starts sooner and keeps less in memory.
 */
async function criModules() {
  const [runtime, external, prerequisites] = await Promise.all([import('./node-runtime.js'), import('./external-runtime.js'), import('./runtime-prerequisites.js')]);
  return { ...runtime, ...external, ...prerequisites };
}
type CriModules = Awaited<ReturnType<typeof criModules>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

export async function runCluster(o: UpOptions): Promise<RunningCluster> {
  const out = o.out ?? ((line: string) => process.stdout.write(line + '\n'));
  if (o.runtime !== 'hollow' && o.runtime !== 'containerd') throw new Error(`--runtime ${JSON.stringify(o.runtime)}: want hollow or containerd`);
  if (!Number.isInteger(o.nodes) || o.nodes < 1) throw new Error(`--nodes ${o.nodes}: want a whole number of nodes, at least 1 (the control plane)`);
  const cri = o.runtime === 'containerd' ? await criModules() : undefined;
  if (!cri && (o.registryMirrors?.length || o.registriesFile || o.containerRuntimeEndpoint)) {
    throw new Error('--registry-mirror, --registries-file and --container-runtime-endpoint need --runtime containerd');
  }
  if (o.containerRuntimeEndpoint && o.nodes > 1) {
    throw new Error(`--container-runtime-endpoint: one runtime serves one node, and --nodes is ${o.nodes}; leave it out and tskube runs a containerd per node`);
  }
  // everything about the runtime is checked before anything starts
  const registries = cri ? cri.resolveRegistries(o.registryMirrors ?? [], o.registriesFile) : undefined;
  if (cri && !o.containerRuntimeEndpoint) cri.checkContainerdPrerequisites();
  const l = clusterLayout(o.name, o.dataDir);
  const t0 = Date.now();

  if (fs.existsSync(l.pidFile)) {
    const pid = Number(fs.readFileSync(l.pidFile, 'utf8').trim());
    if (pid && pid !== process.pid && alive(pid)) throw new Error(`cluster "${o.name}" is already running (pid ${pid}, data dir ${l.dataDir}); stop it with \`tskube down --name ${o.name}\``);
  }
  out(`Creating cluster "${o.name}" in ${l.dataDir} …`);
  // real workers: each in a network namespace of its own, on one bridge (node-network.ts)
  const withNodeNetwork = !!cri && !o.containerRuntimeEndpoint && o.nodes > 1;
  const prepared = await prepareCluster(l, { ...o, out, nodeNetwork: withNodeNetwork });
  if (o.signal?.aborted) throw new Error('stopped while starting');
  const { state, network } = prepared;
  const netOf = (node: string) => network?.nodes.find((n) => n.name === node);
  fs.writeFileSync(l.pidFile, `${process.pid}\n`);
  fs.rmSync(l.readyFile, { force: true });

  // processes left behind by an `up` that was killed outright
  const strays = clusterProcesses(l.dataDir);
  if (strays.length) {
    out(`Stopping ${strays.length} process(es) left from an earlier run`);
    await stopCluster(l.dataDir, [], 5000);
  }
  if (!o.etcdServers?.length && !(await portIsFree(state.etcdClientPort))) throw new Error(`etcd's port 127.0.0.1:${state.etcdClientPort} is in use by another program`);
  if (!(await portIsFree(state.apiserverPort))) throw new Error(`--apiserver-port ${state.apiserverPort}: 127.0.0.1:${state.apiserverPort} is in use by another program (pick another with --apiserver-port on a new data dir)`);

  const known = prepared.flags.get('kubelet');
  const userKeep = new Set(o.kubeletArgs.map(([k]) => k));
  const kubelets = new Map<string, ChildProcess>();
  const runtimes = new Map<string, ContainerdProcess>();
  let stopping = false;
  const stopRuntimes = () => Promise.all([...runtimes].map(([node, proc]) => cri!.stopNodeRuntime(proc, l, node, out).catch((err) => out(`${node}: stopping containerd: ${(err as Error).message}`))));
  // after the runtimes: CNI DEL of their pods runs inside the nodes' namespaces
  const relays: { server: net.Server; children: ChildProcess[] }[] = [];
  const removeNetwork = () => {
    if (!network) return;
    for (const r of relays.splice(0)) {
      r.server.close();
      for (const c of r.children) c.kill('SIGKILL');
    }
    removeNodeNetwork(network);
    out(`Removed the node network (bridge ${network.bridge}, ${network.nodes.filter((n) => n.netns).length} node namespaces)`);
  };
  if (network) {
    createNodeNetwork(network);
    out(` ✓ Created the node network ${network.subnet} on bridge ${network.bridge}: ${network.nodes.map((n) => `${n.name} ${n.ip}${n.netns ? ` (netns ${n.netns})` : ''}`).join(', ')}`);
    // registry mirrors on the host's loopback, reached from the workers' containerd
    try {
      for (const port of loopbackPorts(registries?.mirrors ?? {})) {
        const sock = path.join(l.dataDir, `relay-${port}.sock`);
        const relay = { server: await relayHostEnd(sock, port), children: [] as ChildProcess[] };
        relays.push(relay);
        for (const n of network.nodes) {
          if (!n.netns) continue;
          const argv = ['nsenter', `--net=/run/netns/${n.netns}`, '--', ...relayWorkerArgv(port, sock)];
          relay.children.push(spawnLogged(argv, path.join(l.logsDir, `relay-${n.name}-${port}.log`), { ...process.env, [MARKER_ENV]: l.dataDir }));
        }
        out(` ✓ Relaying 127.0.0.1:${port} (a registry mirror) into the workers' namespaces`);
      }
    } catch (err) {
      removeNetwork();
      throw err;
    }
  }
  if (cri && !o.containerRuntimeEndpoint) {
    const results = await Promise.allSettled(state.nodes.map(async (n) => {
      const netns = netOf(n.name)?.netns;
      runtimes.set(n.name, await cri.startNodeRuntime(l, n.name, {
        mirrors: registries!.mirrors, configs: registries!.configs, netns,
        // in a node namespace, pods keep their addresses across nodes; its own rule masquerades what leaves the cluster
        masqueradeCIDR: netns ? undefined : state.clusterCIDR,
        log: o.verbose ? out : () => {},
      }));
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await stopRuntimes();
      removeNetwork();
      throw failed.reason;
    }
    const mirrors = Object.entries(registries!.mirrors).map(([h, e]) => `${h} → ${e.join(', ')}`).join('; ');
    out(` ✓ Started containerd for ${state.nodes.length} node${state.nodes.length > 1 ? 's' : ''} (${[...runtimes.values()][0].snapshotter} snapshotter${mirrors ? `, mirrors ${mirrors}` : ''})`);
  }
  if (cri && o.containerRuntimeEndpoint) {
    // someone else's runtime: still nothing is pulled from the internet for tskube's own images
    const imported = await cri.importImagesToExternalRuntime(o.containerRuntimeEndpoint, path.join(l.dataDir, 'images'), out);
    if (imported.length) out(` ✓ Imported ${imported.join(' and ')} into ${o.containerRuntimeEndpoint}`);
  }
  // Node's young generation may grow to 3 × 16 MiB per process and stays grown at idle; at
  // 1 MiB the cluster's own memory drops by ~55 MiB (bench/README.md, up-bench). The
  // control-plane kubelet hands NODE_OPTIONS on to its static pods; a user's own comes last and wins.
  // glibc keeps what a process freed in per-thread arenas and below a threshold that grows
  // with every large free: its settings take ~9 MiB off the cluster's memory at idle. A
  // user's own MALLOC_* variables win.
  const env = {
    ...CHILD_MALLOC_ENV, ...process.env, [MARKER_ENV]: l.dataDir, NODE_OPTIONS: [CHILD_NODE_OPTIONS, process.env.NODE_OPTIONS].filter(Boolean).join(' '),
  };
  for (const n of state.nodes) {
    const nn = netOf(n.name);
    const args = knownArgs(overrideArgs([...kubeletArgs(l, n, cri, state.nodes.length > 1, o.containerRuntimeEndpoint, nn?.ip), ...clusterDnsKubeletArgs(state)], o.kubeletArgs), known, userKeep, () => {});
    const log = path.join(l.logsDir, `kubelet-${n.name}.log`);
    // a worker's kubelet lives in its node's namespace (only the network: runc needs the host's /sys)
    const enter = nn?.netns ? ['nsenter', `--net=/run/netns/${nn.netns}`, '--'] : [];
    const child = spawnLogged([...enter, ...tskubeArgv(), 'kubelet', ...renderArgs(args, known)], log, env);
    kubelets.set(n.name, child);
    child.once('exit', (code, signal) => {
      if (!stopping) out(`kubelet of ${n.name} exited (${signal ?? `code ${code}`}); see ${log}`);
    });
  }
  const workers = state.nodes.length - 1;
  out(` ✓ Started the kubelet of ${state.nodes[0].name} (host-process runtime: etcd, kube-apiserver, kube-controller-manager, kube-scheduler as static pods${cri ? '; containerd for pods from the API' : ''})`);
  if (workers) out(` ✓ Started ${workers} worker kubelet${workers > 1 ? 's' : ''} (${o.runtime} runtime): ${state.nodes.slice(1).map((n) => n.name).join(', ')}`);

  // routes to every node's podCIDR, as node IPAM hands them out (from when the API server
  // answers: an informer started earlier would back off for long and log every refusal)
  const podRoutes = network ? new PodRoutes(network, o.verbose ? out : () => {}) : undefined;
  if (podRoutes) {
    void (async () => {
      const client = adminClient(l.adminConf);
      while (!stopping && !o.signal?.aborted) {
        if (await client.get('/readyz').then((r) => r.status === 200, () => false)) {
          if (!stopping) podRoutes.start(loadKubeconfig(l.adminConf));
          return;
        }
        await sleep(250);
      }
    })();
  }

  // the add-ons go in as soon as the API server takes them, while the nodes come up
  const addons = addonInput(state, { ...o, nodeNetwork: !!network }, tskubeVersion());
  const addonsApplied = installAddons(l, addons, out, Date.now() + (o.timeoutMs ?? 120_000), () => stopping || !!o.signal?.aborted, o.verbose ? out : undefined)
    .then(() => undefined, (err: Error) => err);

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => { resolveStopped = r; });
  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      fs.rmSync(l.readyFile, { force: true });
      await podRoutes?.stop(); // before the API server goes: its informer would complain
      await stopCluster(l.dataDir, [...kubelets.values()].map((c) => c.pid ?? 0).filter(Boolean), 10_000, out);
      await stopRuntimes();
      removeNetwork();
      await cleanupHostProxyRules(addons.proxyMode, out);
      try {
        if (Number(fs.readFileSync(l.pidFile, 'utf8').trim()) === process.pid) fs.rmSync(l.pidFile, { force: true });
      } catch { /* already gone */ }
      resolveStopped();
    })();
    return stopPromise;
  };

  try {
    await waitUntilReady(l, state.nodes.map((n) => n.name), !o.etcdServers?.length, o.timeoutMs ?? 120_000, out, t0, () => stopping || !!o.signal?.aborted);
    const addonError = await addonsApplied;
    if (addonError) throw addonError;
  } catch (err) {
    await stop();
    throw err;
  }
  fs.writeFileSync(l.readyFile, `${new Date().toISOString()}\n`);
  out('');
  out(`Cluster "${o.name}" is up (${secs(t0)}). To use it:`);
  out(`  export KUBECONFIG=${l.adminConf}`);
  out('  kubectl get nodes');
  out(`Logs are in ${l.logsDir}. Ctrl-C stops the cluster; \`tskube up --name ${o.name}\` brings it back.`);
  return { layout: l, stopped, stop };
}

async function waitUntilReady(l: ClusterLayout, nodes: string[], etcd: boolean, timeoutMs: number, out: (s: string) => void, t0: number, cancelled: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const cp = nodes[0];
  const pods = [...(etcd ? ['etcd'] : []), 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((p) => `${p}-${cp}`);
  const client = adminClient(l.adminConf);
  let phase = 0;
  let marked = false;
  let last = '';
  while (Date.now() < deadline) {
    if (cancelled()) throw new Error('stopped while starting');
    try {
      if (phase === 0) {
        const r = await client.get('/readyz');
        if (r.status === 200) { out(` ✓ API server ready (${secs(t0)})`); phase = 1; }
      }
      if (phase === 1) {
        if (!marked) marked = await markControlPlane(client, cp, CONTROL_PLANE_LABELS);
        const ready = await readyNodes(client);
        const n = nodes.filter((x) => ready.has(x)).length;
        if (n === nodes.length && marked) { out(` ✓ ${n}/${nodes.length} nodes Ready (${secs(t0)})`); phase = 2; } else last = `${n}/${nodes.length} nodes Ready`;
      }
      if (phase === 2) {
        const running = await runningPods(client, 'kube-system');
        const missing = pods.filter((p) => !running.has(p));
        if (!missing.length) { out(` ✓ kube-system pods Running: ${pods.join(', ')} (${secs(t0)})`); return; }
        last = `waiting for ${missing.join(', ')} to be Running`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(phase === 0 ? 100 : 250);
  }
  throw new Error(`the cluster was not ready after ${timeoutMs / 1000}s (${phase === 0 ? 'API server not ready' : last}); see the logs in ${l.logsDir} and ${path.join(l.nodesDir, nodes[0], 'logs')}`);
}
