// The cluster's names, read from informer caches of Services, EndpointSlices and Pods:
// lookups by Service, by a headless Service's endpoints, and by IP for PTR answers.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { SharedInformer } from '../client/index.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface EndpointRecord { ip: string; hostname?: string }

export class ClusterRecords {
  constructor(
    readonly services: SharedInformer<Service>,
    readonly slices: SharedInformer<EndpointSlice>,
    readonly pods: SharedInformer<Pod>,
  ) {
    services.addIndexers({ clusterIP: (s) => (s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])).filter((ip) => ip !== 'None') });
    slices.addIndexers({
      service: (s) => (s.metadata?.labels?.[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`] : []),
      address: (s) => (s.endpoints ?? []).flatMap((e) => e.addresses ?? []),
    });
    pods.addIndexers({ podIP: (p) => (p.status?.podIPs ?? []).map((x) => x.ip ?? '').filter(Boolean).concat(p.status?.podIP ? [p.status.podIP] : []) });
  }

  service(ns: string, name: string): Service | undefined {
    return this.services.lister.get(`${ns}/${name}`);
  }

  /** Ready endpoint addresses of a Service, with hostnames, de-duplicated. */
  readyEndpoints(ns: string, name: string): EndpointRecord[] {
    const seen = new Map<string, EndpointRecord>();
    for (const slice of this.slices.lister.byIndex('service', `${ns}/${name}`)) {
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) if (!seen.has(ip)) seen.set(ip, { ip, hostname: ep.hostname ?? undefined });
      }
    }
    return [...seen.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  }

  /** Services whose ClusterIP is this address. */
  servicesByIP(ip: string): Service[] {
    return this.services.lister.byIndex('clusterIP', ip);
  }

  /** Headless endpoints at this IP: the (namespace, service, hostname) that name it. */
  endpointsByIP(ip: string): { ns: string; svc: string; hostname?: string }[] {
    const out: { ns: string; svc: string; hostname?: string }[] = [];
    for (const slice of this.slices.lister.byIndex('address', ip)) {
      const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      for (const ep of slice.endpoints ?? []) if (ep.addresses?.includes(ip)) out.push({ ns: slice.metadata?.namespace ?? 'default', svc, hostname: ep.hostname ?? undefined });
    }
    return out;
  }

  podsByIP(ip: string): Pod[] {
    return this.pods.lister.byIndex('podIP', ip);
  }
}
