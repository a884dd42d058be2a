// Everything `tskube up` writes before it starts a process: the cluster state, the PKI,
// the kubeconfigs (the control plane's and one per worker kubelet) and the static pod
// manifests. All of it idempotent, so a second `up` finds the same cluster.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../api/package-root.js';
import { describeKubeconfig } from '../kubeconfig/ensure-kubeconfig.js';
import type { Args } from '../manifests/component-args.js';
import { controlPlaneManifests, manifestText } from '../manifests/control-plane.js';
import { describeStep } from '../pki/ensure-pki.js';
import { writeClusterCerts, writeClusterCertsOffThread, type ClusterCertsInput } from './cluster-certs.js';
import { writeFileAtomic } from '../pki/cert-files.js';
import { kubeletPkiDir, nodeDir, type ClusterLayout } from './cluster-layout.js';
import { resolveState, writeState, type ClusterState } from './cluster-state.js';
import { MARKER_ENV } from './processes.js';
import { chooseNodeSubnet, planNodeNetwork, type NodeNetworkPlan } from './node-network.js';
import { effectiveProxyMode, type ProxyMode } from './addons.js';
import { componentFlags, tskubeArgv, type Component, type FlagSet } from './tskube-command.js';

export interface PrepareOptions {
  apiserverPort?: number;
  nodes: number;
  etcdServers?: string[];
  apiserverArgs: Args;
  controllerManagerArgs: Args;
  schedulerArgs: Args;
  out: (line: string) => void;
  verbose?: boolean;
  /** Workers get network namespaces of their own, joined by a bridge (node-network.ts). */
  nodeNetwork?: boolean;
  proxyMode?: ProxyMode;
}

export interface Prepared { state: ClusterState; flags: Map<Component, FlagSet>; network?: NodeNetworkPlan }

export function tskubeVersion(): string {
  try {
    const pkg = path.join(packageRoot(), 'package.json');
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Writes a file only when its content changes, so the kubelet sees no needless update. */
function writeIfChanged(file: string, text: string, mode: number): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  writeFileAtomic(file, text, mode);
  return true;
}

export async function prepareCluster(l: ClusterLayout, o: PrepareOptions): Promise<Prepared> {
  fs.mkdirSync(l.dataDir, { recursive: true, mode: 0o700 });
  for (const d of [l.manifestsDir, l.logsDir, l.nodesDir]) fs.mkdirSync(d, { recursive: true });
  const state = await resolveState(l, { apiserverPort: o.apiserverPort, nodes: o.nodes });
  const cp = state.nodes[0];
  // planned before the certificates: the API server's names the bridge's gateway, where workers reach it
  // (the subnet is kept in the state, so the same cluster comes back on the same addresses)
  const network = o.nodeNetwork
    ? planNodeNetwork(l.dataDir, state.nodes.map((n) => n.name), state.nodeNetwork?.subnet ?? chooseNodeSubnet(l.dataDir), state.clusterCIDR)
    : undefined;
  state.nodeNetwork = network;
  const nodeIP = (name: string): string => network?.nodes.find((n) => n.name === name)?.ip ?? '127.0.0.1';
  const certsInput: ClusterCertsInput = {
    pki: { certDir: l.pkiDir, advertiseAddress: state.advertiseAddress, serviceCIDR: state.serviceCIDR, nodeName: cp.name, extraSANs: network ? [network.gateway] : [] },
    clusterName: l.name, dataDir: l.dataDir, controlPlane: cp.name,
    server: `https://127.0.0.1:${state.apiserverPort}`,
    // a worker in a namespace of its own reaches the API server on the gateway
    workerServer: `https://${network ? network.gateway : '127.0.0.1'}:${state.apiserverPort}`,
    nodes: state.nodes.map((n) => ({ name: n.name, dir: nodeDir(l, n.name), pkiDir: kubeletPkiDir(l, n.name), ips: [...new Set([nodeIP(n.name), '127.0.0.1'])] })),
  };
  // a fresh cluster makes its certificates on a worker thread (the X.509 library leaves with
  // it); an existing one only reads and checks them, which needs no library
  const certs = fs.existsSync(path.join(l.pkiDir, 'ca.crt')) ? await writeClusterCerts(certsInput) : await writeClusterCertsOffThread(certsInput);
  const created = certs.steps.filter((s) => s.action === 'created');
  for (const s of o.verbose ? certs.steps : created) o.out(describeStep(s));
  if (!o.verbose && created.length < certs.steps.length) o.out(`[certs] Using ${certs.steps.length - created.length} existing certificates and keys in ${l.pkiDir}`);
  for (const k of certs.kubeconfigs) if (k.action === 'created' || o.verbose) o.out(describeKubeconfig(k.file, k.action));
  if (o.verbose) for (const cert of certs.servingCreated) o.out(`[kubelet] Generating serving certificate ${cert}`);

  // the userspace proxier cannot carry this host's own connections to a ClusterIP, so the
  // aggregator goes to the endpoints (unless the user chose otherwise)
  const routing: Args = effectiveProxyMode(o.proxyMode) === 'userspace' && !o.apiserverArgs.some(([k]) => k === 'enable-aggregator-routing')
    ? [['enable-aggregator-routing', 'true']] : [];
  const flags = await componentFlags(['etcd', 'apiserver', 'controller-manager', 'scheduler', 'kubelet'], path.join(l.dataDir, '.component-flags.json'));
  const dropped: string[] = [];
  const manifests = controlPlaneManifests({
    clusterName: l.name, nodeName: cp.name, tskube: tskubeArgv(), version: tskubeVersion(),
    pkiDir: l.pkiDir, kubeconfigDir: l.dataDir, etcdDataDir: l.etcdDataDir, advertiseAddress: state.advertiseAddress,
    apiserverPort: state.apiserverPort, etcdClientPort: state.etcdClientPort, etcdPeerPort: state.etcdPeerPort,
    controllerManagerPort: state.controllerManagerPort, schedulerPort: state.schedulerPort,
    serviceCIDR: state.serviceCIDR, clusterCIDR: state.clusterCIDR, etcdServers: o.etcdServers,
    // workers (and their pods, through the `kubernetes` Service) reach the API server on the
    // gateway: it listens on every address, upstream's default, and advertises the gateway
    extra: { apiserver: network ? [['advertise-address', network.gateway], ['bind-address', '0.0.0.0'], ...routing, ...o.apiserverArgs] : [...routing, ...o.apiserverArgs], controllerManager: o.controllerManagerArgs, scheduler: o.schedulerArgs },
    known: { etcd: flags.get('etcd'), apiserver: flags.get('apiserver'), 'controller-manager': flags.get('controller-manager'), scheduler: flags.get('scheduler') },
    env: { [MARKER_ENV]: l.dataDir },
    dropped: (c, f) => dropped.push(`${c} --${f}`),
  });
  if (dropped.length && o.verbose) o.out(`[control-plane] not yet understood by this install, left out: ${dropped.join(', ')}`);
  for (const m of manifests) {
    if (writeIfChanged(path.join(l.manifestsDir, m.file), manifestText(m), 0o600)) o.out(`[control-plane] Writing static Pod manifest ${path.join(l.manifestsDir, m.file)}`);
  }
  if (o.etcdServers?.length) fs.rmSync(path.join(l.manifestsDir, 'etcd.yaml'), { force: true });
  writeState(l, state);
  return { state, flags, network };
}
