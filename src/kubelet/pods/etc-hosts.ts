// The /etc/hosts the kubelet writes for a pod with its own network (upstream's
// "Kubernetes-managed hosts file"): localhost entries, the pod's IPs with its hostname (and
// FQDN when it has a subdomain), then spec.hostAliases. Mounted into every container that
// does not mount /etc/hosts itself.
import type { Pod } from 'kubernetes-types/core/v1.js';

export function etcHostsContent(pod: Pod, podIPs: string[], clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const name = pod.spec?.hostname || pod.metadata?.name || '';
  const sub = pod.spec?.subdomain;
  const fqdn = sub && clusterDomain ? `${name}.${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : '';
  for (const ip of podIPs) lines.push(fqdn ? `${ip}\t${fqdn}\t${name}` : `${ip}\t${name}`);
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) if (a.ip && a.hostnames?.length) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return lines.join('\n') + '\n';
}
