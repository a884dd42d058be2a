// `tskube up --runtime containerd`: one containerd per node, run by the `up` process as k3s
// runs its own — config and state under DATA_DIR/nodes/NODE/containerd, the CRI plugin on,
// a CNI bridge of the node's own (its pod CIDR comes from nodeipam through the kubelet's
// UpdateRuntimeConfig), registry mirrors, tskube's pause and add-on images imported at start, the
// stream server on loopback. Stopping a node removes every sandbox through CRI (so CNI
// releases addresses and port mappings), stops containerd, and sweeps what a crash could
// have left: shims, processes in the node's cgroups, network namespaces, the bridge.
//
// A worker's containerd runs inside its node's network namespace (`netns`, from
// node-network.ts) when the cluster has several nodes, so that node's pods live there; the
// control plane's runs in the namespace `tskube up` runs in.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ContainerdProcess, shimPids } from '../../kubelet/runtime/cri/containerd-process.js';
import { containerdLayout, type RegistryHostConfig } from '../../kubelet/runtime/cri/containerd-config.js';
import { CriClient } from '../../kubelet/runtime/cri/cri-client.js';
import { type ClusterLayout, nodeDir } from './cluster-layout.js';
import { ADDON_IMAGE } from '../addons/addon-input.js';
import { busyboxImage } from '../../images/busybox-image.js';
import { writeOciArchive } from '../../images/oci-image.js';
import { importImageArchive } from '../../images/image-import.js';
import { alive, waitGone } from './processes.js';

export interface NodeRuntimeOptions {
  mirrors: Record<string, string[]>;
  configs: Record<string, RegistryHostConfig>;
  /** The node's network namespace, if it has one of its own (multi-node networking). */
  netns?: string;
  /**
   * Pod traffic from this range to anywhere outside it takes the node's address, by one rule of
   * the node's (unset: the node's network namespace does it). Not the bridge plugin's ipMasq,
   * which runs iptables on every pod's CNI ADD and DEL (+0.1–1.5 s per sandbox at load 15–19).
   */
  masqueradeCIDR?: string;
  log(message: string): void;
}

const hash = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 8);

export const nodeContainerdDir = (l: ClusterLayout, node: string): string => path.join(nodeDir(l, node), 'containerd');
/** A bridge name of at most 15 characters, unique per cluster data dir and node. */
export const nodeBridge = (l: ClusterLayout, node: string): string => `tsk${hash(`${l.dataDir}\0${node}`)}`;
export const nodeNetworkName = (l: ClusterLayout, node: string): string => `tskube-${hash(`${l.dataDir}\0${node}`)}`;
/** Pods of a node go under this cgroup (kubelet --cgroup-root), so a sweep finds every one. */
export const nodeCgroupRoot = (l: ClusterLayout, node: string): string => `/tskube/${l.name}/${node}`;
export const nodeEndpoint = (l: ClusterLayout, node: string): string => `unix://${containerdLayout(nodeContainerdDir(l, node)).socket}`;

/** Pids of a containerd started with this config file. */
export function containerdPids(config: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('containerd')) && argv.includes(config)) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

export async function startNodeRuntime(l: ClusterLayout, node: string, o: NodeRuntimeOptions): Promise<ContainerdProcess> {
  await sweepNodeRuntime(l, node, o.log); // whatever an earlier run left, so the node starts clean
  if (!o.netns) openBridgeToLoopbackServices(nodeBridge(l, node), nodeNetworkName(l, node));
  if (o.masqueradeCIDR) masqueradePodTraffic(o.masqueradeCIDR, nodeNetworkName(l, node));
  const proc = await ContainerdProcess.start({
    dataDir: nodeContainerdDir(l, node),
    bridge: nodeBridge(l, node),
    networkName: nodeNetworkName(l, node),
    ipMasq: false,
    registryMirrors: o.mirrors,
    registryConfigs: o.configs,
    netns: o.netns,
    log: (m) => o.log(`${node}: ${m}`),
  });
  try {
    // the add-ons' image (kube-proxy, kube-dns), built here like the pause image: nothing is pulled
    const archive = path.join(nodeContainerdDir(l, node), 'images', 'addon-base.tar');
    writeOciArchive(archive, [busyboxImage(ADDON_IMAGE)]);
    await importImageArchive(archive, { address: proc.endpoint, snapshotter: proc.snapshotter });
    o.log(`${node}: containerd: add-on image ${ADDON_IMAGE} imported`);
  } catch (err) {
    await proc.stop({ removePods: false });
    throw err;
  }
  return proc;
}

