// A containerd that tskube runs itself (`tskube up --runtime containerd` and the CRI tests):
// config and state under one data dir, CRI on, CNI bridge configured, registry mirrors, and
// tskube's own pause image imported before the first pod, so nothing comes from the internet.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pauseImage, PAUSE_IMAGE } from '../../../images/pause-image.js';
import { writeOciArchive } from '../../../images/oci-image.js';
import { importImageArchive } from '../../../images/image-import.js';
import { bridgeConflist, POD_CIDR_PLACEHOLDER } from './cni-config.js';
import { containerdConfigToml, containerdLayout, hostsToml, type ContainerdLayout, type RegistryHostConfig } from './containerd-config.js';
import { CriClient } from './cri-client.js';

export interface ContainerdProcessOptions {
  dataDir: string;
  /** Built and imported at start when it is tskube's pause image (the default). */
  sandboxImage?: string;
  /** Writes the CNI config now; without it containerd writes one on UpdateRuntimeConfig. */
  podCIDR?: string;
  cniBinDir?: string;
  bridge?: string;
  /** CNI network name (default tskube): per node when several containerds share one host. */
  networkName?: string;
  ipMasq?: boolean;
  /** Extra k3s-style per-registry settings: TLS and credentials, by registry host. */
  registryConfigs?: Record<string, RegistryHostConfig>;
  /** Environment of containerd and so of its shims (tskube up marks its processes this way). */
  env?: NodeJS.ProcessEnv;
  /** Registry host → mirror endpoints, e.g. {'docker.io': ['http://127.0.0.1:5000']}. */
  registryMirrors?: Record<string, string[]>;
  snapshotter?: 'overlayfs' | 'native' | 'auto';
  /**
   * Run containerd inside this named network namespace (only the network: `ip netns exec`
   * would remount /sys and hide the cgroup mounts runc needs), so pod traffic stays there.
   */
  netns?: string;
  containerd?: string;
  log?: (message: string) => void;
  startTimeoutMs?: number;
}

/** Parses `--registry-mirror docker.io=http://127.0.0.1:5000` (repeatable, comma-separated endpoints). */
export function parseRegistryMirrors(flags: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0) throw new Error(`--registry-mirror ${JSON.stringify(f)}: want HOST=URL[,URL…]`);
    const endpoints = f.slice(i + 1).split(',').map((s) => s.trim()).filter(Boolean);
    for (const e of endpoints) {
      if (!/^https?:\/\/[^/]+/.test(e)) throw new Error(`--registry-mirror ${JSON.stringify(f)}: ${e} is not an http(s) URL`);
    }
    (out[f.slice(0, i)] ??= []).push(...endpoints);
  }
  return out;
}

/** Whether this kernel mounts overlayfs on the data dir's filesystem (else containerd uses native). */
export function overlaySupported(dir: string): boolean {
  const base = fs.mkdtempSync(path.join(dir, 'overlay-check-'));
  const [lower, upper, work, merged] = ['l', 'u', 'w', 'm'].map((n) => path.join(base, n));
  for (const d of [lower, upper, work, merged]) fs.mkdirSync(d);
  try {
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged], { stdio: 'ignore' });
    execFileSync('umount', [merged], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/** Whether this process may lower oom_score_adj (CAP_SYS_RESOURCE, bit 24 of CapEff). */
export function hasCapSysResource(): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return !!m && (BigInt('0x' + m[1]) & (1n << 24n)) !== 0n;
  } catch {
    return false;
  }
}

/** Pids of containerd shims that serve this containerd (they outlive it by design). */
export function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.includes('containerd-shim') && argv.includes(socket)) pids.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return pids;
}

export class ContainerdProcess {
  private exited: Promise<void>;
  private exitCode: number | null = null;

