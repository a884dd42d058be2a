// One node's kubelet: registers the Node and keeps its status and Lease, takes pods from
// the API (through a PodFeed) and from static manifests, runs them through the runtime with
// a PodWorker each, reports their status, and mirrors static pods into the API.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deletedObject, EventRecorder, type Logger, type RestClient } from '../client/index.js';
import type { KubeletConfig } from './config/kubelet-config.js';
import type { MachineInfo } from './node/machine-info.js';
import { NodeLease } from './node/node-lease.js';
import { nodeResources, NodeStatusManager } from './node/node-status.js';
import { CrashBackoff } from './pods/crash-backoff.js';
import type { PodFeed } from './pods/pod-feed.js';
import { PodManager } from './pods/pod-manager.js';
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
  private readonly abort = new AbortController();
  registered = false;

  constructor(readonly o: KubeletOptions) {
    const { config, client, log } = o;
    this.statuses = new StatusManager(client, log);
    if (client) {
      this.recorder = new EventRecorder(client, { component: 'kubelet', host: o.nodeName, log });
      this.nodeStatus = new NodeStatusManager(client, {
        nodeName: o.nodeName, hostname: o.hostname, nodeIP: o.nodeIP, machine: o.machine, maxPods: config.maxPods,
        labels: config.nodeLabels, taints: config.registerWithTaints, podCIDR: o.podCIDR, kubeletPort: config.port,
        runtimeVersion: o.runtimeVersion, updateFrequencyMs: config.nodeStatusUpdateFrequencyMs, reportFrequencyMs: config.nodeStatusReportFrequencyMs,
        health: () => ({ ready: true, memoryPressure: false, diskPressure: false, pidPressure: false }), log,
      });
      this.lease = new NodeLease(client, o.nodeName, config.nodeLeaseDurationSeconds, () => this.nodeStatus?.node?.metadata?.uid, log);
    }
    this.pods = new PodManager({
      nodeName: o.nodeName, nodeIP: o.nodeIP, rootDir: config.rootDir, runtime: o.runtime, runtimeName: o.runtimeVersion.split('://')[0],
      client, recorder: this.recorder, backoff: new CrashBackoff(),
      podCIDR: () => this.nodeStatus?.podCIDR || o.podCIDR,
      allocatable: () => nodeResources(o.machine, config.maxPods).allocatable,
      publish: (pod, status) => this.statuses.set(pod, status),
      log, verbosity: config.verbosity,
    }, config.maxPods, log);
  }

  async start(): Promise<void> {
    const { config, client, feed, log } = this.o;
    if (config.staticPodPath) {
      this.staticSource = new StaticPodSource(config.staticPodPath, this.o.nodeName, {
        add: (p) => { this.pods.upsert(p, 'file'); this.mirrors?.sync(); },
        remove: (p) => { this.pods.remove(p.metadata!.uid!); this.statuses.forget(p); this.mirrors?.sync(); },
      }, log);
      this.staticSource.start();
    }
    if (!client) return;
    if (feed) {
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
        this.nodeStatus!.start();
        this.lease!.start();
        this.mirrors?.sync();
        this.mirrorTimer = setInterval(() => this.mirrors?.sync(), 10_000);
        // a status write that failed before the mirror pods existed is retried by re-syncing the pods
        for (const w of this.pods.workers.values()) w.kick();
      });
    } else {
      this.lease!.start();
    }
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
    this.staticSource?.stop();
    clearInterval(this.mirrorTimer);
    this.nodeStatus?.stop();
    this.lease?.stop();
    await this.pods.stop();
    await this.recorder?.flush?.();
  }
}
