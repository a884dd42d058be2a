// A pod's resolv.conf as CRI's DNSConfig, by dnsPolicy as upstream's kubelet does it:
// ClusterFirst → the cluster DNS and the namespace's search path; Default → the node's
// resolv.conf; None → only spec.dnsConfig; host-network pods fall back to Default unless
// ClusterFirstWithHostNet. spec.dnsConfig is merged on top.
import fs from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from './cri-types.js';

export interface DnsOptions {
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf (KubeletConfiguration resolvConf). */
  resolvConf?: string;
}

export function parseResolvConf(text: string): DNSConfig {
  const out: DNSConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

function hostDNS(o: DnsOptions): DNSConfig {
  try {
    return parseResolvConf(fs.readFileSync(o.resolvConf ?? '/etc/resolv.conf', 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] };
  }
}

const uniq = (xs: string[]): string[] => [...new Set(xs)];

export function podDNSConfig(pod: Pod, o: DnsOptions): DNSConfig {
  const hostNetwork = !!pod.spec?.hostNetwork;
  let policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && o.clusterDNS.length === 0) policy = 'Default'; // no cluster DNS configured
  let base: DNSConfig;
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (policy === 'Default') base = hostDNS(o);
  else {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = o.clusterDomain;
    base = {
      servers: [...o.clusterDNS],
      searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...hostDNS(o).searches],
      options: ['ndots:5'],
    };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    base.servers = uniq([...base.servers, ...(extra.nameservers ?? [])]);
    base.searches = uniq([...base.searches, ...(extra.searches ?? [])]);
    const opts = new Map<string, string>();
    for (const opt of base.options) { const [k, v] = opt.split(':'); opts.set(k, opt.includes(':') ? `${k}:${v}` : k); }
    for (const opt of extra.options ?? []) opts.set(opt.name!, opt.value !== undefined ? `${opt.name}:${opt.value}` : opt.name!);
    base.options = [...opts.values()];
  }
  base.searches = base.searches.slice(0, 32);
  return base;
}
