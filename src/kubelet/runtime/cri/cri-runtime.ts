// The kubelet's Runtime over CRI (unix://…): translates the kubelet's CRI-shaped configs to
// runtime.v1 messages and the runtime's answers back (milliseconds, exit reasons, pod IPs).
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type * as rt from '../runtime-service.js';
import { CriClient, CriError, isNotFound } from './cri-client.js';
import type * as cri from './cri-types.js';
import { nanosToMillis } from './cri-types.js';
import { imagePullError } from './image-pull-error.js';
import { fromCriContainerStats, fromCriSandboxStats } from './cri-stats.js';
import type { CriContainerConfig, CriPodSandboxConfig } from './pod-cri-config.js';

/** The relist behind the event stream (upstream's generic PLEG, the default there, relists every 1 s). */
export const BACKSTOP_RELIST_MS = 5000;

export interface CriRuntimeOptions {
  /** How often to poll container states when the runtime lacks GetContainerEvents (containerd < 1.7). */
  eventPollMs?: number;
  log?: (message: string) => void;
}

/** Exit reasons as the kubelet shows them; the runtime's own reason (OOMKilled) wins. */
export function exitReason(state: cri.ContainerState, exitCode: number, runtimeReason: string): string {
  if (state !== 'CONTAINER_EXITED') return runtimeReason;
  if (runtimeReason) return runtimeReason;
  return exitCode === 0 ? 'Completed' : 'Error';
}

export function toCriSandboxConfig(c: CriPodSandboxConfig): cri.PodSandboxConfig {
  const linux: cri.LinuxPodSandboxConfig = { ...(c.linux ?? {}) };
  const sc = { ...(linux.securityContext ?? {}) };
  sc.namespaceOptions = { ...(sc.namespaceOptions ?? {}), network: c.hostNetwork ? 'NODE' : 'POD' };
  linux.securityContext = sc;
  return {
    metadata: c.metadata,
    hostname: c.hostNetwork ? '' : c.hostname ?? '',
    logDirectory: c.logDirectory,
    dnsConfig: c.dnsConfig,
    portMappings: c.portMappings ?? [],
    labels: c.labels,
    annotations: c.annotations,
    linux,
  };
}

export function toCriContainerConfig(c: CriContainerConfig): cri.ContainerConfig {
  return {
    metadata: c.metadata,
    image: { image: c.image, userSpecifiedImage: c.image },
    command: c.command,
    args: c.args,
    workingDir: c.workingDir ?? '',
    envs: c.envs,
    mounts: c.mounts.map((m) => ({ containerPath: m.containerPath, hostPath: m.hostPath, readonly: !!m.readonly })),
    devices: c.devices ?? [],
    labels: c.labels,
    annotations: c.annotations,
    logPath: c.logPath,
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
    tty: !!c.tty,
    linux: c.linux,
  };
}

export function fromCriContainerStatus(s: cri.ContainerStatus): rt.ContainerStatus {
  return {
    id: s.id,
    metadata: { name: s.metadata?.name ?? '', attempt: s.metadata?.attempt ?? 0 },
    state: s.state,
    createdAt: nanosToMillis(s.createdAt),
    startedAt: nanosToMillis(s.startedAt),
    finishedAt: nanosToMillis(s.finishedAt),
    exitCode: s.exitCode,
    image: s.image?.image ?? '',
    imageRef: s.imageRef,
    reason: exitReason(s.state, s.exitCode, s.reason),
    message: s.message,
    logPath: s.logPath,
    labels: s.labels ?? {},
    annotations: s.annotations ?? {},
  };
}

export class CriRuntime implements rt.Runtime {
  readonly traits: rt.RuntimeTraits = { simulated: false, hostNetworkOnly: false };
  readonly client: CriClient;
  private podCIDR = '';
  private readonly listeners = new Set<rt.ContainerEventListener>();
  private stopEvents?: () => void;
  private pollTimer?: NodeJS.Timeout;
  private pollEveryMs?: number;
  private readonly seen = new Map<string, cri.ContainerState>();
  /** Whether a relist has run: containers first seen after it are new, even when already exited. */
  private relisted = false;

  constructor(readonly endpoint: string, private readonly opts: CriRuntimeOptions = {}) {
    this.client = new CriClient(endpoint);
  }

  async version(): Promise<rt.VersionInfo> {
    const v = await this.client.version();
    return { runtimeName: v.runtimeName, runtimeVersion: v.runtimeVersion, runtimeApiVersion: v.runtimeApiVersion };
  }

  /** RuntimeReady and NetworkReady, as the kubelet folds them into the node's Ready condition. */
  async status(): Promise<rt.RuntimeCondition[]> {
    const s = await this.client.status();
    return s.status?.conditions ?? [];
  }

