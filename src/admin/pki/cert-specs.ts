// kubeadm's certificate tree: which CA signs what, each subject, usage and SAN list. The
// names are the ones `kubeadm certs check-expiration` prints; `base` is the path under the
// cert dir without .crt/.key.
import os from 'node:os';
import { firstServiceIP } from './service-ip.js';

export type CAName = 'ca' | 'etcd-ca' | 'front-proxy-ca';
export type Usage = 'server' | 'client';

export interface CASpec { name: CAName; base: string; cn: string }
export interface SANs { dns: string[]; ips: string[] }
export interface CertSpec {
  name: string;
  base: string;
  ca: CAName;
  cn: string;
  orgs: string[];
  usages: Usage[];
  sans?: SANs;
}

export interface PkiOptions {
  certDir: string;
  /** The API server's address on the node (a SAN of apiserver, etcd/server and etcd/peer). */
  advertiseAddress: string;
  /** --service-cluster-ip-range; its first address is the kubernetes Service's ClusterIP. */
  serviceCIDR: string;
  /** The control-plane node's name (CN of the etcd certs and a SAN). */
  nodeName: string;
  dnsDomain?: string;
  /** More SANs for the apiserver certificate (names or IPs). */
  extraSANs?: string[];
}

export const CA_SPECS: CASpec[] = [
  { name: 'ca', base: 'ca', cn: 'kubernetes' },
  { name: 'etcd-ca', base: 'etcd/ca', cn: 'etcd-ca' },
  { name: 'front-proxy-ca', base: 'front-proxy-ca', cn: 'front-proxy-ca' },
];

const isIP = (s: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || s.includes(':');

function sans(entries: string[]): SANs {
  const uniq = [...new Set(entries.filter(Boolean))];
  return { dns: uniq.filter((e) => !isIP(e)), ips: uniq.filter(isIP) };
}

export function certSpecs(o: PkiOptions): CertSpec[] {
  const domain = o.dnsDomain ?? 'cluster.local';
  const host = os.hostname().toLowerCase();
  const apiserverSANs = sans([
    'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`,
    host, o.nodeName, 'localhost', firstServiceIP(o.serviceCIDR), o.advertiseAddress, '127.0.0.1', ...(o.extraSANs ?? []),
  ]);
  const etcdSANs = sans([o.nodeName, 'localhost', o.advertiseAddress, '127.0.0.1', '::1']);
  return [
    { name: 'apiserver', base: 'apiserver', ca: 'ca', cn: 'kube-apiserver', orgs: [], usages: ['server'], sans: apiserverSANs },
    { name: 'apiserver-kubelet-client', base: 'apiserver-kubelet-client', ca: 'ca', cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'], usages: ['client'] },
    { name: 'front-proxy-client', base: 'front-proxy-client', ca: 'front-proxy-ca', cn: 'front-proxy-client', orgs: [], usages: ['client'] },
    { name: 'etcd-server', base: 'etcd/server', ca: 'etcd-ca', cn: o.nodeName, orgs: [], usages: ['server', 'client'], sans: etcdSANs },
    { name: 'etcd-peer', base: 'etcd/peer', ca: 'etcd-ca', cn: o.nodeName, orgs: [], usages: ['server', 'client'], sans: etcdSANs },
    { name: 'etcd-healthcheck-client', base: 'etcd/healthcheck-client', ca: 'etcd-ca', cn: 'kube-etcd-healthcheck-client', orgs: [], usages: ['client'] },
    { name: 'apiserver-etcd-client', base: 'apiserver-etcd-client', ca: 'etcd-ca', cn: 'kube-apiserver-etcd-client', orgs: [], usages: ['client'] },
  ];
}
