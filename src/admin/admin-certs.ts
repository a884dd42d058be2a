// `tskube admin certs`: kubeadm's `init phase certs all` plus `init phase kubeconfig all`
// on one directory pair, printing kubeadm's lines; and check-expiration's tables.
import os from 'node:os';
import path from 'node:path';
import { controlPlaneKubeconfigs } from './kubeconfig/kubeconfig-specs.js';
import { describeKubeconfig, ensureKubeconfig } from './kubeconfig/ensure-kubeconfig.js';
import { describeStep, ensurePki } from './pki/ensure-pki.js';
import { expiryReport, formatExpiryReport } from './pki/expiration.js';

export interface AdminCertsOptions {
  certDir: string;
  kubeconfigDir: string;
  advertiseAddress: string;
  serviceCIDR: string;
  nodeName?: string;
  extraSANs: string[];
  /** https://HOST:PORT the kubeconfigs point at; the advertise address and 6443 by default. */
  controlPlaneEndpoint?: string;
  clusterName: string;
  superAdmin: boolean;
}

export async function writeCertsAndKubeconfigs(o: AdminCertsOptions, out: (s: string) => void): Promise<void> {
  const nodeName = (o.nodeName ?? os.hostname()).toLowerCase();
  const pki = await ensurePki({ certDir: o.certDir, advertiseAddress: o.advertiseAddress, serviceCIDR: o.serviceCIDR, nodeName, extraSANs: o.extraSANs });
  out(`[certs] Using certificateDir folder "${o.certDir}"`);
  for (const s of pki.steps) out(describeStep(s));
  const endpoint = o.controlPlaneEndpoint ?? `${o.advertiseAddress.includes(':') ? `[${o.advertiseAddress}]` : o.advertiseAddress}:6443`;
  const server = /^https:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
  out(`[kubeconfig] Using kubeconfig folder "${o.kubeconfigDir}"`);
  for (const spec of controlPlaneKubeconfigs(nodeName, o.superAdmin)) {
    const action = await ensureKubeconfig(o.kubeconfigDir, spec, { clusterName: o.clusterName, server, ca: pki.cas.ca });
    out(describeKubeconfig(path.join(o.kubeconfigDir, spec.file), action));
  }
}

export function checkExpiration(certDir: string, kubeconfigDir: string): string {
  return formatExpiryReport(expiryReport(certDir, kubeconfigDir));
}