  /** containerd's verbose Status carries its config: the sandbox image and runc's SystemdCgroup. */
  async runtimeInfo(): Promise<{ sandboxImage?: string; cgroupDriver?: 'cgroupfs' | 'systemd' }> {
    const s = await this.client.status(true);
    let cfg: { sandboxImage?: string; containerd?: { defaultRuntimeName?: string; runtimes?: Record<string, { options?: { SystemdCgroup?: boolean } }> } };
    try {
      cfg = JSON.parse(s.info?.config ?? '{}');
    } catch {
      return {};
    }
    const runtimes = cfg.containerd?.runtimes ?? {};
    const opts = runtimes[cfg.containerd?.defaultRuntimeName ?? 'runc']?.options;
    return {
      sandboxImage: cfg.sandboxImage || undefined,
      cgroupDriver: opts?.SystemdCgroup === undefined ? undefined : opts.SystemdCgroup ? 'systemd' : 'cgroupfs',
    };
  }

  async updatePodCIDR(cidr: string): Promise<void> {
    if (!cidr || cidr === this.podCIDR) return;
    await this.client.updateRuntimeConfig(cidr);
    this.podCIDR = cidr;
  }

  async runPodSandbox(config: CriPodSandboxConfig): Promise<string> {
    if (config.podCIDR) await this.updatePodCIDR(config.podCIDR);
    if (config.logDirectory) fs.mkdirSync(config.logDirectory, { recursive: true });
    return this.client.runPodSandbox(toCriSandboxConfig(config));
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.client.stopPodSandbox(id).catch(ignoreNotFound);
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.client.removePodSandbox(id).catch(ignoreNotFound);
  }

  async podSandboxStatus(id: string): Promise<rt.PodSandboxStatus> {
    const { status: s } = await this.client.podSandboxStatus(id);
    const ips: string[] = [];
    if (s.network?.ip) ips.push(s.network.ip);
    for (const a of s.network?.additionalIps ?? []) if (a.ip) ips.push(a.ip);
    return { id: s.id, metadata: s.metadata, state: s.state, createdAt: nanosToMillis(s.createdAt), ips };
  }

  async listPodSandbox(filter?: cri.PodSandboxFilter): Promise<rt.PodSandbox[]> {
    return (await this.client.listPodSandbox(filter)).map((s) => ({
      id: s.id, metadata: s.metadata, state: s.state, createdAt: nanosToMillis(s.createdAt), labels: s.labels ?? {}, annotations: s.annotations ?? {},
    }));
  }

  async createContainer(podSandboxId: string, config: CriContainerConfig, sandboxConfig: CriPodSandboxConfig): Promise<string> {
    const dir = sandboxConfig.logDirectory ? path.dirname(path.join(sandboxConfig.logDirectory, config.logPath)) : '';
    if (dir) fs.mkdirSync(dir, { recursive: true });
    return this.client.createContainer(podSandboxId, toCriContainerConfig(config), toCriSandboxConfig(sandboxConfig));
  }

