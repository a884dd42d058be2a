// The control plane's four static pods — etcd (mutual TLS with the etcd certificates),
// kube-apiserver, kube-controller-manager and kube-scheduler — with kubeadm's flags,
// each running `tskube <component>` from this install. Flags a component's CLI does not
// list yet are left out (and reported), so manifests follow the components as they grow.
import path from 'node:path';
import { stringify } from 'yaml';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { knownArgs, overrideArgs, renderArgs, type Args, type KnownFlags } from './component-args.js';
import { staticPod } from './static-pod.js';

export interface ControlPlaneInput {
  clusterName: string;
  nodeName: string;
  /** node + main.js of this install. */
  tskube: [string, string];
  version: string;
  pkiDir: string;
  kubeconfigDir: string;
  etcdDataDir: string;
  advertiseAddress: string;
  apiserverPort: number;
  etcdClientPort: number;
  etcdPeerPort: number;
  controllerManagerPort: number;
  schedulerPort: number;
  serviceCIDR: string;
  clusterCIDR: string;
  /** External etcd: no etcd pod, and the API server uses these URLs. */
  etcdServers?: string[];
  extra: { apiserver: Args; controllerManager: Args; scheduler: Args };
  /** Flags each component accepts; undefined means "pass everything". */
  known: { etcd?: KnownFlags; apiserver?: KnownFlags; 'controller-manager'?: KnownFlags; scheduler?: KnownFlags };
  env: Record<string, string>;
  /** Told about each flag dropped because a component does not know it. */
  dropped?: (component: string, flag: string) => void;
}

export interface Manifest { file: string; pod: Pod }

export function controlPlaneManifests(i: ControlPlaneInput): Manifest[] {
  const pki = (f: string) => path.join(i.pkiDir, f);
  const conf = (f: string) => path.join(i.kubeconfigDir, f);
  const etcdURL = `https://127.0.0.1:${i.etcdClientPort}`;
  const peerURL = `https://127.0.0.1:${i.etcdPeerPort}`;
  const build = (component: 'etcd' | 'apiserver' | 'controller-manager' | 'scheduler', podName: string, args: Args, extra: Args): Manifest => {
    const keep = new Set(extra.map(([k]) => k));
    const filtered = knownArgs(overrideArgs(args, extra), i.known[component], keep, (f) => i.dropped?.(component, f));
    return {
      file: `${podName}.yaml`,
      pod: staticPod({ component: podName, command: [...i.tskube, component, ...renderArgs(filtered, i.known[component])], env: i.env, version: i.version }),
    };
  };
  const out: Manifest[] = [];
  if (!i.etcdServers?.length) {
    out.push(build('etcd', 'etcd', [
      ['name', i.nodeName],
      ['data-dir', i.etcdDataDir],
      ['listen-client-urls', etcdURL],
      ['advertise-client-urls', etcdURL],
      ['listen-peer-urls', peerURL],
      ['initial-advertise-peer-urls', peerURL],
      ['initial-cluster', `${i.nodeName}=${peerURL}`],
      ['cert-file', pki('etcd/server.crt')],
      ['key-file', pki('etcd/server.key')],
      ['trusted-ca-file', pki('etcd/ca.crt')],
      ['client-cert-auth', 'true'],
      ['peer-cert-file', pki('etcd/peer.crt')],
      ['peer-key-file', pki('etcd/peer.key')],
      ['peer-trusted-ca-file', pki('etcd/ca.crt')],
      ['peer-client-cert-auth', 'true'],
      ['snapshot-count', '10000'],
    ], []));
  }
  const external = !!i.etcdServers?.length;
  out.push(build('apiserver', 'kube-apiserver', [
    ['advertise-address', i.advertiseAddress],
    ['bind-address', '127.0.0.1'],
    ['secure-port', String(i.apiserverPort)],
    ['etcd-servers', external ? (i.etcdServers as string[]).join(',') : etcdURL],
    ...(external ? [] : [
      ['etcd-cafile', pki('etcd/ca.crt')],
      ['etcd-certfile', pki('apiserver-etcd-client.crt')],
      ['etcd-keyfile', pki('apiserver-etcd-client.key')],
    ] as Args),
    // kubeadm's: kubelets limited by the Node authorizer and NodeRestriction, everyone else by RBAC
    ['authorization-mode', 'Node,RBAC'],
    ['enable-admission-plugins', 'NodeRestriction'],
    ['client-ca-file', pki('ca.crt')],
    ['tls-cert-file', pki('apiserver.crt')],
    ['tls-private-key-file', pki('apiserver.key')],
    ['cert-dir', i.pkiDir],
    ['kubelet-client-certificate', pki('apiserver-kubelet-client.crt')],
    ['kubelet-client-key', pki('apiserver-kubelet-client.key')],
    ['kubelet-certificate-authority', pki('ca.crt')],
    ['kubelet-preferred-address-types', 'InternalIP,ExternalIP,Hostname'],
    ['proxy-client-cert-file', pki('front-proxy-client.crt')],
    ['proxy-client-key-file', pki('front-proxy-client.key')],
    ['requestheader-client-ca-file', pki('front-proxy-ca.crt')],
    ['requestheader-allowed-names', 'front-proxy-client'],
    ['requestheader-extra-headers-prefix', 'X-Remote-Extra-'],
    ['requestheader-group-headers', 'X-Remote-Group'],
    ['requestheader-username-headers', 'X-Remote-User'],
    ['service-account-issuer', `https://kubernetes.default.svc.cluster.local`],
    ['service-account-key-file', pki('sa.pub')],
    ['service-account-signing-key-file', pki('sa.key')],
    ['service-cluster-ip-range', i.serviceCIDR],
    ['enable-bootstrap-token-auth', 'true'],
  ], i.extra.apiserver));
  out.push(build('controller-manager', 'kube-controller-manager', [
    ['kubeconfig', conf('controller-manager.conf')],
    ['authentication-kubeconfig', conf('controller-manager.conf')],
    ['authorization-kubeconfig', conf('controller-manager.conf')],
    ['bind-address', '127.0.0.1'],
    ['secure-port', String(i.controllerManagerPort)],
    ['leader-elect', 'true'],
    ['cluster-name', i.clusterName],
    ['allocate-node-cidrs', 'true'],
    ['cluster-cidr', i.clusterCIDR],
    ['service-cluster-ip-range', i.serviceCIDR],
    ['root-ca-file', pki('ca.crt')],
    ['cluster-signing-cert-file', pki('ca.crt')],
    ['cluster-signing-key-file', pki('ca.key')],
    ['service-account-private-key-file', pki('sa.key')],
    ['use-service-account-credentials', 'true'],
    ['requestheader-client-ca-file', pki('front-proxy-ca.crt')],
  ], i.extra.controllerManager));
  out.push(build('scheduler', 'kube-scheduler', [
    ['kubeconfig', conf('scheduler.conf')],
    ['authentication-kubeconfig', conf('scheduler.conf')],
    ['authorization-kubeconfig', conf('scheduler.conf')],
    ['bind-address', '127.0.0.1'],
    ['secure-port', String(i.schedulerPort)],
    ['leader-elect', 'true'],
  ], i.extra.scheduler));
  return out;
}

export const manifestText = (m: Manifest): string => stringify(m.pod);
