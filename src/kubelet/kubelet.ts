// One node's kubelet: registers the Node and keeps its status and Lease, takes pods from
// the API (through a PodFeed) and from static manifests, runs them through the runtime with
// a PodWorker each, reports their status, and mirrors static pods into the API.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deletedObject, EventRecorder, type Logger, NODES, type RestClient, SharedInformerFactory } from '../client/index.js';
import type { KubeletConfig } from './config/kubelet-config.js';
import { ImageGC } from './images/image-gc.js';
import { ImageManager } from './images/image-manager.js';
import type { PodConfigOptions } from './runtime/cri/pod-cri-config.js';
import { defaultPodLogsDir } from './kubelet-paths.js';
import type { MachineInfo } from './node/machine-info.js';
import { NodeLease } from './node/node-lease.js';
import { nodeResources, NodeStatusManager } from './node/node-status.js';
import { qosClass } from '../api/defaults/pod-defaults.js';
import { EvictionManager } from './node/eviction-manager.js';
import { podUsage, simulatedObservations } from './node/pod-usage.js';
import { RuntimeHealth } from './node/runtime-health.js';
import { CrashBackoff } from './pods/crash-backoff.js';
import type { PodFeed } from './pods/pod-feed.js';
import { PodManager, type RuntimeSlot } from './pods/pod-manager.js';
import { ServiceLister } from './pods/service-lister.js';
import { StatusManager } from './pods/status-manager.js';
import type { Runtime } from './runtime/runtime-service.js';
import { MirrorPods } from './static/mirror-pods.js';
import { isMirrorPod } from './static/static-pod.js';
import { StaticPodSource } from './static/static-pod-source.js';

export interface KubeletOptions {
  config: KubeletConfig;
  nodeName: string;
  hostname: string;
  nodeIP: string;
  machine: MachineInfo;
  runtime: Runtime;
  runtimeVersion: string;
  /** Runs static pods when given (tskube up: host-process beside containerd); else `runtime` does. */
  staticRuntime?: { runtime: Runtime; name: string };
  /** Absent: standalone (static pods only). */
  client?: RestClient;
  feed?: PodFeed;
  podCIDR: string;
  log: Logger;
}

export class Kubelet {
  readonly pods: PodManager;
  readonly nodeStatus?: NodeStatusManager;
  readonly lease?: NodeLease;
  private readonly statuses: StatusManager;
  private readonly recorder?: EventRecorder;
  private staticSource?: StaticPodSource;
  private mirrors?: MirrorPods;
  private mirrorTimer?: NodeJS.Timeout;
  private nodeWatch?: SharedInformerFactory;
  private readonly abort = new AbortController();
  readonly runtimeHealth: RuntimeHealth;
  readonly images: ImageManager;
  readonly imageGC: ImageGC;
  readonly evictions: EvictionManager;
  private readonly podConfig: PodConfigOptions;
  /** Every Service, for containers' Service variables (none on a hollow node: its containers get no env). */
  private readonly services?: ServiceLister;
  registered = false;

