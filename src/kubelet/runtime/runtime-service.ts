// The kubelet's one narrow view of a container runtime, shaped like CRI v1's RuntimeService
// and ImageService so that the CRI gRPC client (unix://…) is just another implementation
// beside the built-in hollow and host-process runtimes. Field names follow CRI's messages.
// The optional CRI extras (DNS, port mappings, Linux security and cgroup settings, tty) are
// filled in by the kubelet for every runtime; runtimes that cannot apply them ignore them.
import type {
  AuthConfig, Device, DNSConfig, LinuxContainerResources, LinuxContainerSecurityContext, LinuxPodSandboxConfig, PortMapping,
} from './cri/cri-types.js';

export type { AuthConfig };

export interface KeyValue { key: string; value: string }

export interface Mount { containerPath: string; hostPath: string; readonly?: boolean }

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt: number }

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostNetwork: boolean;
  /** The node's pod CIDR, for runtimes that allocate pod IPs. */
  podCIDR?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  linux?: LinuxPodSandboxConfig;
}

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  createdAt: number;
  /** Pod IPs; the first is the primary one. */
  ips: string[];
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  /** The container keeps a stdin open for `kubectl attach -i` (spec.stdin, spec.stdinOnce). */
  stdin?: boolean;
  stdinOnce?: boolean;
  /** Its main process runs on a terminal (spec.tty). */
  tty?: boolean;
  image: string;
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  /** Relative to the sandbox's logDirectory. */
  logPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext };
  devices?: Device[];
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerStatus {
  id: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  /** Epoch milliseconds (CRI uses nanoseconds; the kubelet only needs ms). */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: string;
  imageRef: string;
  /** e.g. Completed, Error, OOMKilled (CRI leaves it to the runtime). */
  reason: string;
  message: string;
  logPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  /** The image it was created from, as given and as the runtime's id (image GC keeps these). */
  image?: string;
  imageRef?: string;
}

export interface ExecResult { stdout: Buffer; stderr: Buffer; exitCode: number }

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests?: string[];
  size: number;
  /** The runtime keeps it whatever happens (e.g. its sandbox image): garbage collection skips it. */
  pinned?: boolean;
}

/** A pod sandbox as ListPodSandbox returns it (the kubelet adopts these after a restart). */
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** CRI's RuntimeCondition: RuntimeReady and NetworkReady fold into the node's Ready condition. */
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }

/** One filesystem's usage as ImageFsInfo reports it. */
export interface FilesystemUsage { mountpoint: string; usedBytes: number; inodesUsed: number }

export interface VersionInfo { runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }

/** CRI's GetContainerEvents, as a callback: the kubelet's "evented PLEG". */
export type ContainerEventListener = (e: { containerId: string; podSandboxId: string; type: 'CONTAINER_STARTED_EVENT' | 'CONTAINER_STOPPED_EVENT' }) => void;

export interface RuntimeService {
  version(): Promise<VersionInfo>;
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Sends the stop signal, waits up to `timeoutSeconds`, then kills. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  listContainers(filter?: { podSandboxId?: string }): Promise<Container[]>;
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult>;
  subscribe(listener: ContainerEventListener): () => void;
  /** Pulls the image (with registry credentials when given); returns its id (imageRef). */
  pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  /** The image if the runtime has it, else undefined (pull policy IfNotPresent/Never). */
  imageStatus(image: string): Promise<Image | undefined>;
  listImages(): Promise<Image[]>;
  removeImage(image: string): Promise<void>;
  /**
   * CRI's ContainerStats: cumulative CPU core-seconds and working set of a running container
   * (undefined when it is gone). Runtimes with nothing real to measure (hollow) leave it out.
   */
  containerStats?(containerId: string): Promise<ContainerUsageSample | undefined>;
  /** CRI's ListContainerStats: every container the runtime measures, by id, in one call. */
  listContainerStats?(): Promise<Map<string, ContainerUsageSample>>;
  /** CRI's ListPodSandboxStats: pod-level cgroup and network figures, by sandbox id (runtimes that have them). */
  listPodSandboxStats?(): Promise<Map<string, SandboxUsageSample>>;
  close(): Promise<void>;
}