/**
 * The control plane and host-network pods (kube-dns among them) listen on the node's loopback,
 * so a Service in front of them NATs a pod's packet to 127.0.0.1 — which the kernel drops as
 * martian unless route_localnet is on for the interface it came in by. So the bridge is made
 * here (the CNI bridge plugin takes an existing one) with route_localnet on, and, as upstream
 * kube-proxy guards its own route_localnet, only NATed packets may reach 127.0.0.0/8 through it.
 */
export function openBridgeToLoopbackServices(bridge: string, network: string): void {
  try {
    execFileSync('ip', ['link', 'show', bridge], { stdio: 'ignore' });
  } catch {
    execFileSync('ip', ['link', 'add', 'name', bridge, 'type', 'bridge'], { stdio: 'ignore' });
  }
  execFileSync('ip', ['link', 'set', bridge, 'up'], { stdio: 'ignore' });
  fs.writeFileSync(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1');
  execFileSync('iptables', ['-w', '-I', 'INPUT', '-i', bridge, '-d', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT',
    '-m', 'comment', '--comment', `${localnetGuard(network)}`, '-j', 'DROP'], { stdio: 'ignore' });
}

const localnetGuard = (network: string) => `tskube ${network}: only Service NAT reaches loopback`;
const masqComment = (network: string) => `tskube ${network}: pod traffic leaving the cluster network`;

/**
 * Pods reach beyond the node, as on any cluster: what leaves the cluster network takes the
 * node's address (kind's ip-masq-agent, upstream kubenet's non-masquerade CIDR) — one rule for
 * the node, set up once, where the bridge plugin's ipMasq adds a chain per pod.
 */
export function masqueradePodTraffic(clusterCIDR: string, network: string): void {
  execFileSync('iptables', ['-w', '-t', 'nat', '-A', 'POSTROUTING', '-s', clusterCIDR, '!', '-d', clusterCIDR,
    '-m', 'comment', '--comment', masqComment(network), '-j', 'MASQUERADE'], { stdio: 'ignore' });
}

/** Removes every sandbox through CRI, stops containerd, then sweeps. */
export async function stopNodeRuntime(proc: ContainerdProcess, l: ClusterLayout, node: string, log: (m: string) => void): Promise<void> {
  await proc.stop({ removePods: true });
  await sweepNodeRuntime(l, node, log);
}

/** The directories of a cgroup tree in every mounted hierarchy (v2 and v1), parents first. */
function cgroupDirs(rel: string): string[] {
  const dirs: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    dirs.push(d);
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  let hierarchies: string[] = [];
  try { hierarchies = fs.readdirSync('/sys/fs/cgroup'); } catch { /* none */ }
  for (const h of ['', ...hierarchies]) walk(path.join('/sys/fs/cgroup', h, rel));
  return dirs;
}

/** Kills every process in a cgroup tree (all hierarchies); returns how many. */
export function killCgroupTree(rel: string): number {
  let killed = 0;
  for (const d of cgroupDirs(rel)) {
    let pids: string[] = [];
    try { pids = fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean); } catch { /* not a cgroup dir */ }
    for (const p of pids) {
      try { process.kill(Number(p), 'SIGKILL'); killed++; } catch { /* gone */ }
    }
  }
  return killed;
}

