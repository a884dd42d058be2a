// The proxy's view of the cluster: one entry per Service port with its endpoints, built
// from Services and EndpointSlices (kube-proxy's ServicePortInfo + Endpoint, reduced).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  /** On this node (endpoint.nodeName equals the proxy's hostname). */
  local: boolean;
}

export interface ServicePort {
  namespace: string;
  name: string;
  /** `ns/name:portName` (portName may be empty), upstream's ServicePortName string. */
  key: string;
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  nodePort?: number;
  externalIPs: string[];
  /** ClientIP affinity timeout in seconds, undefined without affinity. */
  affinitySeconds?: number;
  externalLocal: boolean;
  internalLocal: boolean;
  endpoints: Endpoint[];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Ports of every proxyable Service (IPv4 ClusterIP; headless and ExternalName skipped). */
export function buildServicePorts(services: Service[], slices: EndpointSlice[], hostname: string): ServicePort[] {
  return new ServicePortBuilder(hostname).build(services, slices);
}

/**
 * Builds Service ports and keeps them: a Service whose object and EndpointSlice objects are
 * the very ones seen last time (informer caches replace an object when it changes) gets
 * back the same ServicePort objects, so the proxiers can skip re-rendering it.
 */
export class ServicePortBuilder {
  private cache = new Map<string, { svc: Service; slices: EndpointSlice[]; ports: ServicePort[] }>();

  constructor(readonly hostname: string) {}

  /** Each object's `ns/service` key ('' for a slice not proxied), made once per object: at 10,000 Services, building them every sync was half of this. */
  private keys = new WeakMap<object, string>();

  private sliceKey(s: EndpointSlice): string {
    let k = this.keys.get(s);
    if (k === undefined) {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      k = !svc || (s.addressType && s.addressType !== 'IPv4') ? '' : `${s.metadata?.namespace}/${svc}`;
      this.keys.set(s, k);
    }
    return k;
  }

  private serviceKey(svc: Service): string {
    let k = this.keys.get(svc);
    if (k === undefined) this.keys.set(svc, (k = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`));
    return k;
  }

  build(services: Service[], slices: EndpointSlice[]): ServicePort[] {
    const slicesBySvc = new Map<string, EndpointSlice[]>();
    for (const s of slices) {
      const k = this.sliceKey(s);
      if (!k) continue;
      const list = slicesBySvc.get(k);
      if (list) list.push(s);
      else slicesBySvc.set(k, [s]);
    }
    const next = new Map<string, { svc: Service; slices: EndpointSlice[]; ports: ServicePort[] }>();
    const out: ServicePort[] = [];
    for (const svc of services) {
      const key = this.serviceKey(svc);
      const svcSlices = slicesBySvc.get(key) ?? [];
      const had = this.cache.get(key);
      const same = had && had.svc === svc && had.slices.length === svcSlices.length && had.slices.every((x, i) => x === svcSlices[i]);
      const ports = same ? had.ports : servicePorts(svc, svcSlices, this.hostname);
      next.set(key, same ? had : { svc, slices: svcSlices, ports });
      for (const p of ports) out.push(p);
    }
    this.cache = next;
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.protocol < b.protocol ? -1 : 1));
    return out;
  }
}

function servicePorts(svc: Service, svcSlices: EndpointSlice[], hostname: string): ServicePort[] {
  const spec = svc.spec ?? {};
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  if (spec.type === 'ExternalName' || !spec.clusterIP || !IPV4.test(spec.clusterIP)) return [];
  const out: ServicePort[] = [];
  for (const p of spec.ports ?? []) {
    const portName = p.name ?? '';
    const protocol = (p.protocol ?? 'TCP') as Protocol;
    const seen = new Set<string>();
    const endpoints: Endpoint[] = [];
    for (const slice of svcSlices) {
      const sp = (slice.ports ?? []).find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === protocol);
      if (!sp || sp.port === undefined || sp.port === null) continue;
      for (const ep of slice.endpoints ?? []) {
        // ready unset means ready (discovery/v1); terminating endpoints carry no new traffic
        const ready = ep.conditions?.ready !== false;
        for (const ip of ep.addresses ?? []) {
          const id = `${ip}:${sp.port}`;
          if (seen.has(id)) continue;
          seen.add(id);
          endpoints.push({ ip, port: sp.port, ready, local: !!ep.nodeName && ep.nodeName === hostname });
        }
      }
    }
    endpoints.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
    const affinity = spec.sessionAffinity === 'ClientIP';
    out.push({
      namespace: ns, name, portName, key: `${ns}/${name}${portName ? `:${portName}` : ''}`, protocol,
      clusterIP: spec.clusterIP, port: p.port, externalIPs: (spec.externalIPs ?? []).filter((ip) => IPV4.test(ip)),
      nodePort: (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && p.nodePort ? p.nodePort : undefined,
      affinitySeconds: affinity ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined,
      externalLocal: spec.externalTrafficPolicy === 'Local' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer'),
      internalLocal: spec.internalTrafficPolicy === 'Local',
      endpoints,
    });
  }
  return out;
}