  async startContainer(id: string): Promise<void> {
    await this.client.startContainer(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.client.stopContainer(id, timeoutSeconds).catch(ignoreNotFound);
  }

  async removeContainer(id: string): Promise<void> {
    await this.client.removeContainer(id).catch(ignoreNotFound);
  }

  async containerStatus(id: string): Promise<rt.ContainerStatus> {
    const { status } = await this.client.containerStatus(id);
    return fromCriContainerStatus(status);
  }

  async containerStats(id: string): Promise<rt.ContainerUsageSample | undefined> {
    try {
      const s = await this.client.containerStats(id);
      return s ? fromCriContainerStats(s) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listContainerStats(): Promise<Map<string, rt.ContainerUsageSample>> {
    const out = new Map<string, rt.ContainerUsageSample>();
    for (const s of await this.client.listContainerStats()) {
      const u = s.attributes?.id ? fromCriContainerStats(s) : undefined;
      if (u) out.set(s.attributes!.id, u);
    }
    return out;
  }

  async listPodSandboxStats(): Promise<Map<string, rt.SandboxUsageSample>> {
    const out = new Map<string, rt.SandboxUsageSample>();
    for (const s of await this.client.listPodSandboxStats()) {
      const u = s.attributes?.id ? fromCriSandboxStats(s) : undefined;
      if (u) out.set(s.attributes!.id, u);
    }
    return out;
  }

  async listContainers(filter?: { podSandboxId?: string }): Promise<rt.Container[]> {
    const list = await this.client.listContainers(filter?.podSandboxId ? { podSandboxId: filter.podSandboxId } : undefined);
    return list.map((c) => ({
      id: c.id,
      podSandboxId: c.podSandboxId,
      metadata: { name: c.metadata?.name ?? '', attempt: c.metadata?.attempt ?? 0 },
      state: c.state,
      createdAt: nanosToMillis(c.createdAt),
      labels: c.labels ?? {},
      image: c.image?.image ?? '',
      imageRef: c.imageRef ?? '',
    }));
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<rt.ExecResult> {
    const r = await this.client.execSync(id, cmd, timeoutSeconds);
    return { stdout: Buffer.from(r.stdout ?? []), stderr: Buffer.from(r.stderr ?? []), exitCode: r.exitCode };
  }

  /** Streaming-server URLs for kubectl exec/attach/port-forward (the kubelet proxies them). */
  execUrl(id: string, cmd: string[], o: cri.StreamRequestOptions): Promise<string> {
    return this.client.exec(id, cmd, o);
  }

  attachUrl(id: string, o: cri.StreamRequestOptions): Promise<string> {
    return this.client.attach(id, o);
  }

  portForwardUrl(podSandboxId: string, ports: number[]): Promise<string> {
    return this.client.portForward(podSandboxId, ports);
  }

  subscribe(listener: rt.ContainerEventListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.startEvents();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopEventSources();
    };
  }

  private emit(e: Parameters<rt.ContainerEventListener>[0]): void {
    for (const l of this.listeners) l(e);
  }

  private startEvents(): void {
    this.stopEvents = this.client.containerEvents((e) => {
      if (e.containerEventType !== 'CONTAINER_STARTED_EVENT' && e.containerEventType !== 'CONTAINER_STOPPED_EVENT') return;
      this.emit({ containerId: e.containerId, podSandboxId: e.podSandboxStatus?.id ?? '', type: e.containerEventType });
    }, (err) => {
      this.stopEvents = undefined;
      if (this.listeners.size === 0) return;
      // containerd 1.6 has no GetContainerEvents: fall back to a relist, like the generic PLEG
      if (!(err instanceof CriError && err.code === grpc.status.UNIMPLEMENTED)) this.opts.log?.(`CRI events: ${err.message}; polling instead`);
      this.startPolling();
    });
    // containerd drops events its buffer cannot hold (a busy node, many pods at once), and a
    // missed exit would leave its pod unsynced for good: a slow relist backs the stream up,
    // as upstream's generic PLEG backs the evented one
    this.startPolling(BACKSTOP_RELIST_MS);
  }

  private startPolling(everyMs = this.opts.eventPollMs ?? 1000): void {
    this.pollEveryMs = Math.min(this.pollEveryMs ?? everyMs, everyMs);
    if (this.pollTimer) return;
    const tick = async (): Promise<void> => {
      try {
        const list = await this.client.listContainers();
        const alive = new Set<string>();
        for (const c of list) {
          alive.add(c.id);
          const before = this.seen.get(c.id);
          this.seen.set(c.id, c.state);
          if (before === undefined && c.state === 'CONTAINER_CREATED') continue;
          if (c.state === before) continue;
          if (c.state === 'CONTAINER_RUNNING') this.emit({ containerId: c.id, podSandboxId: c.podSandboxId, type: 'CONTAINER_STARTED_EVENT' });
          // A container that started and exited between two relists (a crash at start) is first
          // seen exited: it died since the last relist, as upstream's generic PLEG reports it.
          if (c.state === 'CONTAINER_EXITED' && (before !== undefined || this.relisted)) this.emit({ containerId: c.id, podSandboxId: c.podSandboxId, type: 'CONTAINER_STOPPED_EVENT' });
        }
        for (const id of this.seen.keys()) if (!alive.has(id)) this.seen.delete(id);
        this.relisted = true;
      } catch (err) {
        this.opts.log?.(`CRI relist: ${(err as Error).message}`);
      }
      if (this.listeners.size > 0) this.pollTimer = setTimeout(() => void tick(), this.pollEveryMs);
    };
    this.pollTimer = setTimeout(() => void tick(), 0);
  }

  private stopEventSources(): void {
    this.stopEvents?.();
    this.stopEvents = undefined;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.pollEveryMs = undefined;
    this.seen.clear();
    this.relisted = false;
  }

  /** Pulls through the runtime (mirrors apply); failures are ImagePullErrors with the kubelet's reason. */
  async pullImage(image: string, auth?: cri.AuthConfig, sandboxConfig?: CriPodSandboxConfig): Promise<string> {
    try {
      return await this.client.pullImage(image, auth, sandboxConfig ? toCriSandboxConfig(sandboxConfig) : undefined);
    } catch (err) {
      throw imagePullError(image, err);
    }
  }

  /** The image's id if the runtime has it (pull policy IfNotPresent/Never). */
  async imageStatus(image: string): Promise<rt.Image | undefined> {
    const img = await this.client.imageStatus(image);
    return img ? toImage(img) : undefined;
  }

  async listImages(): Promise<rt.Image[]> {
    return (await this.client.listImages()).map(toImage);
  }

  async removeImage(image: string): Promise<void> {
    await this.client.removeImage(image).catch(ignoreNotFound);
  }

  /** Bytes and inodes the runtime's images use (image garbage collection reads this). */
  async imageFsInfo(): Promise<rt.FilesystemUsage[]> {
    return (await this.client.imageFsInfo()).map((f) => ({
      mountpoint: f.fsId?.mountpoint ?? '', usedBytes: Number(f.usedBytes?.value ?? 0), inodesUsed: Number(f.inodesUsed?.value ?? 0),
    }));
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.stopEventSources();
    this.client.close();
  }
}

function toImage(i: cri.Image): rt.Image {
  return { id: i.id, repoTags: i.repoTags ?? [], repoDigests: i.repoDigests ?? [], size: Number(i.size), pinned: !!i.pinned };
}

function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}
