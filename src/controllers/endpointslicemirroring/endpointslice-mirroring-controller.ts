// endpointslice-mirroring: a Service without a selector whose Endpoints someone writes by
// hand gets EndpointSlices that mirror them (managed-by endpointslicemirroring-controller
// .k8s.io), so kube-proxy and DNS, which read slices, see custom endpoints too. Endpoints
// labelled endpointslice.kubernetes.io/skip-mirror=true, or belonging to a Service with a
// selector (the endpointslice controller's), are not mirrored.
import type { EndpointAddress, Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isIPv6 } from 'node:net';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES, deletedObject, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { newControllerRef } from '../util/controller-ref.js';
import { deepEqual } from '../util/hash.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';

export const NAME = 'endpointslice-mirroring';
export const MIRROR_MANAGED_BY = 'endpointslicemirroring-controller.k8s.io';
const MAX_ENDPOINTS = 1000;

interface DesiredSlice { addressType: 'IPv4' | 'IPv6'; ports: EndpointPort[]; endpoints: Endpoint[] }

/** Slices for an Endpoints object: one group per subset and address family. */
export function mirroredSlices(ep: Endpoints): DesiredSlice[] {
  const out: DesiredSlice[] = [];
  for (const subset of ep.subsets ?? []) {
    const ports = (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const byFamily: Record<'IPv4' | 'IPv6', Endpoint[]> = { IPv4: [], IPv6: [] };
    const add = (a: EndpointAddress, ready: boolean) => {
      byFamily[isIPv6(a.ip) ? 'IPv6' : 'IPv4'].push({
        addresses: [a.ip], conditions: { ready },
        ...(a.hostname ? { hostname: a.hostname } : {}), ...(a.nodeName ? { nodeName: a.nodeName } : {}), ...(a.targetRef ? { targetRef: a.targetRef } : {}),
      });
    };
    for (const a of subset.addresses ?? []) add(a, true);
    for (const a of subset.notReadyAddresses ?? []) add(a, false);
    for (const fam of ['IPv4', 'IPv6'] as const) {
      const eps = byFamily[fam].slice(0, MAX_ENDPOINTS); // upstream mirrors at most 1000 per subset
      if (eps.length) out.push({ addressType: fam, ports, endpoints: eps });
    }
  }
  return out;
}

export class EndpointSliceMirroringController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly services: SharedInformer<Service>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly slices: SharedInformer<EndpointSlice>;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.forResource(SERVICES);
    this.endpoints = ctx.informers.forResource(ENDPOINTS);
    this.slices = ctx.informers.forResource(ENDPOINTSLICES, { indexers: { service: (s) => [`${s.metadata?.namespace}/${s.metadata?.labels?.['kubernetes.io/service-name'] ?? ''}`] } });
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'mirroring-service-endpoint'), (k) => this.sync(k));
    const key = (o: { metadata?: { namespace?: string; name?: string } }) => this.loop.add(objectKey(o));
    this.services.addEventHandler({ onAdd: key, onUpdate: (_, s) => key(s), onDelete: (s) => key(deletedObject(s)) });
    this.endpoints.addEventHandler({ onAdd: key, onUpdate: (_, e) => key(e), onDelete: (e) => key(deletedObject(e)) });
    const slice = (s: EndpointSlice) => { const n = s.metadata?.labels?.['kubernetes.io/service-name']; if (n && s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === MIRROR_MANAGED_BY) this.loop.add(`${s.metadata!.namespace}/${n}`); };
    this.slices.addEventHandler({ onUpdate: (_, s) => slice(s), onDelete: (s) => slice(deletedObject(s)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.services, this.endpoints, this.slices]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const [ns, name] = key.split('/');
    const svc = this.services.lister.get(key);
    const ep = this.endpoints.lister.get(key);
    const client = this.ctx.client.resource(ENDPOINTSLICES);
    const existing = this.slices.lister.byIndex('service', key).filter((s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === MIRROR_MANAGED_BY);
    const mirror = svc && ep && !Object.keys(svc.spec?.selector ?? {}).length && ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'] !== 'true';
    const desired = mirror ? mirroredSlices(ep) : [];
    const labels: Record<string, string> = {};
    if (mirror) {
      for (const [k, v] of Object.entries(ep.metadata?.labels ?? {})) if (k !== 'endpointslice.kubernetes.io/skip-mirror') labels[k] = v;
      Object.assign(labels, { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': MIRROR_MANAGED_BY });
    }
    for (let i = 0; i < desired.length; i++) {
      const d = desired[i];
      const cur = existing[i];
      const body: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: d.addressType, endpoints: d.endpoints, ports: d.ports,
        metadata: { namespace: ns, labels, ownerReferences: [newControllerRef(svc!)], ...(cur ? { name: cur.metadata!.name } : { generateName: `${name}-` }) },
      };
      if (!cur) { await client.create(ns, body); continue; }
      if (cur.addressType === d.addressType && deepEqual(cur.endpoints ?? [], d.endpoints) && deepEqual(cur.ports ?? [], d.ports) && deepEqual(cur.metadata?.labels ?? {}, labels)) continue;
      if (cur.addressType !== d.addressType) { await client.delete(ns, cur.metadata!.name!).catch((e) => { if (!isNotFound(e)) throw e; }); await client.create(ns, { ...body, metadata: { ...body.metadata, name: undefined, generateName: `${name}-` } }); continue; }
      await client.update(ns, { ...body, metadata: { ...cur.metadata, labels } });
    }
    for (const extra of existing.slice(desired.length)) await client.delete(ns, extra.metadata!.name!).catch((e) => { if (!isNotFound(e)) throw e; });
  }
}

export const newEndpointSliceMirroringController = (ctx: ControllerContext): Controller => new EndpointSliceMirroringController(ctx);
