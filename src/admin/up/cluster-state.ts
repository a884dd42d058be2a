// cluster.json in the data dir: the choices made when the cluster was first created (ports,
// ranges, node names), so a second `tskube up` brings back the very same cluster.
import fs from 'node:fs';
import { writeFileAtomic } from '../pki/cert-files.js';
import { nodeNames, type ClusterLayout } from './cluster-layout.js';
import { pickPort } from './free-port.js';
import type { NodeNetworkPlan } from './node-network.js';

export interface NodeState { name: string; controlPlane: boolean; kubeletPort: number; healthzPort: number }

export interface ClusterState {
  name: string;
  apiserverPort: number;
  etcdClientPort: number;
  etcdPeerPort: number;
  controllerManagerPort: number;
  schedulerPort: number;
  serviceCIDR: string;
  clusterCIDR: string;
  advertiseAddress: string;
  /** Host-network add-on ports (kube-proxy healthz/metrics, cluster DNS), per cluster so two can share a machine. */
  addonPorts?: { proxyHealthz: number; proxyMetrics: number; dns: number };
  nodes: NodeState[];
  /** Real workers' node network (`--runtime containerd --nodes N`), kept so `down` removes it and a second `up` reuses its addresses. */
  nodeNetwork?: NodeNetworkPlan;
}

export function readState(l: ClusterLayout): ClusterState | undefined {
  if (!fs.existsSync(l.stateFile)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(l.stateFile, 'utf8')) as ClusterState;
  } catch (err) {
    throw new Error(`${l.stateFile}: unreadable cluster state (${(err as Error).message}); remove the data dir ${l.dataDir} to start afresh`);
  }
}

export function writeState(l: ClusterLayout, s: ClusterState): void {
  writeFileAtomic(l.stateFile, JSON.stringify(s, null, 2) + '\n', 0o644);
}

export interface StateRequest { apiserverPort?: number; nodes: number }

/** The saved state, extended with ports for nodes added since; or a new one. */
export async function resolveState(l: ClusterLayout, req: StateRequest): Promise<ClusterState> {
  const old = readState(l);
  if (old && old.name !== l.name) throw new Error(`${l.stateFile} belongs to cluster "${old.name}", not "${l.name}"`);
  if (old && req.apiserverPort !== undefined && req.apiserverPort !== old.apiserverPort) {
    throw new Error(`cluster "${l.name}" was created with --apiserver-port ${old.apiserverPort}; its certificates and kubeconfigs name that port (remove ${l.dataDir} to start afresh)`);
  }
  const apiserverPort = old?.apiserverPort ?? req.apiserverPort ?? 6443;
  // upstream's ports for the standard cluster; one on another API server port is a second
  // cluster on this machine, so its other ports are picked freely rather than taken from the first
  const std = (port: number): number | undefined => (apiserverPort === 6443 ? port : undefined);
  const s: ClusterState = old ?? {
    name: l.name,
    apiserverPort,
    etcdClientPort: await pickPort(std(2379)),
    etcdPeerPort: await pickPort(std(2380)),
    controllerManagerPort: await pickPort(std(10257)),
    schedulerPort: await pickPort(std(10259)),
    serviceCIDR: '10.96.0.0/12',
    clusterCIDR: '10.244.0.0/16',
    advertiseAddress: '127.0.0.1',
    nodes: [],
  };
  const names = nodeNames(l.name, req.nodes);
  const nodes: NodeState[] = [];
  for (const [i, name] of names.entries()) {
    nodes.push(s.nodes.find((n) => n.name === name) ?? { name, controlPlane: i === 0, kubeletPort: await pickPort(std(10250)), healthzPort: await pickPort(std(10248)) });
  }
  const addonPorts = s.addonPorts ?? { proxyHealthz: await pickPort(std(10256)), proxyMetrics: await pickPort(std(10249)), dns: await pickPort(undefined) };
  return { ...s, addonPorts, nodes };
}
