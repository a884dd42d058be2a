// Builds and starts a kubelet process from its configuration: one kubelet on the host's
// runtime, or --hollow-nodes N hollow kubelets sharing one client, one pod watch and one
// HTTPS server. Returns a handle whose stop() ends every loop and server it started.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ClientConfig, type Logger, RestClient, stderrLogger } from '../client/index.js';
import type { KubeletConfig } from './config/kubelet-config.js';
import { Kubelet } from './kubelet.js';
import { defaultPodLogsDir } from './kubelet-paths.js';
import { hollowMachineInfo, hostMachineInfo } from './node/machine-info.js';
import { PodFeed } from './pods/pod-feed.js';
import './runtime/all-runtimes.js';
import { subnet } from './runtime/pod-ip-allocator.js';
import { loadRuntimes, newRuntime } from './runtime/runtime-registry.js';
import type { Runtime } from './runtime/runtime-service.js';
import { KubeletAuth } from './server/kubelet-auth.js';
import { type PodTarget, startKubeletServer } from './server/kubelet-server.js';
import { kubeletServingCert } from './server/serving-cert.js';
import { renderConfigz } from './server/configz.js';
import { NODE_LOG_DIR } from './server/node-logs.js';
import { runningPods } from './pods/running-pods.js';
import { type ContainerUsage, renderResourceMetrics } from './stats/resource-metrics.js';
import { CpuRates, renderSummary } from './stats/summary.js';
import { collectUsage } from './stats/usage-collector.js';

/** Hollow node i gets the i-th /24 of this range unless its Node has a podCIDR (10.128/9 stays clear of 10.96/12). */
export const HOLLOW_POD_CIDR_BASE = '10.128.0.0/9';

export interface RunningKubelet {
  kubelets: Kubelet[];
  port: number;
  healthzPort: number;
  readOnlyPort: number;
  stop(): Promise<void>;
}

export function defaultNodeIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function runKubelet(config: KubeletConfig, clientConfig: ClientConfig | undefined, log: Logger = stderrLogger): Promise<RunningKubelet> {
  const hostname = (config.hostnameOverride || os.hostname()).toLowerCase();
  const nodeIP = config.nodeIP || defaultNodeIP();
  const hollow = config.hollowNodes > 0;
  if (hollow && !config.containerRuntimeEndpoint.startsWith('hollow:')) config.containerRuntimeEndpoint = 'hollow://';
  const client = clientConfig ? new RestClient({ ...clientConfig, userAgent: `kubelet/v1.32.0 (${os.platform()}/${os.arch()}) tskube`, qps: hollow ? 0 : clientConfig.qps ?? 50, burst: hollow ? 0 : clientConfig.burst ?? 100 }) : undefined;
  const feed = client ? new PodFeed(client, hollow ? undefined : hostname) : undefined;
  const ctx = { rootDir: config.rootDir, nodeIP, log };
  const runtimes: Runtime[] = [];
  const kubelets: Kubelet[] = [];
  const cert = await kubeletServingCert({
    certFile: config.tlsCertFile || undefined, keyFile: config.tlsPrivateKeyFile || undefined,
    certDir: config.certDir || path.join(config.rootDir, 'pki'), hostname, ips: [nodeIP, '127.0.0.1'],
  });
  // the sync loop's heartbeat (upstream's syncLoopMonitor): the pod workers are event driven,
  // so what can stall is this process's event loop, and /healthz/syncloop says when it did
  let lastBeat = Date.now();
  const beat = setInterval(() => { lastBeat = Date.now(); }, 1000);
  beat.unref();
  const syncLoopLimitMs = Math.max(2 * config.syncFrequencyMs, 5 * 60_000);
  const server = await startKubeletServer({
    rootDir: config.rootDir,
    podLogsDir: config.podLogsDir || defaultPodLogsDir(config.rootDir),
    pods: () => kubelets.flatMap((k) => k.pods.allPods()),
    metrics: () => metrics(kubelets),
    resourceMetrics: () => resourceMetrics(kubelets),
    summary: () => summary(kubelets),
    runningPods: async () => (await Promise.all(kubelets.map((k) => runningPods(k.o.runtime, k.o.nodeName,
      [...k.pods.workers.values()].map((w) => w.podSandboxId).filter((x): x is string => !!x))))).flat(),
    configz: () => renderConfigz(config),
    syncLoopError: () => (Date.now() - lastBeat > syncLoopLimitMs ? 'sync Loop took longer than expected' : undefined),
    nodeLogDir: config.nodeLogDir || NODE_LOG_DIR,
    findPod: (ns, name, uid) => findPod(kubelets, ns, name, uid),
    nodeName: () => kubelets[0]?.o.nodeName ?? hostname,
  }, {
    address: config.address, port: config.port, readOnlyPort: config.readOnlyPort, healthzAddress: config.healthzBindAddress, healthzPort: config.healthzPort, cert: cert.cert, key: cert.key,
    clientCA: readClientCA(config.clientCAFile), auth: kubeletAuth(config, client), log,
  });
  config.port = server.port;
  try {
    await loadRuntimes([config.containerRuntimeEndpoint, config.staticPodRuntimeEndpoint].filter(Boolean));
    const count = hollow ? config.hollowNodes : 1;
    for (let i = 0; i < count; i++) {
      const runtime = newRuntime(config.containerRuntimeEndpoint, ctx);
      runtimes.push(runtime);
      const v = await runtime.version().catch((err: Error) => {
        throw new Error(`container runtime ${config.containerRuntimeEndpoint} does not answer: ${err.message}`);
      });
      let staticRuntime: { runtime: Runtime; name: string } | undefined;
      if (config.staticPodRuntimeEndpoint && config.staticPodRuntimeEndpoint !== config.containerRuntimeEndpoint) {
        const sr = newRuntime(config.staticPodRuntimeEndpoint, ctx);
        runtimes.push(sr);
        staticRuntime = { runtime: sr, name: (await sr.version()).runtimeName };
      }
      const nodeName = hollow ? `${hostname}-${i}` : hostname;
      const podCIDR = hollow ? (config.podCIDR ? subnet(config.podCIDR, 24, i) : subnet(HOLLOW_POD_CIDR_BASE, 24, i)) : config.podCIDR;
      kubelets.push(new Kubelet({
        config, nodeName, hostname: nodeName, nodeIP, // a simulated runtime gets the made-up machine: its pods' declared usage is measured against it
        machine: hollow || runtime.traits.simulated ? hollowMachineInfo(nodeName) : hostMachineInfo(config.rootDir),
        runtime, runtimeVersion: `${v.runtimeName}://${v.runtimeVersion}`, staticRuntime, client, feed, podCIDR,
        log: hollow && config.verbosity < 2 ? () => undefined : log,
      }));
    }
    for (const k of kubelets) await k.start();
    feed?.start();
  } catch (err) {
    clearInterval(beat);
    await server.close();
    await Promise.all(runtimes.map((r) => r.close()));
    client?.close();
    throw err;
  }
  log(`kubelet: started ${kubelets.length === 1 ? `node ${kubelets[0].o.nodeName}` : `${kubelets.length} hollow nodes ${hostname}-0…${hostname}-${kubelets.length - 1}`} with runtime ${config.containerRuntimeEndpoint}`);
  return {
    kubelets, port: server.port, healthzPort: server.healthzPort, readOnlyPort: server.readOnlyPort,
    async stop() {
      clearInterval(beat);
      await Promise.all(kubelets.map((k) => k.stop()));
      await feed?.stop();
      await server.close();
      await Promise.all(runtimes.map((r) => r.close()));
      client?.close();
    },
  };
}

