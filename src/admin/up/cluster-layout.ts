// Where `tskube up` keeps a cluster: one data dir shaped like a kubeadm node's /etc/kubernetes
// plus the state a local cluster needs (data, logs, the pid of the `up` process).
import os from 'node:os';
import path from 'node:path';

export interface ClusterLayout {
  name: string;
  dataDir: string;
  pkiDir: string;
  manifestsDir: string;
  etcdDataDir: string;
  logsDir: string;
  nodesDir: string;
  adminConf: string;
  stateFile: string;
  pidFile: string;
  readyFile: string;
  upLog: string;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkClusterName(name: string): string {
  if (!NAME_RE.test(name) || name.length > 40) throw new Error(`invalid cluster name ${JSON.stringify(name)}: use lower-case letters, digits and '-' (at most 40), as it becomes part of node names`);
  return name;
}

/** ~/.tskube/NAME, or /var/lib/tskube/NAME when run as root (like k3s' /var/lib/rancher). */
export function defaultDataDir(name: string): string {
  return process.getuid?.() === 0 ? path.join('/var/lib/tskube', name) : path.join(os.homedir(), '.tskube', name);
}

export function clusterLayout(name: string, dataDir = defaultDataDir(name)): ClusterLayout {
  const d = path.resolve(dataDir);
  return {
    name,
    dataDir: d,
    pkiDir: path.join(d, 'pki'),
    manifestsDir: path.join(d, 'manifests'),
    etcdDataDir: path.join(d, 'etcd'),
    logsDir: path.join(d, 'logs'),
    nodesDir: path.join(d, 'nodes'),
    adminConf: path.join(d, 'admin.conf'),
    stateFile: path.join(d, 'cluster.json'),
    pidFile: path.join(d, 'tskube-up.pid'),
    readyFile: path.join(d, 'ready'),
    upLog: path.join(d, 'logs', 'up.log'),
  };
}

export const nodeDir = (l: ClusterLayout, node: string): string => path.join(l.nodesDir, node);
/** The kubelet's serving certificate (kubelet-serving.crt/.key), signed by the cluster CA. */
export const kubeletPkiDir = (l: ClusterLayout, node: string): string => path.join(nodeDir(l, node), 'pki');
export const nodeKubeconfig = (l: ClusterLayout, node: string, controlPlane: boolean): string =>
  controlPlane ? path.join(l.dataDir, 'kubelet.conf') : path.join(nodeDir(l, node), 'kubelet.conf');

/** NAME-control-plane, NAME-worker, NAME-worker2, … as kind names them. */
export function nodeNames(name: string, nodes: number): string[] {
  const out = [`${name}-control-plane`];
  for (let i = 1; i < nodes; i++) out.push(i === 1 ? `${name}-worker` : `${name}-worker${i}`);
  return out;
}
