// The kube-system/extension-apiserver-authentication ConfigMap, as upstream's
// cluster-authentication-trust controller publishes it: how this API server authenticates
// clients (client-ca-file) and which front proxy it trusts (requestheader-*), so that a
// delegated server — an aggregated API server, metrics-server, the scheduler's and the
// controller manager's secure ports — can trust the same callers. Several API servers share
// the object: CA bundles and header lists are merged with what is there, never replaced.
import crypto from 'node:crypto';
import { configmaps } from '../../api/resources/core-v1.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import type { Registry } from '../registry/registry.js';
import type { RequestHeaderConfig } from './request-header.js';

export const AUTHENTICATION_CONFIGMAP = 'extension-apiserver-authentication';

export interface ClusterAuthenticationInfo {
  clientCA?: string;
  requestHeader?: RequestHeaderConfig;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The union of two PEM bundles, each certificate once (by its DER bytes), existing ones first. */
export function mergeBundles(existing: string | undefined, added: string | undefined): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const block of [...(existing ?? '').matchAll(PEM_CERT), ...(added ?? '').matchAll(PEM_CERT)]) {
    let id: string;
    try { id = new crypto.X509Certificate(block[0]).fingerprint256; } catch { continue; }
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(block[0]);
  }
  return out.length ? out.join('\n') + '\n' : '';
}

function mergeList(existing: string | undefined, added: string[]): string {
  let prev: string[] = [];
  try { prev = JSON.parse(existing ?? '[]'); } catch { /* a hand-edited value: replaced */ }
  return JSON.stringify([...new Set([...(Array.isArray(prev) ? prev.map(String) : []), ...added])]);
}

/** The data this server contributes, merged into `current`. */
export function authenticationData(info: ClusterAuthenticationInfo, current: Record<string, string> = {}): Record<string, string> {
  const data: Record<string, string> = { ...current };
  if (info.clientCA) data['client-ca-file'] = mergeBundles(current['client-ca-file'], info.clientCA);
  const rh = info.requestHeader;
  if (rh) {
    data['requestheader-client-ca-file'] = mergeBundles(current['requestheader-client-ca-file'], rh.caPem);
    data['requestheader-username-headers'] = mergeList(current['requestheader-username-headers'], rh.usernameHeaders);
    data['requestheader-group-headers'] = mergeList(current['requestheader-group-headers'], rh.groupHeaders);
    data['requestheader-extra-headers-prefix'] = mergeList(current['requestheader-extra-headers-prefix'], rh.extraHeaderPrefixes);
    data['requestheader-allowed-names'] = mergeList(current['requestheader-allowed-names'], rh.allowedNames);
    if (rh.uidHeaders.length) data['requestheader-uid-headers'] = mergeList(current['requestheader-uid-headers'], rh.uidHeaders);
  }
  return data;
}

/** Creates or updates the ConfigMap; a no-op when it already says everything. */
export async function publishAuthenticationInfo(registry: Registry, info: ClusterAuthenticationInfo): Promise<void> {
  if (!info.clientCA && !info.requestHeader) return;
  const fresh = (): KubeObject => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: AUTHENTICATION_CONFIGMAP, namespace: 'kube-system' }, data: authenticationData(info),
  });
  await registry.update(configmaps, 'kube-system', AUTHENTICATION_CONFIGMAP, (cur) => ({ ...cur, data: authenticationData(info, cur.data as Record<string, string> | undefined) }),
    { createIfMissing: fresh, fieldManager: 'kube-apiserver' });
}