function removeCgroupTree(rel: string): void {
  for (const d of cgroupDirs(rel).sort((a, b) => b.length - a.length)) {
    try { fs.rmdirSync(d); } catch { /* busy or gone */ }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a node's runtime may leave when `up` died without stopping it: a containerd still
 * running (its sandboxes are removed through CRI first), shims, container processes in the
 * node's cgroups, network namespace mounts, the CNI bridge.
 */
export async function sweepNodeRuntime(l: ClusterLayout, node: string, log: (m: string) => void): Promise<void> {
  const layout = containerdLayout(nodeContainerdDir(l, node));
  const running = containerdPids(layout.config).filter(alive);
  if (running.length && fs.existsSync(layout.socket)) {
    const c = new CriClient(`unix://${layout.socket}`, { timeoutMs: 15_000 });
    try {
      const sandboxes = await c.listPodSandbox();
      if (sandboxes.length) log(`${node}: removing ${sandboxes.length} pod sandbox(es) left by an earlier run`);
      for (const s of sandboxes) {
        await c.stopPodSandbox(s.id).catch(() => undefined);
        await c.removePodSandbox(s.id).catch(() => undefined);
      }
    } catch { /* not answering: the signals below do it */ } finally {
      c.close();
    }
  }
  for (const pid of running) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  const left = await waitGone(() => containerdPids(layout.config).filter(alive), 10_000);
  for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const pid of shimPids(layout.socket)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  const cg = nodeCgroupRoot(l, node);
  if (killCgroupTree(cg) > 0) await sleep(200);
  removeCgroupTree(cg);
  for (const h of ['', ...fs.readdirSync('/sys/fs/cgroup')]) {
    for (const d of [`tskube/${l.name}`, 'tskube']) { try { fs.rmdirSync(path.join('/sys/fs/cgroup', h, d)); } catch { /* in use or gone */ } }
  }
  const netnsDir = path.join(layout.state, 'io.containerd.grpc.v1.cri', 'netns');
  if (fs.existsSync(netnsDir)) {
    for (const f of fs.readdirSync(netnsDir)) {
      const p = path.join(netnsDir, f);
      try { execFileSync('umount', [p], { stdio: 'ignore' }); } catch { /* not mounted */ }
      fs.rmSync(p, { force: true });
    }
  }
  try {
    execFileSync('ip', ['link', 'show', nodeBridge(l, node)], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'del', nodeBridge(l, node)], { stdio: 'ignore' });
  } catch { /* no bridge */ }
  // host-local's leases of removed pods (CNI DEL normally releases them)
  fs.rmSync(path.join(layout.ipamDataDir, nodeNetworkName(l, node)), { recursive: true, force: true });
  removeCniRules(nodeNetworkName(l, node));
  removeRules('filter', localnetGuard(nodeNetworkName(l, node)));
  removeRules('nat', masqComment(nodeNetworkName(l, node)));
}

/** Deletes the rules of a table whose comment is `comment` (one iptables-restore --noflush). */
function removeRules(table: string, comment: string): void {
  let saved: string;
  try {
    saved = execFileSync('iptables-save', ['-t', table], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return; // no iptables
  }
  const rules = saved.split('\n').filter((line) => line.startsWith('-A ') && line.includes(`--comment "${comment}"`));
  if (!rules.length) return;
  const input = [`*${table}`, ...rules.map((r) => r.replace(/^-A /, '-D ')), 'COMMIT', ''].join('\n');
  try {
    execFileSync('iptables-restore', ['--noflush'], { input, stdio: ['pipe', 'ignore', 'ignore'] });
  } catch { /* changed meanwhile: the next sweep tries again */ }
}

/**
 * NAT rules the bridge (ipMasq) and portmap plugins made for this network and never took
 * back (CNI DEL normally does): their comments name the network. Deleted with one
 * iptables-restore --noflush, along with the per-container chains they jump to.
 */
export function removeCniRules(network: string): void {
  let saved: string;
  try {
    saved = execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return; // no iptables
  }
  const marker = `name: \\"${network}\\"`;
  const rules = saved.split('\n').filter((line) => line.startsWith('-A ') && line.includes(marker));
  if (!rules.length) return;
  const chains = new Set<string>();
  for (const r of rules) {
    const j = / -j (CNI-[A-Za-z0-9-]+)/.exec(r);
    if (j && !j[1].startsWith('CNI-HOSTPORT-')) chains.add(j[1]); // per-container chains; the shared ones stay
  }
  const input = ['*nat', ...rules.map((r) => r.replace(/^-A /, '-D ')), ...[...chains].flatMap((c) => [`-F ${c}`, `-X ${c}`]), 'COMMIT', ''].join('\n');
  try {
    execFileSync('iptables-restore', ['--noflush'], { input, stdio: ['pipe', 'ignore', 'ignore'] });
  } catch { /* rules changed meanwhile: the next sweep tries again */ }
}