  constructor(readonly o: KubeletOptions) {
    const { config, client, log } = o;
    this.statuses = new StatusManager(client, log);
    this.runtimeHealth = new RuntimeHealth(o.runtime, log);
    this.imageGC = new ImageGC({
      runtime: o.runtime, highThresholdPercent: config.imageGCHighThresholdPercent, lowThresholdPercent: config.imageGCLowThresholdPercent,
      minAgeMs: config.imageMinimumGCAgeMs, periodMs: config.imageGCPeriodMs, sandboxImage: config.podInfraContainerImage || undefined,
      log, warn: (reason, message) => this.nodeEvent('Warning', reason, message),
    });
    this.images = new ImageManager({ runtime: o.runtime, onUsed: (ref) => this.imageGC.markUsed(ref) });
    const simulated = o.runtime.traits.simulated;
    this.evictions = new EvictionManager({
      thresholds: config.evictionHard, soft: config.evictionSoft, softGracePeriodMs: config.evictionSoftGracePeriodMs,
      maxPodGracePeriodSeconds: config.evictionMaxPodGracePeriodSeconds,
      rootDir: config.rootDir, imageGC: o.runtime.imageFsInfo ? this.imageGC : undefined,
      transitionPeriodMs: config.evictionPressureTransitionPeriodMs, log,
      // a hollow node's signals come from its pods' declared usage, not from the host
      observe: simulated ? () => simulatedObservations(o.machine, this.pods.activePods()) : undefined,
      pods: () => podUsage(this.pods, { rootDir: config.rootDir, podLogsDir: config.podLogsDir || defaultPodLogsDir(config.rootDir) }),
      minimumReclaim: config.evictionMinimumReclaim,
      evict: (pod, message, grace, condition) => this.pods.workers.get(pod.metadata!.uid!)?.evict(message, grace, condition),
      event: (reason, message) => this.nodeEvent('Warning', reason, message),
      onChange: () => { void this.nodeStatus?.post().catch(() => undefined); },
    });
    if (client) {
      this.recorder = new EventRecorder(client, { component: 'kubelet', host: o.nodeName, log });
      this.nodeStatus = new NodeStatusManager(client, {
        nodeName: o.nodeName, hostname: o.hostname, nodeIP: o.nodeIP, machine: o.machine, maxPods: config.maxPods,
        labels: config.nodeLabels, taints: config.registerWithTaints, podCIDR: o.podCIDR, kubeletPort: config.port,
        runtimeVersion: o.runtimeVersion, updateFrequencyMs: config.nodeStatusUpdateFrequencyMs, reportFrequencyMs: config.nodeStatusReportFrequencyMs,
        registerNode: config.registerNode,
        health: () => ({ ...this.runtimeHealth.readiness(), ...this.evictions.pressure() }), log,
      });
      this.lease = new NodeLease(client, o.nodeName, config.nodeLeaseDurationSeconds, () => this.nodeStatus?.node?.metadata?.uid, log);
    }
    if (client && (!o.runtime.traits.simulated || (o.staticRuntime && !o.staticRuntime.runtime.traits.simulated))) this.services = new ServiceLister(client);
    const main: RuntimeSlot = { runtime: o.runtime, name: o.runtimeVersion.split('://')[0], images: this.images };
    const forStatic: RuntimeSlot = o.staticRuntime
      ? { runtime: o.staticRuntime.runtime, name: o.staticRuntime.name, images: new ImageManager({ runtime: o.staticRuntime.runtime }) } : main;
    this.pods = new PodManager({
      nodeName: o.nodeName, nodeIP: o.nodeIP, rootDir: config.rootDir,
      client, services: this.services, recorder: this.recorder, backoff: new CrashBackoff(),
      podLogsDir: config.podLogsDir || defaultPodLogsDir(config.rootDir),
      podConfig: this.podConfig = {
        clusterDNS: config.clusterDNS, clusterDomain: config.clusterDomain || 'cluster.local', resolvConf: config.resolvConf,
        cgroupRoot: podCgroupRoot(config), cgroupDriver: config.cgroupDriver, nodeMemoryBytes: o.machine.memoryBytes,
      },
      podCIDR: () => this.nodeStatus?.podCIDR || o.podCIDR,
      networkNotReady: () => this.runtimeHealth.networkError(),
      allocatable: () => nodeResources(o.machine, config.maxPods).allocatable,
      syncFrequencyMs: config.syncFrequencyMs,
      publish: (pod, status) => this.statuses.set(pod, status),
      log, verbosity: config.verbosity,
    }, { api: main, file: forStatic }, config.maxPods, log);
    this.pods.admit = (pod) => this.evictions.admit(pod, qosClass(pod.spec) === 'BestEffort');
  }

  async start(): Promise<void> {
    const { config, client, feed, log } = this.o;
    try {
      await this.pods.loadLeftovers();
    } catch (err) {
      log(`kubelet: cannot list what the runtime runs (${(err as Error).message}); nothing is adopted`);
    }
    // listed while the runtime is asked about itself: the first pods' env waits for it
    this.services?.start();
    await this.runtimeHealth.start();
    await this.learnRuntimeSetup();
    this.imageGC.start();
    await this.evictions.start();
    const pushCIDR = (cidr: string) => {
      if (!cidr || !this.o.runtime.updatePodCIDR) return;
      this.o.runtime.updatePodCIDR(cidr).then(() => { log(`kubelet: pod CIDR ${cidr} handed to the runtime`); void this.runtimeHealth.check(); },
        (err) => log(`kubelet: UpdateRuntimeConfig(${cidr}): ${(err as Error).message}`));
    };
    this.nodeStatus?.watchPodCIDR(pushCIDR);
    pushCIDR(this.o.podCIDR);
    if (config.staticPodPath) {
      this.staticSource = new StaticPodSource(config.staticPodPath, this.o.nodeName, {
        add: (p) => { this.pods.upsert(p, 'file'); this.mirrors?.sync(); },
        remove: (p) => { this.pods.remove(p.metadata!.uid!); this.statuses.forget(p); this.mirrors?.sync(); },
      }, log);
      this.staticSource.start();
    }
    const staticUIDs = () => (this.staticSource?.current() ?? []).map((p) => p.metadata!.uid!);
    if (!client) {
      await this.pods.removeOrphans(new Set(staticUIDs()));
      return;
    }
    if (feed) {
      void feed.waitForSync(this.abort.signal).then(() => {
        const known = new Set([...feed.podsOn(this.o.nodeName).map((p) => p.metadata!.uid!), ...staticUIDs()]);
        return this.pods.removeOrphans(known);
      }).catch((err) => { if (!this.abort.signal.aborted) log(`kubelet: removing orphaned sandboxes: ${(err as Error).message}`); });
      feed.register(this.o.nodeName, {
        onAdd: (p) => this.apiPod(p),
        onUpdate: (_, p) => this.apiPod(p),
        onDelete: (d) => {
          const p = deletedObject(d);
          if (isMirrorPod(p)) { this.mirrors?.sync(); return; }
          this.pods.remove(p.metadata!.uid!);
          this.statuses.forget(p);
        },
      });
    }
    if (this.staticSource && feed) {
      this.mirrors = new MirrorPods(client, this.o.nodeName, () => this.nodeStatus?.node?.metadata?.uid, () => this.staticSource!.current(),
        () => feed.podsOn(this.o.nodeName), (ns, name) => {
          // the new mirror has no status yet: have the static pod's worker report it again
          this.statuses.invalidate(ns, name);
          for (const w of this.pods.workers.values()) if (w.pod.metadata?.namespace === ns && w.pod.metadata?.name === name) w.kick();
        }, log);
    }
    if (config.registerNode) {
      void this.nodeStatus!.register(this.abort.signal).then(() => {
        if (this.abort.signal.aborted) return;
        this.registered = true;
        this.watchOwnNode(client);
        this.nodeStatus!.start();
        this.lease!.start();
        this.mirrors?.sync();
        this.mirrorTimer = setInterval(() => this.mirrors?.sync(), 10_000);
        // a status write that failed before the mirror pods existed is retried by re-syncing the pods
        for (const w of this.pods.workers.values()) w.kick();
      });
    } else {
      // upstream: no Node is created, but one that exists (made by an admin) gets status and a Lease
      this.nodeStatus!.start();
      this.lease!.start();
    }
  }