function readClientCA(file: string): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--client-ca-file ${file}: ${(err as Error).message}`);
  }
}

/** The HTTPS server's authenticator and authorizer; the webhooks go through the kubelet's own API client. */
function kubeletAuth(config: KubeletConfig, client: RestClient | undefined): KubeletAuth {
  if (!client && config.authenticationTokenWebhook) throw new Error('no API client (--kubeconfig): cannot use webhook authentication (--authentication-token-webhook)');
  if (!client && config.authorizationMode === 'Webhook') throw new Error('no API client (--kubeconfig): cannot use webhook authorization (--authorization-mode=Webhook)');
  return new KubeletAuth({
    anonymousAuth: config.anonymousAuth,
    tokenWebhook: config.authenticationTokenWebhook ? client : undefined,
    tokenCacheMs: config.authenticationTokenWebhookCacheTTLMs,
    authorizer: config.authorizationMode === 'Webhook' ? client : undefined,
  });
}

/** A pod this process runs by namespace and name (and UID when given), for the streaming endpoints. */
function findPod(kubelets: Kubelet[], ns: string, name: string, uid?: string): PodTarget | undefined {
  for (const k of kubelets) {
    for (const w of k.pods.workers.values()) {
      const m = w.pod.metadata;
      if (m?.namespace !== ns || m?.name !== name || (uid && m?.uid !== uid) || w.done) continue;
      return { pod: w.pod, nodeName: k.o.nodeName, runtime: k.o.runtime, containerId: (c) => w.containerId(c), sandboxId: () => w.podSandboxId };
    }
  }
  return undefined;
}

function metrics(kubelets: Kubelet[]): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, values: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, v] of values) lines.push(`${name}${labels} ${v}`);
  };
  gauge('kubelet_node_name', 'The node\'s name. The count is always 1.', kubelets.map((k) => [`{node="${k.o.nodeName}"}`, 1]));
  gauge('kubelet_running_pods', 'Number of pods that have a running pod sandbox', kubelets.map((k) => [`{node="${k.o.nodeName}"}`, k.pods.activePods().length]));
  gauge('kubelet_running_containers', 'Number of containers currently running', kubelets.map((k) => [`{node="${k.o.nodeName}",container_state="running"}`,
    k.pods.allPods().reduce((n, p) => n + (p.status?.containerStatuses ?? []).filter((c) => c.state?.running).length, 0)]));
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [['', process.memoryUsage().rss]]);
  return `${lines.join('\n')}\n`;
}

/** /metrics/resource: the node and every running container whose runtime measures it. */
async function resourceMetrics(kubelets: Kubelet[]): Promise<string> {
  const containers: ContainerUsage[] = [];
  let failed = false;
  let node;
  for (const snap of await collectUsage(kubelets)) {
    failed ||= snap.failed;
    node = snap.node ?? node;
    for (const p of snap.pods) {
      for (const c of p.containers) containers.push({ ...c.usage, namespace: p.namespace, pod: p.name, container: c.name, startedAt: c.startedAt });
    }
  }
  return renderResourceMetrics(node, containers, failed);
}

const summaryRates = new CpuRates();

/** /stats/summary of the first real node this process runs (hollow nodes measure nothing). */
async function summary(kubelets: Kubelet[]): Promise<object> {
  const snaps = await collectUsage(kubelets);
  return renderSummary(snaps[0] ?? { nodeName: kubelets[0]?.o.nodeName ?? '', pods: [], failed: false }, summaryRates);
}
