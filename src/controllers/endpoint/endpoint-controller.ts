// The endpoints controller: for every Service with a selector, an Endpoints object of the
// same name listing the selected pods' IPs — ready ones under addresses, the others under
// notReadyAddresses — grouped into subsets that share a port list.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { ENDPOINTS, PODS, SERVICES, deletedObject, isAlreadyExists, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { endpointPod, podReady, selectedBy, targetPort } from '../util/service-endpoints.js';
import { deepEqual } from '../util/hash.js';

export const NAME = 'endpoint';

export class EndpointController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly endpoints: SharedInformer<Endpoints>;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.forResource(SERVICES);
    this.pods = ctx.informers.forResource(PODS);
    this.endpoints = ctx.informers.forResource(ENDPOINTS);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'endpoint'), (k) => this.sync(k));
    const svc = (s: Service) => this.loop.add(objectKey(s));
    this.services.addEventHandler({ onAdd: svc, onUpdate: (_, s) => svc(s), onDelete: (s) => svc(deletedObject(s)) });
    const pod = (p: Pod) => { for (const s of this.services.lister.namespace(p.metadata!.namespace!).list()) if (selectedBy(s, p)) this.loop.add(objectKey(s)); };
    this.pods.addEventHandler({ onAdd: pod, onUpdate: (o, p) => { pod(o); pod(p); }, onDelete: (p) => pod(deletedObject(p)) });
    this.endpoints.addEventHandler({ onDelete: (e) => { const o = deletedObject(e); if (this.services.lister.get(objectKey(o))) this.loop.add(objectKey(o)); } });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.services, this.pods, this.endpoints]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const [ns, name] = key.split('/');
    const svc = this.services.lister.get(key);
    const client = this.ctx.client.resource(ENDPOINTS);
    if (!svc) {
      try { await client.delete(ns, name); } catch (err) { if (!isNotFound(err)) throw err; }
      return;
    }
    if (!svc.spec?.selector || !Object.keys(svc.spec.selector).length) return; // user-managed Endpoints
    const bySignature = new Map<string, EndpointSubset>();
    for (const pod of this.pods.lister.namespace(ns).list()) {
      if (!selectedBy(svc, pod) || !endpointPod(svc, pod)) continue;
      const ports: EndpointPort[] = [];
      for (const sp of svc.spec.ports ?? []) {
        const port = targetPort(sp, pod);
        if (port !== undefined) ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
      }
      if (!ports.length && (svc.spec.ports ?? []).length) continue;
      const addr: EndpointAddress = { ip: pod.status!.podIP!, ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}), targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata!.name, uid: pod.metadata!.uid } };
      if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata!.name) addr.hostname = pod.spec.hostname;
      const sig = JSON.stringify(ports);
      let subset = bySignature.get(sig);
      if (!subset) bySignature.set(sig, (subset = { ports }));
      const list = podReady(svc, pod) ? (subset.addresses ??= []) : (subset.notReadyAddresses ??= []);
      list.push(addr);
    }
    const subsets = [...bySignature.values()].map((s) => {
      s.addresses?.sort((a, b) => (a.ip < b.ip ? -1 : 1));
      s.notReadyAddresses?.sort((a, b) => (a.ip < b.ip ? -1 : 1));
      if (!s.ports?.length) delete s.ports;
      return s;
    });
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
    if (svc.spec.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    const cur = this.endpoints.lister.get(key);
    if (cur && deepEqual(cur.subsets ?? [], subsets) && deepEqual(cur.metadata?.labels ?? {}, labels)) return;
    const desired: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels, annotations: { ...(cur?.metadata?.annotations ?? {}), 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString().replace(/\.\d+Z$/, 'Z') } }, subsets };
    try {
      if (cur) await client.update(ns, { ...desired, metadata: { ...cur.metadata, ...desired.metadata } });
      else await client.create(ns, desired);
    } catch (err) {
      if (isAlreadyExists(err)) throw new Error(`endpoints ${key} appeared meanwhile; retrying`);
      if (!isNotFound(err)) this.ctx.recorder('endpoint-controller').event(svc, 'Warning', cur ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', `Failed to ${cur ? 'update' : 'create'} endpoint ${key}: ${(err as Error).message}`);
      throw err;
    }
  }
}

export const newEndpointController = (ctx: ControllerContext): Controller => new EndpointController(ctx);