  /** Our own Node, watched as upstream's kubelet does: nodeipam's podCIDR reaches the runtime at once. */
  private watchOwnNode(client: RestClient): void {
    if (this.o.runtime.traits.simulated) return; // a hollow node's pods need no real network (and 1,000 watches would cost)
    this.nodeWatch = new SharedInformerFactory(client);
    this.nodeWatch.forResource(NODES, { fieldSelector: `metadata.name=${this.o.nodeName}` }).addEventHandler({
      onAdd: (n) => this.nodeStatus?.observe(n), onUpdate: (_, n) => this.nodeStatus?.observe(n),
    });
    this.nodeWatch.start();
  }

  /** The runtime's cgroup driver (unless configured) and sandbox image (kept by image GC). */
  private async learnRuntimeSetup(): Promise<void> {
    const { config, log } = this.o;
    let info: Awaited<ReturnType<NonNullable<Runtime['runtimeInfo']>>> = {};
    try {
      info = (await this.o.runtime.runtimeInfo?.()) ?? {};
    } catch (err) {
      log(`kubelet: cannot read the runtime's configuration: ${(err as Error).message}`);
    }
    if (info.cgroupDriver && info.cgroupDriver !== this.podConfig.cgroupDriver) {
      if (config.cgroupDriverSet) log(`kubelet: --cgroup-driver ${config.cgroupDriver} differs from the runtime's ${info.cgroupDriver}; using the runtime's`);
      this.podConfig.cgroupDriver = info.cgroupDriver;
    }
    if (!config.podInfraContainerImage && info.sandboxImage) this.imageGC.setSandboxImage(info.sandboxImage);
  }

  private nodeEvent(type: 'Normal' | 'Warning', reason: string, message: string): void {
    const n = this.o.nodeName;
    this.recorder?.event({ kind: 'Node', apiVersion: 'v1', name: n, uid: n }, type, reason, message);
  }

  private apiPod(p: Pod): void {
    if (isMirrorPod(p)) {
      // a mirror pod is not run: it only reflects a static pod; a changed or deleted one is reconciled
      this.mirrors?.sync();
      return;
    }
    this.pods.upsert(p, 'api');
  }

  /** Stops the loops (the pods are left to the runtime, as upstream leaves them to containerd). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.nodeWatch?.shutdown();
    await this.services?.stop();
    this.runtimeHealth.stop();
    this.imageGC.stop();
    this.evictions.stop();
    this.staticSource?.stop();
    clearInterval(this.mirrorTimer);
    this.statuses.close();
    this.nodeStatus?.stop();
    this.lease?.stop();
    await this.pods.stop();
    await this.recorder?.flush?.();
  }
}

/** Where pods' cgroups go: CGROUP_ROOT/kubepods with cgroupsPerQOS (upstream's default), else CGROUP_ROOT. */
export function podCgroupRoot(c: KubeletConfig): string {
  const root = c.cgroupRoot.replace(/\/+$/, '');
  return c.cgroupsPerQOS ? `${root}/kubepods` : root || '/';
}
