// The host-process runtime: each container is a real child process on the host, with no
// isolation at all (like a Windows HostProcess container). It exists so the kubelet of the
// control-plane node can run etcd, the API server, the controller manager and the scheduler
// as static pods. The image is recorded, never pulled; command + args run as given; the
// pod shares the host's network, so its IP is the node's. Output goes to CRI-format logs.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { constants } from 'node:os';
import path from 'node:path';
import type { Duplex, Writable } from 'node:stream';
import { splice } from '../streaming/port-forward-server.js';
import { ContainerTable, exitReason, newId } from './container-table.js';
import { CriLogWriter } from './cri-log-writer.js';
import { openTerminal, runWithStreams, type Terminal } from './host-process-io.js';
import type { RuntimeContext } from './runtime-registry.js';
import { processTreeUsage } from '../stats/proc-usage.js';
import type {
  ContainerConfig, ContainerEventListener, ContainerStatus, ContainerUsageSample, ExecResult, Image, PodSandboxConfig, PodSandboxStatus, Runtime, StreamingIO, VersionInfo,
} from './runtime-service.js';

/** Output of a running container, handed to whoever is attached. */
type OutputListener = (stream: 'stdout' | 'stderr', data: Buffer) => void;

interface HostProcess {
  child?: ChildProcess;
  terminal?: Terminal;
  pid?: number;
  exited: Promise<void>;
  log: CriLogWriter;
  listeners: Set<OutputListener>;
  /** The main process's stdin when the container asked for one (spec.stdin). */
  stdin?: Writable;
}

export const HOST_PROCESS_RUNTIME_NAME = 'host-process';