  private constructor(
    readonly layout: ContainerdLayout,
    readonly snapshotter: 'overlayfs' | 'native',
    readonly sandboxImage: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => { this.exitCode = code ?? -1; resolve(); }));
  }

  /** unix:///…/containerd.sock, for --container-runtime-endpoint. */
  get endpoint(): string {
    return 'unix://' + this.layout.socket;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(o: ContainerdProcessOptions): Promise<ContainerdProcess> {
    const log = o.log ?? (() => {});
    const layout = containerdLayout(o.dataDir);
    if (Buffer.byteLength(layout.socket) > 100) throw new Error(`containerd socket path too long for a unix socket: ${layout.socket}`);
    for (const d of [layout.dataDir, layout.root, layout.state, layout.cniConfDir, layout.ipamDataDir, layout.certsDir, layout.runcRoot]) {
      fs.mkdirSync(d, { recursive: true });
    }
    const snapshotter = !o.snapshotter || o.snapshotter === 'auto'
      ? (overlaySupported(layout.dataDir) ? 'overlayfs' : 'native')
      : o.snapshotter;
    const sandboxImage = o.sandboxImage ?? PAUSE_IMAGE;
    const cniBinDir = o.cniBinDir ?? '/usr/lib/cni';
    const bridge = { bridge: o.bridge, ipamDataDir: layout.ipamDataDir, ipMasq: o.ipMasq, name: o.networkName };
    fs.writeFileSync(layout.cniTemplate, bridgeConflist({ ...bridge, podCIDR: POD_CIDR_PLACEHOLDER }));
    if (o.podCIDR) fs.writeFileSync(path.join(layout.cniConfDir, '10-tskube.conflist'), bridgeConflist({ ...bridge, podCIDR: o.podCIDR }));
    fs.rmSync(layout.certsDir, { recursive: true, force: true });
    const hosts = new Set([...Object.keys(o.registryMirrors ?? {}), ...Object.keys(o.registryConfigs ?? {})]);
    for (const host of hosts) {
      const dir = path.join(layout.certsDir, host);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'hosts.toml'), hostsToml(host, o.registryMirrors?.[host] ?? [], o.registryConfigs ?? {}));
    }
    fs.mkdirSync(layout.certsDir, { recursive: true });
    fs.writeFileSync(layout.config, containerdConfigToml(layout, {
      sandboxImage, snapshotter, cniBinDir, cniTemplate: !o.podCIDR, restrictOomScoreAdj: !hasCapSysResource(), registryConfigs: o.registryConfigs,
    }));
    fs.rmSync(layout.socket, { force: true });

    const bin = o.containerd ?? 'containerd';
    const argv = o.netns ? ['nsenter', `--net=/run/netns/${o.netns}`, '--', bin] : [bin];
    const logFd = fs.openSync(layout.log, 'a');
    const child = spawn(argv[0], [...argv.slice(1), '--config', layout.config], { stdio: ['ignore', logFd, logFd], env: o.env ?? process.env });
    fs.closeSync(logFd);
    const proc = new ContainerdProcess(layout, snapshotter, sandboxImage, child);
    child.once('error', (err) => log(`containerd: ${err.message}`));
    log(`containerd: starting (pid ${child.pid}, ${snapshotter} snapshotter, socket ${layout.socket})`);
    try {
      await proc.waitReady(o.startTimeoutMs ?? 30_000);
      if (sandboxImage === PAUSE_IMAGE) {
        const archive = path.join(layout.dataDir, 'images', 'pause.tar');
        writeOciArchive(archive, [pauseImage()]);
        await importImageArchive(archive, { address: layout.socket, snapshotter });
        log(`containerd: sandbox image ${sandboxImage} imported`);
      }
    } catch (err) {
      await proc.stop({ removePods: false });
      throw err;
    }
    return proc;
  }

  /** Waits until the CRI plugin answers Version (the socket appears before CRI is up). */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastErr: unknown;
    while (Date.now() < deadline) {
      if (this.exitCode !== null) throw new Error(`containerd exited with ${this.exitCode} at start; see ${this.layout.log}:\n${this.logTail()}`);
      if (fs.existsSync(this.layout.socket)) {
        const c = new CriClient(this.endpoint, { timeoutMs: 2000 });
        try {
          await c.version();
          return;
        } catch (err) {
          lastErr = err;
        } finally {
          c.close();
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`containerd did not answer CRI within ${timeoutMs} ms (${(lastErr as Error)?.message ?? 'no socket'}); see ${this.layout.log}:\n${this.logTail()}`);
  }

  logTail(lines = 20): string {
    try {
      return fs.readFileSync(this.layout.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Stops containerd. With removePods (the default) every pod sandbox is stopped and removed
   * first, and shims left behind are killed, so no container outlives the node.
   */
  async stop(o: { removePods?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (o.removePods !== false && this.exitCode === null) {
      const c = new CriClient(this.endpoint, { timeoutMs: 30_000 });
      try {
        for (const s of await c.listPodSandbox()) {
          await c.stopPodSandbox(s.id).catch(() => {});
          await c.removePodSandbox(s.id).catch(() => {});
        }
      } catch { /* containerd not answering: fall through to signals */ } finally {
        c.close();
      }
    }
    if (this.exitCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), o.timeoutMs ?? 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (o.removePods !== false) {
      for (const pid of shimPids(this.layout.socket)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
  }
}
