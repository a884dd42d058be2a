// A real node runtime for CRI tests: a network namespace of the test's own (so pod traffic
// and the registry never leave it), Debian's docker-registry inside it on 127.0.0.1:5000
// holding the busybox image built from busybox-static, and a containerd inside it with
// docker.io mirrored to that registry and a CNI bridge on 10.244.1.0/24.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod, Container } from 'kubernetes-types/core/v1.js';
import { busyboxImage } from '../../src/images/busybox-image.js';
import { writeOciLayout } from '../../src/images/oci-image.js';
import { LocalRegistry } from '../../src/images/local-registry.js';
import { ContainerdProcess } from '../../src/kubelet/runtime/cri/containerd-process.js';
import { CriRuntime } from '../../src/kubelet/runtime/cri/cri-runtime.js';
import {
  containerExtras, kubeletContainerAnnotations, kubeletContainerLabels, sandboxExtras,
  type CriContainerConfig, type CriPodSandboxConfig,
} from '../../src/kubelet/runtime/cri/pod-cri-config.js';

export const POD_CIDR = '10.244.1.0/24';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why these tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const cmd of ['containerd', 'ctr', 'runc', 'ip', 'skopeo', 'docker-registry']) {
    if (!has(cmd)) return `${cmd} is not installed (scripts/setup installs it)`;
  }
  if (!fs.existsSync('/bin/busybox')) return 'busybox-static is not installed';
  if (!fs.existsSync('/usr/lib/cni/bridge')) return 'containernetworking-plugins is not installed';
  return undefined;
}

/** Prints the reason loudly; node:test's skip option takes the same string. */
export function loudSkip(): string | undefined {
  const why = skipReason();
  if (why) console.error(`\n!!! SKIPPING CRI tests against real containerd: ${why} !!!\n`);
  return why;
}

export interface Node {
  dir: string;
  netns: string;
  containerd: ContainerdProcess;
  registry: LocalRegistry;
  runtime: CriRuntime;
  logRoot: string;
  stop(): Promise<void>;
}

export async function startNode(): Promise<Node> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-cri-'));
  const netns = `tskube-cri-${crypto.randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', netns]);
  let registry: LocalRegistry | undefined;
  let containerd: ContainerdProcess | undefined;
  let runtime: CriRuntime | undefined;
  const stop = async (): Promise<void> => {
    await runtime?.close().catch(() => {});
    await containerd?.stop().catch(() => {});
    await registry?.stop().catch(() => {});
    try { execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' }); } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    execFileSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    registry = await LocalRegistry.start({ dir: path.join(dir, 'registry'), netns });
    const layout = path.join(dir, 'busybox-oci');
    writeOciLayout(layout, [busyboxImage()]);
    await registry.push(layout, 'library/busybox:latest');
    containerd = await ContainerdProcess.start({
      dataDir: path.join(dir, 'containerd'),
      netns,
      podCIDR: POD_CIDR,
      ipMasq: false,
      registryMirrors: { 'docker.io': [registry.url] },
    });
    runtime = new CriRuntime(containerd.endpoint);
    return { dir, netns, containerd, registry, runtime, logRoot: path.join(dir, 'logs'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A pod with a uid, defaulted the way the API server would leave it. */
export function pod(name: string, containers: Container[], spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: crypto.randomUUID() },
    spec: { containers, restartPolicy: 'Never', ...spec },
  };
}

/** The configs the kubelet's pod worker builds, plus the CRI extras for the pod. */
export function sandboxConfig(node: Node, p: Pod): CriPodSandboxConfig {
  const m = p.metadata!;
  return {
    metadata: { name: m.name!, uid: m.uid!, namespace: m.namespace!, attempt: 0 },
    hostname: m.name,
    logDirectory: path.join(node.logRoot, `${m.namespace}_${m.name}_${m.uid}`),
    labels: { 'io.kubernetes.pod.name': m.name!, 'io.kubernetes.pod.namespace': m.namespace!, 'io.kubernetes.pod.uid': m.uid! },
    annotations: {},
    hostNetwork: !!p.spec?.hostNetwork,
    podCIDR: POD_CIDR,
    ...sandboxExtras(p, { clusterDNS: [], clusterDomain: 'cluster.local' }),
  };
}

export function containerConfig(p: Pod, c: Container, attempt = 0): CriContainerConfig {
  return {
    metadata: { name: c.name, attempt },
    image: c.image!,
    command: c.command ?? [],
    args: c.args ?? [],
    workingDir: c.workingDir,
    envs: (c.env ?? []).map((e) => ({ key: e.name, value: e.value ?? '' })),
    mounts: [],
    logPath: `${c.name}/${attempt}.log`,
    labels: kubeletContainerLabels(p, c),
    annotations: kubeletContainerAnnotations(p, c, attempt),
    ...containerExtras(p, c, { nodeMemoryBytes: os.totalmem() }),
  };
}

/** Runs the pod's sandbox and first container; returns their ids. */
export async function runPod(node: Node, p: Pod): Promise<{ sandboxId: string; containerId: string; sandbox: CriPodSandboxConfig }> {
  const sandbox = sandboxConfig(node, p);
  const sandboxId = await node.runtime.runPodSandbox(sandbox);
  const c = p.spec!.containers[0];
  await node.runtime.pullImage(c.image!);
  const containerId = await node.runtime.createContainer(sandboxId, containerConfig(p, c), sandbox);
  await node.runtime.startContainer(containerId);
  return { sandboxId, containerId, sandbox };
}

export async function waitExited(node: Node, id: string, timeoutMs = 60_000): Promise<Awaited<ReturnType<CriRuntime['containerStatus']>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await node.runtime.containerStatus(id);
    if (s.state === 'CONTAINER_EXITED') return s;
    if (Date.now() > deadline) throw new Error(`container ${id} still ${s.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function removePod(node: Node, sandboxId: string): Promise<void> {
  await node.runtime.stopPodSandbox(sandboxId);
  await node.runtime.removePodSandbox(sandboxId);
}
