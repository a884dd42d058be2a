// The EndpointSlice controller: for every Service with a selector, EndpointSlices labelled
// kubernetes.io/service-name (at most 100 endpoints each) owned by the Service, with each
// pod's ready/serving/terminating conditions, node and zone.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES, deletedObject, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { controllerRef, newControllerRef } from '../util/controller-ref.js';
import { deepEqual } from '../util/hash.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { isReady } from '../util/pod-state.js';
import { selectedBy, targetPort } from '../util/service-endpoints.js';

export const NAME = 'endpointslice';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const MAX_ENDPOINTS = 100;

export class EndpointSliceController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly slices: SharedInformer<EndpointSlice>;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.forResource(SERVICES);
    this.pods = ctx.informers.forResource(PODS);
    this.nodes = ctx.informers.forResource(NODES);
    this.slices = ctx.informers.forResource(ENDPOINTSLICES, { indexers: { service: (s) => [`${s.metadata?.namespace}/${s.metadata?.labels?.['kubernetes.io/service-name'] ?? ''}`] } });
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'service-endpoint'), (k) => this.sync(k));
    const svc = (s: Service) => this.loop.add(objectKey(s));
    this.services.addEventHandler({ onAdd: svc, onUpdate: (_, s) => svc(s), onDelete: (s) => svc(deletedObject(s)) });
    const pod = (p: Pod) => { for (const s of this.services.lister.namespace(p.metadata!.namespace!).list()) if (selectedBy(s, p)) this.loop.add(objectKey(s)); };
    this.pods.addEventHandler({ onAdd: pod, onUpdate: (o, p) => { pod(o); pod(p); }, onDelete: (p) => pod(deletedObject(p)) });
    const slice = (s: EndpointSlice) => { const n = s.metadata?.labels?.['kubernetes.io/service-name']; if (n && s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY) this.loop.add(`${s.metadata!.namespace}/${n}`); };
    this.slices.addEventHandler({ onUpdate: (_, s) => slice(s), onDelete: (s) => slice(deletedObject(s)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.services, this.pods, this.nodes, this.slices]);
  }

  private async sync(key: string): Promise<SyncResult> {
    try {
      return await this.reconcile(key);
    } catch (err) {
      const svc = this.services.lister.get(key);
      if (svc && !isNotFound(err)) this.ctx.recorder('endpoint-slice-controller').event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(err as Error).message}`);
      throw err;
    }
  }

  private async reconcile(key: string): Promise<SyncResult> {
    const [ns, name] = key.split('/');
    const svc = this.services.lister.get(key);
    const client = this.ctx.client.resource(ENDPOINTSLICES);
    const existing = this.slices.lister.byIndex('service', key).filter((s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY);
    if (!svc || !svc.spec?.selector || !Object.keys(svc.spec.selector).length) {
      // The garbage collector removes slices of a deleted Service through the owner reference; a Service that lost its selector loses them here.
      if (svc) for (const s of existing) await client.delete(ns, s.metadata!.name!).catch((e) => { if (!isNotFound(e)) throw e; });
      return;
    }
    // Pods whose named ports resolve differently get separate slices, one set per port mapping.
    const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
    for (const pod of this.pods.lister.namespace(ns).list()) {
      if (!selectedBy(svc, pod) || !pod.status?.podIP || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
      const pp = (svc.spec.ports ?? []).map((sp) => ({ ...(sp.name !== undefined ? { name: sp.name } : { name: '' }), port: targetPort(sp, pod), protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) }));
      if (pp.some((p) => p.port === undefined)) continue;
      const terminating = !!pod.metadata?.deletionTimestamp;
      const serving = isReady(pod);
      // Never ready while terminating, unless the Service publishes not-ready addresses.
      const ready = !!svc.spec.publishNotReadyAddresses || (serving && !terminating);
      const node = pod.spec?.nodeName ? this.nodes.lister.get(pod.spec.nodeName) : undefined;
      const zone = node?.metadata?.labels?.['topology.kubernetes.io/zone'];
      const sig = JSON.stringify(pp);
      let g = groups.get(sig);
      if (!g) groups.set(sig, (g = { ports: pp as EndpointPort[], endpoints: [] }));
      g.endpoints.push({
        addresses: [pod.status.podIP],
        conditions: { ready, serving, terminating },
        targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata!.name, uid: pod.metadata!.uid },
        ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
        ...(zone ? { zone } : {}),
        ...(pod.spec?.hostname && pod.spec.subdomain === name ? { hostname: pod.spec.hostname } : {}),
      });
    }
    const chunks: { ports: EndpointPort[]; endpoints: Endpoint[] }[] = [];
    for (const g of [...groups.values()].sort((a, b) => (JSON.stringify(a.ports) < JSON.stringify(b.ports) ? -1 : 1))) {
      g.endpoints.sort((a, b) => (a.addresses[0] < b.addresses[0] ? -1 : 1));
      for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS) chunks.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS) });
    }
    if (!chunks.length) chunks.push({ ports: [], endpoints: [] });
    const labels = { ...(svc.metadata?.labels ?? {}), 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY };
    const owned = existing.filter((s) => controllerRef(s)?.uid === svc.metadata!.uid);
    for (let i = 0; i < chunks.length; i++) {
      const cur = owned[i];
      const body: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', endpoints: chunks[i].endpoints, ports: chunks[i].ports,
        metadata: { namespace: ns, labels, ownerReferences: [newControllerRef(svc)], ...(cur ? { name: cur.metadata!.name } : { generateName: `${name}-` }) },
      };
      if (!cur) { await client.create(ns, body); continue; }
      if (deepEqual(cur.endpoints ?? [], body.endpoints) && deepEqual(cur.ports ?? [], body.ports) && deepEqual(cur.metadata?.labels ?? {}, labels)) continue;
      await client.update(ns, { ...body, metadata: { ...cur.metadata, labels } });
    }
    for (const extra of [...owned.slice(chunks.length), ...existing.filter((s) => !owned.includes(s))]) {
      await client.delete(ns, extra.metadata!.name!).catch((e) => { if (!isNotFound(e)) throw e; });
    }
  }
}

export const newEndpointSliceController = (ctx: ControllerContext): Controller => new EndpointSliceController(ctx);
