// Answers for names in the cluster domain, following the Kubernetes DNS specification
// (the one CoreDNS's kubernetes plugin implements): Services, headless endpoints, SRV for
// named ports, pod A records, PTR; NXDOMAIN with the zone's SOA for names that do not exist.
import type { Answer, SoaAnswer } from 'dns-packet';
import type { ClusterRecords } from './cluster-records.js';

export const TTL = 5;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export type ClusterResult =
  | { rcode: 'NOERROR' | 'NXDOMAIN'; answers: Answer[]; authority: Answer[] }
  /** Not ours: hand it to the upstream resolvers. */
  | { forward: true };

export function soa(domain: string): SoaAnswer {
  return {
    type: 'SOA', name: domain, ttl: TTL, class: 'IN',
    data: { mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL },
  };
}

const ipv4Arpa = (name: string): string | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  return m ? `${m[4]}.${m[3]}.${m[2]}.${m[1]}` : undefined;
};

export function answerCluster(records: ClusterRecords, domain: string, rawName: string, type: string): ClusterResult {
  const name = rawName.toLowerCase().replace(/\.$/, '');
  const zone = domain.toLowerCase();
  const nodata = (): ClusterResult => ({ rcode: 'NOERROR', answers: [], authority: [soa(zone)] });
  const nx = (): ClusterResult => ({ rcode: 'NXDOMAIN', answers: [], authority: [soa(zone)] });
  const typed = (answers: Answer[]): ClusterResult => {
    const fit = answers.filter((a) => (a.type as string) === type || a.type === 'CNAME' || type === 'ANY');
    return fit.length ? { rcode: 'NOERROR', answers: fit, authority: [] } : nodata();
  };

  const arpa = ipv4Arpa(name);
  if (arpa) {
    if (type !== 'PTR' && type !== 'ANY') return { forward: true };
    const targets = ptrTargets(records, zone, arpa);
    return targets.length ? { rcode: 'NOERROR', answers: targets.map((t) => ({ type: 'PTR', name, ttl: TTL, class: 'IN', data: t })), authority: [] } : { forward: true };
  }
  if (name !== zone && !name.endsWith(`.${zone}`)) return { forward: true };
  if (name === zone) return type === 'SOA' ? { rcode: 'NOERROR', answers: [soa(zone)], authority: [] } : nodata();
  const labels = name.slice(0, -(zone.length + 1)).split('.');
  const kind = labels[labels.length - 1];
  if (kind === 'pod') {
    if (labels.length === 1) return nodata();
    if (labels.length !== 3) return nx();
    const ip = labels[0].replace(/-/g, '.');
    if (!IPV4.test(ip)) return nx();
    return typed([{ type: 'A', name, ttl: TTL, class: 'IN', data: ip }]);
  }
  if (kind !== 'svc') return nx();
  if (labels.length <= 2) return nodata(); // svc.<zone> and <ns>.svc.<zone> exist as interior names
  const ns = labels[labels.length - 2];
  const svcName = labels[labels.length - 3];
  const svc = records.service(ns, svcName);
  if (!svc) return nx();
  const fqdn = `${svcName}.${ns}.svc.${zone}`;
  const headless = svc.spec?.clusterIP === 'None';
  const rest = labels.slice(0, -3);

  if (rest.length === 0) {
    if (svc.spec?.type === 'ExternalName') return { rcode: 'NOERROR', answers: [{ type: 'CNAME', name, ttl: TTL, class: 'IN', data: svc.spec.externalName ?? '' }], authority: [] };
    const ips = headless ? records.readyEndpoints(ns, svcName).map((e) => e.ip) : (svc.spec?.clusterIPs ?? [svc.spec?.clusterIP ?? '']).filter(Boolean);
    if (ips.length === 0) return nodata();
    return typed(ips.map((ip): Answer => (IPV4.test(ip) ? { type: 'A', name, ttl: TTL, class: 'IN', data: ip } : { type: 'AAAA', name, ttl: TTL, class: 'IN', data: ip })));
  }
  if (rest.length === 1 && headless) {
    // <hostname>.<svc>.<ns>.svc.<zone>, or the dashed IP for endpoints without a hostname
    const eps = records.readyEndpoints(ns, svcName).filter((e) => (e.hostname ?? e.ip.replace(/[.:]/g, '-')) === rest[0]);
    if (eps.length === 0) return nx();
    return typed(eps.map((e): Answer => (IPV4.test(e.ip) ? { type: 'A', name, ttl: TTL, class: 'IN', data: e.ip } : { type: 'AAAA', name, ttl: TTL, class: 'IN', data: e.ip })));
  }
  if (rest.length === 2 && rest[0].startsWith('_') && rest[1].startsWith('_')) {
    const portName = rest[0].slice(1);
    const proto = rest[1].slice(1).toUpperCase();
    const port = (svc.spec?.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === proto);
    if (!port) return nx();
    if (type !== 'SRV' && type !== 'ANY') return nodata();
    if (!headless) return { rcode: 'NOERROR', answers: [{ type: 'SRV', name, ttl: TTL, class: 'IN', data: { priority: 0, weight: 100, port: port.port, target: fqdn } }], authority: [] };
    const eps = records.readyEndpoints(ns, svcName);
    const slicePort = endpointPort(records, ns, svcName, portName, proto) ?? port.port;
    if (eps.length === 0) return nodata();
    const weight = Math.floor(100 / eps.length);
    return { rcode: 'NOERROR', answers: eps.map((e): Answer => ({ type: 'SRV', name, ttl: TTL, class: 'IN', data: { priority: 0, weight, port: slicePort, target: `${e.hostname ?? e.ip.replace(/[.:]/g, '-')}.${fqdn}` } })), authority: [] };
  }
  return nx();
}

function endpointPort(records: ClusterRecords, ns: string, svc: string, name: string, proto: string): number | undefined {
  for (const s of records.slices.lister.byIndex('service', `${ns}/${svc}`)) {
    const p = (s.ports ?? []).find((x) => (x.name ?? '') === name && (x.protocol ?? 'TCP') === proto);
    if (p?.port !== undefined && p.port !== null) return p.port;
  }
  return undefined;
}

/** Names that point back at an IP: Services by ClusterIP, headless endpoints, pods. */
function ptrTargets(records: ClusterRecords, zone: string, ip: string): string[] {
  const out = new Set<string>();
  for (const s of records.servicesByIP(ip)) out.add(`${s.metadata?.name}.${s.metadata?.namespace}.svc.${zone}`);
  for (const e of records.endpointsByIP(ip)) {
    if (records.service(e.ns, e.svc)?.spec?.clusterIP === 'None') out.add(`${e.hostname ?? ip.replace(/\./g, '-')}.${e.svc}.${e.ns}.svc.${zone}`);
  }
  if (out.size === 0) for (const p of records.podsByIP(ip)) out.add(`${ip.replace(/\./g, '-')}.${p.metadata?.namespace}.pod.${zone}`);
  return [...out];
}
