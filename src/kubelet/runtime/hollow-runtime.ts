// The hollow runtime (kubemark/kwok style): nothing runs. Sandboxes are ready at once with
// an IP from the node's pod CIDR; a container "runs" until stopped unless its command is one
// simulated-command.ts understands (`sleep N`, `true`, `false`, `sh -c "exit N"`), whose
// exit is delivered by a real timer. Probes succeed unless an exec probe's command fails.
import type { Probe } from 'kubernetes-types/core/v1.js';
import { ContainerTable, exitReason, newId } from './container-table.js';
import { PodIPAllocator } from './pod-ip-allocator.js';
import type {
  ContainerConfig, ContainerEventListener, ContainerStatus, ExecResult, Image, PodSandboxConfig, PodSandboxStatus, Runtime, StreamingIO, VersionInfo,
} from './runtime-service.js';
import type { Duplex } from 'node:stream';
import { simulate } from './simulated-command.js';
import { simulatedExec } from './simulated-exec.js';

export const HOLLOW_RUNTIME_NAME = 'hollow';

export class HollowRuntime implements Runtime {
  readonly traits = { simulated: true, hostNetworkOnly: false };
  private readonly table = new ContainerTable();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly images = new Map<string, Image>();
  private ipam?: PodIPAllocator;

  async version(): Promise<VersionInfo> {
    return { runtimeName: HOLLOW_RUNTIME_NAME, runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    let ips: string[] = [];
    if (!config.hostNetwork && config.podCIDR) {
      if (this.ipam?.cidr !== config.podCIDR) this.ipam = new PodIPAllocator(config.podCIDR);
      ips = [this.ipam.allocate()];
    }
    this.table.sandboxes.set(id, { config, status: { id, metadata: config.metadata, state: 'SANDBOX_READY', createdAt: Date.now(), ips } });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = this.table.sandboxes.get(id);
    if (!s) return;
    for (const c of this.table.list({ podSandboxId: id })) await this.stopContainer(c.id);
    if (s.status.state === 'SANDBOX_READY') for (const ip of s.status.ips) this.ipam?.release(ip);
    s.status.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const c of this.table.list({ podSandboxId: id })) this.table.containers.delete(c.id);
    this.table.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return this.table.sandbox(id).status;
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    return this.table.addContainer(sandboxId, config, await this.pullImage(config.image), '');
  }

  async startContainer(id: string): Promise<void> {
    const c = this.table.container(id);
    if (c.status.state !== 'CONTAINER_CREATED') throw new Error(`container ${id} is in state ${c.status.state}, not created`);
    this.table.started(id);
    const sim = simulate([...c.config.command, ...c.config.args]);
    if (sim.runMs !== undefined) {
      const t = setTimeout(() => { this.timers.delete(id); this.table.exited(id, sim.exitCode, exitReason(sim.exitCode)); }, sim.runMs);
      this.timers.set(id, t);
    }
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.table.containers.get(id);
    if (!c || c.status.state === 'CONTAINER_EXITED') return;
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    // A stopped hollow process "died of SIGTERM" as a shell would report it: 128+15.
    if (c.status.state === 'CONTAINER_CREATED') this.table.exited(id, 0, 'Completed');
    else this.table.exited(id, 143, 'Error');
  }

  async removeContainer(id: string): Promise<void> {
    await this.stopContainer(id);
    this.table.containers.delete(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.table.container(id).status;
  }

  async listContainers(filter?: { podSandboxId?: string }) {
    return this.table.list(filter);
  }

  async execSync(id: string, cmd: string[]): Promise<ExecResult> {
    const c = this.table.container(id);
    if (c.status.state !== 'CONTAINER_RUNNING') throw new Error(`container ${id} is not running`);
    return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: simulate(cmd).exitCode };
  }

  /** Simulated commands with real output (simulated-exec.ts). */
  async exec(id: string, cmd: string[], io: StreamingIO): Promise<number> {
    const c = this.table.container(id);
    if (c.status.state !== 'CONTAINER_RUNNING') throw new Error(`container ${c.config.metadata.name} is not running`);
    const sandbox = this.table.sandbox(c.sandboxId).config;
    const env = Object.fromEntries(c.config.envs.map((e) => [e.key, e.value]));
    return simulatedExec(cmd, io, { hostname: sandbox.hostname || sandbox.metadata.name, env });
  }

  /** A hollow container writes nothing: attach waits for it to exit or the client to leave. */
  async attach(id: string, io: StreamingIO): Promise<void> {
    const c = this.table.container(id);
    if (c.status.state !== 'CONTAINER_RUNNING') throw new Error(`container ${c.config.metadata.name} is not running`);
    await new Promise<void>((resolve) => {
      const off = this.table.subscribe((e) => { if (e.containerId === id && e.type === 'CONTAINER_STOPPED_EVENT') { off(); resolve(); } });
      io.signal.addEventListener('abort', () => { off(); resolve(); }, { once: true });
    });
  }

  async portForward(_sandboxId: string, port: number, _conn: Duplex): Promise<void> {
    throw new Error(`the hollow runtime simulates pods: nothing listens on port ${port}`);
  }

  simulateProbe(id: string, probe: Probe): boolean {
    if (probe.exec?.command) return simulate(probe.exec.command).exitCode === 0 && this.table.containers.get(id)?.status.state === 'CONTAINER_RUNNING';
    return this.table.containers.get(id)?.status.state === 'CONTAINER_RUNNING';
  }

  subscribe(listener: ContainerEventListener): () => void {
    return this.table.subscribe(listener);
  }

  async pullImage(image: string): Promise<string> {
    let img = this.images.get(image);
    if (!img) {
      img = { id: `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`, repoTags: [image], size: 0 };
      this.images.set(image, img);
    }
    return img.id;
  }

  /** Every image is "present": a hollow node has nothing to pull (pull policy Always still "pulls"). */
  async imageStatus(image: string): Promise<Image> {
    await this.pullImage(image);
    return this.images.get(image)!;
  }

  async listImages(): Promise<Image[]> {
    return [...this.images.values()];
  }

  async removeImage(image: string): Promise<void> {
    this.images.delete(image);
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