/** Variables a host process inherits from the kubelet before the container's own env. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ', 'NODE_OPTIONS', 'NODE_PATH', 'USER', 'MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_'];

const signalExitCode = (signal: NodeJS.Signals | null): number => 128 + (signal ? (constants.signals[signal] ?? 0) : 0);

export class HostProcessRuntime implements Runtime {
  readonly traits = { simulated: false, hostNetworkOnly: true };
  private readonly table = new ContainerTable();
  private readonly procs = new Map<string, HostProcess>();
  private readonly images = new Map<string, Image>();

  constructor(private readonly ctx: RuntimeContext) {}

  async version(): Promise<VersionInfo> {
    return { runtimeName: HOST_PROCESS_RUNTIME_NAME, runtimeVersion: process.version, runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    this.table.sandboxes.set(id, { config, status: { id, metadata: config.metadata, state: 'SANDBOX_READY', createdAt: Date.now(), ips: [this.ctx.nodeIP] } });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = this.table.sandboxes.get(id);
    if (!s) return;
    await Promise.all(this.table.list({ podSandboxId: id }).map((c) => this.stopContainer(c.id, 0)));
    s.status.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const c of this.table.list({ podSandboxId: id })) await this.removeContainer(c.id);
    this.table.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return this.table.sandbox(id).status;
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    if (config.command.length === 0 && config.args.length === 0) {
      throw new Error(`host-process containers need a command: image ${JSON.stringify(config.image)} is not pulled, so it has no entrypoint`);
    }
    return this.table.addContainer(sandboxId, config, await this.pullImage(config.image), sandboxConfig.logDirectory);
  }

  private env(config: ContainerConfig, mountPoint?: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
    if (mountPoint) env.CONTAINER_SANDBOX_MOUNT_POINT = mountPoint;
    for (const { key, value } of config.envs) env[key] = value;
    return env;
  }

  /**
   * A host process sees the host's filesystem, so volumes cannot appear at their mountPath.
   * As Windows HostProcess containers do, they appear under $CONTAINER_SANDBOX_MOUNT_POINT
   * (ROOT/pods/UID/host-process/CONTAINER), as symlinks at mountPath to the volume's files.
   */
  private mountPoint(sandboxId: string, config: ContainerConfig): string {
    const uid = this.table.sandbox(sandboxId).config.metadata.uid;
    const dir = path.join(this.ctx.rootDir, 'pods', uid, 'host-process', config.metadata.name);
    fs.mkdirSync(dir, { recursive: true });
    for (const m of config.mounts) {
      const link = path.join(dir, m.containerPath);
      if (!link.startsWith(dir + path.sep)) continue;
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.rmSync(link, { force: true, recursive: false });
      fs.symlinkSync(m.hostPath, link);
    }
    return dir;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.table.container(id);
    if (c.status.state !== 'CONTAINER_CREATED') throw new Error(`container ${id} is in state ${c.status.state}, not created`);
    const argv = [...c.config.command, ...c.config.args];
    const log = new CriLogWriter(c.status.logPath);
    const mountPoint = this.mountPoint(c.sandboxId, c.config);
    const listeners = new Set<OutputListener>();
    const output = (stream: 'stdout' | 'stderr', d: Buffer) => {
      log.write(stream, d);
      for (const l of listeners) l(stream, d);
    };
    let finish!: (code: number, message?: string, reason?: string) => void;
    const exited = new Promise<void>((resolve) => {
      let done = false;
      finish = (code, message = '', reason = exitReason(code)) => {
        if (done) return;
        done = true;
        log.close();
        this.procs.delete(id);
        this.table.exited(id, code, reason, message);
        resolve();
      };
    });
    const proc: HostProcess = { exited, log, listeners };
    const cwd = c.config.workingDir || mountPoint;
    const env = this.env(c.config, mountPoint);
    if (c.config.tty) {
      // a terminal of its own: its session leader's pid is also its process group
      let term: Terminal;
      try {
        term = await openTerminal({ argv, cwd, env });
      } catch (err) {
        throw new Error(`starting ${argv[0]} on a terminal: ${(err as Error).message}`);
      }
      proc.terminal = term;
      proc.pid = term.pid;
      proc.stdin = c.config.stdin ? { write: (d: Buffer) => term.write(d) } as unknown as Writable : undefined;
      term.onData((d) => output('stdout', Buffer.from(d)));
      term.onExit((e) => finish(e.signal ? 128 + e.signal : e.exitCode));
    } else {
      const child = spawn(argv[0], argv.slice(1), {
        cwd, env, stdio: [c.config.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        // its own process group, so a stop reaches everything it started
        detached: true,
      });
      proc.child = child;
      proc.pid = child.pid;
      if (child.stdin) { child.stdin.on('error', () => undefined); proc.stdin = child.stdin; }
      child.stdout!.on('data', (d: Buffer) => output('stdout', d));
      child.stderr!.on('data', (d: Buffer) => output('stderr', d));
      child.once('error', (err) => {
        // spawn failures (ENOENT, EACCES) are start failures: CRI reports exit code 128
        log.write('stderr', Buffer.from(`${err.message}\n`));
        finish(128, err.message, 'StartError');
      });
      child.once('close', (code, signal) => finish(code ?? signalExitCode(signal)));
    }
    this.procs.set(id, proc);
    this.table.started(id);
    this.ctx.log(`host-process: started ${c.config.metadata.name} (pid ${proc.pid}): ${argv.join(' ')}`);
  }

  private signal(p: HostProcess, sig: NodeJS.Signals): void {
    try {
      if (p.pid) process.kill(-p.pid, sig);
    } catch {
      try { if (p.pid) process.kill(p.pid, sig); } catch { /* already gone */ }
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const p = this.procs.get(id);
    if (!p) {
      const c = this.table.containers.get(id);
      if (c?.status.state === 'CONTAINER_CREATED') this.table.exited(id, 0, 'Completed');
      return;
    }
    this.signal(p, 'SIGTERM');
    const kill = setTimeout(() => this.signal(p, 'SIGKILL'), Math.max(0, timeoutSeconds) * 1000);
    await p.exited;
    clearTimeout(kill);
  }

  async removeContainer(id: string): Promise<void> {
    await this.stopContainer(id, 0);
    this.table.containers.delete(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.table.container(id).status;
  }

  /** A host process has no cgroup of its own here: its process tree is measured from /proc. */
  async containerStats(id: string): Promise<ContainerUsageSample | undefined> {
    const pid = this.procs.get(id)?.pid;
    return pid ? processTreeUsage(pid) : undefined;
  }

  async listContainers(filter?: { podSandboxId?: string }) {
    return this.table.list(filter);
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
    const c = this.table.container(id);
    if (c.status.state !== 'CONTAINER_RUNNING') throw new Error(`container ${id} is not running`);
    return new Promise((resolve, reject) => {
      const child = spawn(cmd[0], cmd.slice(1), { cwd: c.config.workingDir || undefined, env: this.env(c.config), stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => err.push(d));
      const timer = timeoutSeconds > 0 ? setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`command timed out after ${timeoutSeconds}s`)); }, timeoutSeconds * 1000) : undefined;
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code ?? signalExitCode(signal) });
      });
    });
  }

  /** The container's environment and working directory, for exec. */
  private processSpec(id: string, argv: string[]) {
    const c = this.table.container(id);
    if (c.status.state !== 'CONTAINER_RUNNING') throw new Error(`container ${id} is not running`);
    const uid = this.table.sandbox(c.sandboxId).config.metadata.uid;
    const mountPoint = path.join(this.ctx.rootDir, 'pods', uid, 'host-process', c.config.metadata.name);
    return { argv, cwd: c.config.workingDir || mountPoint, env: this.env(c.config, mountPoint) };
  }

  async exec(id: string, cmd: string[], io: StreamingIO): Promise<number> {
    return runWithStreams(this.processSpec(id, cmd), io);
  }

  async attach(id: string, io: StreamingIO): Promise<void> {
    const c = this.table.container(id);
    const p = this.procs.get(id);
    if (!p || c.status.state !== 'CONTAINER_RUNNING') throw new Error(`container ${c.config.metadata.name} is not running`);
    const ended = new Promise<void>((resolve) => {
      void p.exited.then(resolve);
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const onInput = (d: Buffer) => p.stdin?.write(d);
    if (io.stdin && p.stdin) {
      io.stdin.on('data', onInput);
      // stdinOnce: the first attached client's end of input is the container's
      if (c.config.stdinOnce && p.child?.stdin) io.stdin.once('end', () => p.child!.stdin!.end());
    }
    if (p.terminal) {
      const term = p.terminal;
      io.onResize((s) => term.resize(s.width, s.height));
    }
    // with a terminal everything the process writes is on stdout
    const listener: OutputListener = (stream, d) => {
      const to = stream === 'stdout' || p.terminal ? io.stdout : io.stderr;
      if (to?.writable) to.write(d);
    };
    p.listeners.add(listener);
    await ended;
    p.listeners.delete(listener);
    io.stdin?.off('data', onInput);
  }

  /** Host-process pods share the host's network: the port is on 127.0.0.1. */
  portForward(_podSandboxId: string, port: number, conn: Duplex): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        void splice(conn, sock).then(resolve);
      });
    });
  }

  subscribe(listener: ContainerEventListener): () => void {
    return this.table.subscribe(listener);
  }

  async pullImage(image: string): Promise<string> {
    // Nothing is pulled: the image name is only a label for what the process is.
    let img = this.images.get(image);
    if (!img) {
      img = { id: `host-process://${image}`, repoTags: [image], size: 0 };
      this.images.set(image, img);
    }
    return img.id;
  }

  /** The host is the image: it is always present. */
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

  /** Host processes have no runtime to outlive the kubelet in: stop them all. */
  async close(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((id) => this.stopContainer(id, 10)));
  }
}

