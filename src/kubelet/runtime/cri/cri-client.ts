// A CRI v1 client: RuntimeService and ImageService over gRPC on a unix socket, one method
// per RPC, promises in and out. It speaks to containerd, cri-o or any CRI runtime.
import * as grpc from '@grpc/grpc-js';
import { criServices } from './cri-proto.js';
import type {
  AuthConfig, Container, ContainerConfig, ContainerEvent, ContainerFilter, ContainerStats, ContainerStatus, ExecSyncResponse,
  FilesystemUsage, Image, LinuxContainerResources, PodSandbox, PodSandboxConfig, PodSandboxFilter,
  PodSandboxStats, PodSandboxStatus, StatusResponse, StreamRequestOptions, VersionResponse,
} from './cri-types.js';

/** The CRI API version this client speaks (VersionRequest.version). */
export const CRI_API_VERSION = 'v1';

/** A failed RPC, with the gRPC status code (grpc.status.NOT_FOUND, …) and the runtime's words. */
export class CriError extends Error {
  constructor(readonly method: string, readonly code: grpc.status, readonly details: string) {
    super(`CRI ${method}: ${details || grpc.status[code]}`);
    this.name = 'CriError';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === grpc.status.NOT_FOUND;
}

/** unix:///run/containerd/containerd.sock or a bare socket path → grpc-js target. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return 'unix://' + endpoint.slice('unix://'.length).replace(/^\/*/, '/');
  if (endpoint.startsWith('/')) return 'unix://' + endpoint;
  throw new Error(`CRI endpoint ${JSON.stringify(endpoint)}: want unix:///path/to/socket`);
}

export interface CriClientOptions {
  /** Deadline for ordinary calls; pulls and stops get their own. Default 2 minutes. */
  timeoutMs?: number;
  /** Deadline for PullImage. Default 10 minutes. */
  pullTimeoutMs?: number;
}

export class CriClient {
  private readonly runtime: grpc.Client & Record<string, any>;
  private readonly images: grpc.Client & Record<string, any>;
  private readonly timeoutMs: number;
  private readonly pullTimeoutMs: number;

