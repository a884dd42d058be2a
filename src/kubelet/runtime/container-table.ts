// The bookkeeping both built-in runtimes share: sandboxes and containers by id, their CRI
// states, and the container-event listeners. The engines decide what "running" means.
import { randomBytes } from 'node:crypto';
import type {
  Container, ContainerConfig, ContainerEventListener, ContainerStatus, PodSandboxConfig, PodSandboxStatus,
} from './runtime-service.js';

export interface SandboxRecord { status: PodSandboxStatus; config: PodSandboxConfig }
export interface ContainerRecord { sandboxId: string; config: ContainerConfig; status: ContainerStatus }

let idPool = Buffer.alloc(0);
let idPoolAt = 0;
/**
 * A new 64-hex-digit id, as containerd makes them. The random bytes are drawn 8 KiB at a
 * time: one randomBytes call per id (a sandbox and a container per hollow pod) was 2 % of a
 * hollow kubelet's CPU.
 */
export const newId = (): string => {
  if (idPoolAt + 32 > idPool.length) { idPool = randomBytes(8192); idPoolAt = 0; }
  idPoolAt += 32;
  return idPool.toString('hex', idPoolAt - 32, idPoolAt);
};

export class ContainerTable {
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  private readonly listeners = new Set<ContainerEventListener>();

  sandbox(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`rpc error: code = NotFound desc = an error occurred when try to find sandbox: not found ${id}`);
    return s;
  }

  container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw new Error(`rpc error: code = NotFound desc = an error occurred when try to find container ${JSON.stringify(id)}: not found`);
    return c;
  }

  addContainer(sandboxId: string, config: ContainerConfig, imageRef: string, logDir: string): string {
    this.sandbox(sandboxId);
    const id = newId();
    const now = Date.now();
    this.containers.set(id, {
      sandboxId, config,
      status: {
        id, metadata: config.metadata, state: 'CONTAINER_CREATED', createdAt: now, startedAt: 0, finishedAt: 0, exitCode: 0,
        image: config.image, imageRef, reason: '', message: '', logPath: logDir ? `${logDir}/${config.logPath}` : '',
        labels: config.labels, annotations: config.annotations,
      },
    });
    return id;
  }

  /** Records an exit and tells listeners. */
  exited(id: string, exitCode: number, reason: string, message = ''): void {
    const c = this.containers.get(id);
    if (!c || c.status.state === 'CONTAINER_EXITED') return;
    Object.assign(c.status, { state: 'CONTAINER_EXITED', finishedAt: Date.now(), exitCode, reason, message });
    this.emit(id, c.sandboxId, 'CONTAINER_STOPPED_EVENT');
  }

  started(id: string): void {
    const c = this.container(id);
    Object.assign(c.status, { state: 'CONTAINER_RUNNING', startedAt: Date.now() });
    this.emit(id, c.sandboxId, 'CONTAINER_STARTED_EVENT');
  }

  list(filter?: { podSandboxId?: string }): Container[] {
    const out: Container[] = [];
    for (const [id, c] of this.containers) {
      if (filter?.podSandboxId && c.sandboxId !== filter.podSandboxId) continue;
      out.push({ id, podSandboxId: c.sandboxId, metadata: c.config.metadata, state: c.status.state, createdAt: c.status.createdAt, labels: c.config.labels });
    }
    return out;
  }

  subscribe(listener: ContainerEventListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private emit(containerId: string, podSandboxId: string, type: 'CONTAINER_STARTED_EVENT' | 'CONTAINER_STOPPED_EVENT'): void {
    for (const l of this.listeners) l({ containerId, podSandboxId, type });
  }
}

/** The CRI reason for an exit: Completed for 0, Error otherwise (OOMKilled comes from cgroups). */
export const exitReason = (code: number): string => (code === 0 ? 'Completed' : 'Error');