export interface ContainerUsageSample {
  cpuSeconds: number;
  memoryWorkingSetBytes: number;
  /** When it was measured (epoch ms). */
  timestamp: number;
  /** The runtime's own CPU rate over its last window, when it keeps one (CRI usage_nano_cores). */
  usageNanoCores?: number;
  memoryUsageBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
  writableLayerBytes?: number;
}

export interface NetworkInterfaceSample { name: string; rxBytes: number; rxErrors: number; txBytes: number; txErrors: number }

export interface SandboxUsageSample {
  cpuSeconds?: number;
  usageNanoCores?: number;
  memoryWorkingSetBytes?: number;
  memoryUsageBytes?: number;
  rssBytes?: number;
  timestamp: number;
  network?: { timestamp: number; default: NetworkInterfaceSample; interfaces: NetworkInterfaceSample[] };
  processCount?: number;
}

export interface TerminalSize { width: number; height: number }

/**
 * The standard streams of one exec or attach session, as the kubelet's stream server hands
 * them to a runtime: only the requested ones are present; with a tty, stderr is merged
 * into stdout. `signal` aborts when the client goes away.
 */
export interface StreamingIO {
  stdin?: import('node:stream').Readable;
  stdout?: import('node:stream').Writable;
  stderr?: import('node:stream').Writable;
  tty: boolean;
  /** Calls back with each terminal size the client reports (the first one too). */
  onResize(listener: (size: TerminalSize) => void): void;
  signal: AbortSignal;
}

/** Streaming options of CRI's Exec/Attach requests. */
export interface StreamRequest { stdin?: boolean; stdout?: boolean; stderr?: boolean; tty?: boolean }

/**
 * Exec, attach and port-forward. Built-in runtimes stream through the kubelet's own server
 * (exec/attach/portForward); CRI runtimes answer with a URL on their own streaming server,
 * which the kubelet proxies the client's connection to (execUrl/attachUrl/portForwardUrl).
 */
export interface StreamingRuntime {
  /** Runs cmd in the container with the session's streams; resolves with its exit code. */
  exec?(containerId: string, cmd: string[], io: StreamingIO): Promise<number>;
  /** Joins the container's main process streams until it exits or the client leaves. */
  attach?(containerId: string, io: StreamingIO): Promise<void>;
  /** Connects `conn` to `port` inside the pod's network until either side closes. */
  portForward?(podSandboxId: string, port: number, conn: import('node:stream').Duplex): Promise<void>;
  execUrl?(containerId: string, cmd: string[], o: StreamRequest): Promise<string>;
  attachUrl?(containerId: string, o: StreamRequest): Promise<string>;
  portForwardUrl?(podSandboxId: string, ports: number[]): Promise<string>;
}

/**
 * What a runtime tells the kubelet about itself beyond CRI: whether containers are real
 * processes (so volumes are materialized on disk and probes run for real) and how pod
 * networking is done.
 */
export interface RuntimeTraits {
  /** Containers are simulated: skip volume files; the runtime answers probes itself. */
  simulated: boolean;
  /** Every pod shares the node's network (podIP = node IP). */
  hostNetworkOnly: boolean;
}

export interface Runtime extends RuntimeService, StreamingRuntime {
  readonly traits: RuntimeTraits;
  /** Simulated runtimes answer probes themselves; undefined means "probe for real". */
  simulateProbe?(containerId: string, probe: import('kubernetes-types/core/v1.js').Probe): boolean | undefined;
  /** CRI Status(): absent for runtimes that are always ready. */
  status?(): Promise<RuntimeCondition[]>;
  /** CRI UpdateRuntimeConfig: hands the node's pod CIDR to the runtime's network plugin. */
  updatePodCIDR?(cidr: string): Promise<void>;
  /** Every sandbox the runtime holds (for adopting pods after a kubelet restart). */
  listPodSandbox?(): Promise<PodSandbox[]>;
  /** CRI ImageFsInfo: where images live and how much they use (image garbage collection). */
  imageFsInfo?(): Promise<FilesystemUsage[]>;
  /** What the runtime says of its own setup (CRI Status verbose info): its sandbox image and cgroup driver. */
  runtimeInfo?(): Promise<{ sandboxImage?: string; cgroupDriver?: 'cgroupfs' | 'systemd' }>;
}