  constructor(readonly endpoint: string, opts: CriClientOptions = {}) {
    const { RuntimeService, ImageService } = criServices();
    const target = grpcTarget(endpoint);
    const creds = grpc.credentials.createInsecure();
    const channelOpts = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 * 2 };
    this.runtime = new RuntimeService(target, creds, channelOpts) as any;
    this.images = new ImageService(target, creds, channelOpts) as any;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.pullTimeoutMs = opts.pullTimeoutMs ?? 600_000;
  }

  private call<T>(client: Record<string, any>, method: string, req: object, timeoutMs = this.timeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + timeoutMs);
      client[method](req, { deadline }, (err: grpc.ServiceError | null, res: T) => {
        if (err) reject(new CriError(method, err.code, err.details));
        else resolve(res);
      });
    });
  }

  private rt<T>(method: string, req: object, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.runtime, method, req, timeoutMs);
  }

  private img<T>(method: string, req: object, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.images, method, req, timeoutMs);
  }

  // ---- RuntimeService ----

  version(): Promise<VersionResponse> {
    return this.rt('Version', { version: CRI_API_VERSION });
  }

  status(verbose = false): Promise<StatusResponse> {
    return this.rt('Status', { verbose });
  }

  /** Hands the node's pod CIDR to the runtime (containerd then writes its CNI config). */
  async updateRuntimeConfig(podCidr: string): Promise<void> {
    await this.rt('UpdateRuntimeConfig', { runtimeConfig: { networkConfig: { podCidr } } });
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const res = await this.rt<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler }, this.pullTimeoutMs);
    return res.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('StopPodSandbox', { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('RemovePodSandbox', { podSandboxId });
  }

  async podSandboxStatus(podSandboxId: string, verbose = false): Promise<{ status: PodSandboxStatus; info: Record<string, string> }> {
    return this.rt('PodSandboxStatus', { podSandboxId, verbose });
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const res = await this.rt<{ items: PodSandbox[] }>('ListPodSandbox', filter ? { filter } : {});
    return res.items;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const res = await this.rt<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig });
    return res.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.rt('StartContainer', { containerId });
  }

  /** Stop signal, then SIGKILL after `timeoutSeconds`; the deadline allows for that wait. */
  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.rt('StopContainer', { containerId, timeout: String(Math.max(0, Math.floor(timeoutSeconds))) },
      this.timeoutMs + timeoutSeconds * 1000);
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.rt('RemoveContainer', { containerId });
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const res = await this.rt<{ containers: Container[] }>('ListContainers', filter ? { filter } : {});
    return res.containers;
  }

  async containerStatus(containerId: string, verbose = false): Promise<{ status: ContainerStatus; info: Record<string, string> }> {
    return this.rt('ContainerStatus', { containerId, verbose });
  }

  async updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void> {
    await this.rt('UpdateContainerResources', { containerId, linux });
  }

  /** Runs cmd in the container and collects its output; timeoutSeconds 0 means no limit. */
  async execSync(containerId: string, cmd: string[], timeoutSeconds = 0): Promise<ExecSyncResponse> {
    const deadline = timeoutSeconds > 0 ? timeoutSeconds * 1000 + 10_000 : 24 * 3600_000;
    return this.rt('ExecSync', { containerId, cmd, timeout: String(Math.floor(timeoutSeconds)) }, deadline);
  }

  /** The runtime's streaming-server URL for an interactive exec. */
  async exec(containerId: string, cmd: string[], o: StreamRequestOptions): Promise<string> {
    const res = await this.rt<{ url: string }>('Exec', { containerId, cmd, ...o });
    return res.url;
  }

  async attach(containerId: string, o: StreamRequestOptions): Promise<string> {
    const res = await this.rt<{ url: string }>('Attach', { containerId, ...o });
    return res.url;
  }

  async portForward(podSandboxId: string, ports: number[]): Promise<string> {
    const res = await this.rt<{ url: string }>('PortForward', { podSandboxId, port: ports });
    return res.url;
  }

  /** GetContainerEvents as a callback; returns a function that ends the stream. */
  containerEvents(onEvent: (e: ContainerEvent) => void, onError: (err: Error) => void): () => void {
    const stream: grpc.ClientReadableStream<ContainerEvent> = this.runtime.GetContainerEvents({});
    let cancelled = false;
    stream.on('data', onEvent);
    stream.on('error', (err: grpc.ServiceError) => {
      if (!cancelled) onError(new CriError('GetContainerEvents', err.code, err.details));
    });
    return () => { cancelled = true; stream.cancel(); };
  }

  // ---- ImageService ----

  async pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string> {
    const req: Record<string, unknown> = { image: { image } };
    if (auth) req.auth = auth;
    if (sandboxConfig) req.sandboxConfig = sandboxConfig;
    const res = await this.img<{ imageRef: string }>('PullImage', req, this.pullTimeoutMs);
    return res.imageRef;
  }

  /** The image, or undefined when the runtime does not have it. */
  async imageStatus(image: string): Promise<Image | undefined> {
    const res = await this.img<{ image: Image | null }>('ImageStatus', { image: { image } });
    return res.image ?? undefined;
  }

  async listImages(image?: string): Promise<Image[]> {
    const res = await this.img<{ images: Image[] }>('ListImages', image ? { filter: { image: { image } } } : {});
    return res.images;
  }

  async removeImage(image: string): Promise<void> {
    await this.img('RemoveImage', { image: { image } });
  }

  async imageFsInfo(): Promise<FilesystemUsage[]> {
    const res = await this.img<{ imageFilesystems: FilesystemUsage[] }>('ImageFsInfo', {});
    return res.imageFilesystems;
  }

  async containerStats(containerId: string): Promise<ContainerStats | null> {
    return (await this.rt<{ stats: ContainerStats | null }>('ContainerStats', { containerId })).stats;
  }

  async listContainerStats(filter: { id?: string; podSandboxId?: string } = {}): Promise<ContainerStats[]> {
    return (await this.rt<{ stats: ContainerStats[] }>('ListContainerStats', { filter })).stats;
  }

  async listPodSandboxStats(filter: { id?: string } = {}): Promise<PodSandboxStats[]> {
    return (await this.rt<{ stats: PodSandboxStats[] }>('ListPodSandboxStats', { filter })).stats;
  }

  close(): void {
    this.runtime.close();
    this.images.close();
  }
}
