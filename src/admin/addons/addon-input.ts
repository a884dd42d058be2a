// What the add-on manifests (kube-proxy, kube-dns) need to know about the cluster.
import type { VolumeMount, Volume } from 'kubernetes-types/core/v1.js';

export interface AddonInput {
  /** The API server as pods reach it (kubeadm's controlPlaneEndpoint). */
  apiServerURL: string;
  /** [node, /abs/dist/src/cli/main.js] of this install. */
  tskube: [string, string];
  /** The install's root (the folder holding dist/ and node_modules/). */
  installDir: string;
  version: string;
  clusterCIDR: string;
  serviceCIDR: string;
  clusterDomain: string;
  proxyMode: 'iptables' | 'nftables' | 'userspace';
  /** Per-cluster ports, as host-network pods of two clusters on one machine must not collide. */
  proxyHealthzPort: number;
  proxyMetricsPort: number;
  dnsPort: number;
  /** Run cluster DNS on the control-plane node only (its workers are simulated). */
  dnsOnControlPlane: boolean;
  dnsReplicas: number;
  /**
   * Every node shares the host's network (`tskube up --runtime containerd` today): one
   * kube-proxy programs it, on the control plane, and cluster DNS runs on the host network,
   * since the API server listens on the node's loopback only.
   */
  sharedNetwork?: boolean;
}

export const CONTROL_PLANE_TAINT_KEY = 'node-role.kubernetes.io/control-plane';
/**
 * The add-ons' image: busybox from busybox-static, which `tskube up --runtime containerd`
 * imports into every node's containerd (nothing is pulled); tskube itself comes from the host
 * (below). A name of tskube's own, so a user's busybox from a registry is never shadowed.
 */
export const ADDON_IMAGE = 'localhost/tskube/addon-base:1.0';

/** The tenth address of the Service range, where kubeadm puts cluster DNS (10.96.0.10). */
export function dnsServiceIP(serviceCIDR: string): string {
  const [base] = serviceCIDR.split('/');
  const n = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + 10;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * How a container runs tskube: the host's install, mounted read-only. tskube is a Node.js
 * program (dist/ and node_modules/), so the container needs node and the glibc it links,
 * and kube-proxy needs the host's iptables, nft and conntrack — all under /usr (with /lib
 * and /lib64, symlinks into /usr on merged-/usr Debian, and /etc/alternatives). Mounting them keeps the container
 * running exactly the bits the host runs, with no image to build or push; on the control
 * plane's host-process runtime the same pod simply runs the host's files.
 */
export function tskubeMounts(i: AddonInput): { volumes: Volume[]; mounts: VolumeMount[] } {
  // /etc/alternatives: Debian's iptables is a symlink through it (to iptables-nft or -legacy)
  const dirs: [string, string][] = [['host-usr', '/usr'], ['host-lib', '/lib'], ['host-lib64', '/lib64'], ['host-alternatives', '/etc/alternatives'], ['tskube', i.installDir]];
  return {
    volumes: dirs.map(([name, p]) => ({ name, hostPath: { path: p, type: 'Directory' } })),
    mounts: dirs.map(([name, p]) => ({ name, mountPath: p, readOnly: true })),
  };
}

/** A kubeconfig for a pod's service account (token and CA from the projected volume), as kubeadm writes kube-proxy's. */
export function serviceAccountKubeconfig(server: string): string {
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  return [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- cluster:', `    certificate-authority: ${sa}/ca.crt`, `    server: ${server}`, '  name: default',
    'contexts:', '- context:', '    cluster: default', '    namespace: default', '    user: default', '  name: default',
    'current-context: default',
    'users:', '- name: default', '  user:', `    tokenFile: ${sa}/token`, '',
  ].join('\n');
}
