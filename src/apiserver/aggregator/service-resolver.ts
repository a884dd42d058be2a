// Where an APIService's traffic goes, as upstream's two service resolvers decide it: by
// default the Service's ClusterIP and port (kube-proxy on this host carries it on to a pod),
// or with --enable-aggregator-routing a ready endpoint from its EndpointSlices, for the
// Service port the APIService names. The failures carry the availability controller's
// reasons and messages.
import type { KubeObject } from '../../api/resources/resource-def.js';
import { services } from '../../api/resources/core-v1.js';
import { endpointslices } from '../../api/resources/cluster-groups.js';
import type { Registry } from '../registry/registry.js';

export interface ServiceRef { namespace: string; name: string; port?: number }
export interface Endpoint { host: string; port: number }

export class ResolveError extends Error {
  constructor(readonly reason: 'ServiceNotFound' | 'ServicePortError' | 'MissingEndpoints', message: string) { super(message); }
}

/** The ready addresses of a Service's EndpointSlices for the port named `portName`. */
async function readyEndpoints(registry: Registry, ref: ServiceRef, portName: string): Promise<Endpoint[]> {
  const slices = (await registry.lookupList(endpointslices, ref.namespace)).filter((s: KubeObject) => s.metadata?.labels?.['kubernetes.io/service-name'] === ref.name);
  const ready: Endpoint[] = [];
  for (const s of slices) {
    const p = (s.ports ?? []).find((x: any) => (x.name ?? '') === portName);
    if (!p?.port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false || !e.addresses?.length) continue;
      ready.push({ host: e.addresses[0], port: p.port });
    }
  }
  return ready;
}

/**
 * The address to dial for `ref`. `viaEndpoints` is --enable-aggregator-routing: a random
 * ready endpoint (spreading the load as upstream does); otherwise the ClusterIP, after the
 * availability controller's own checks (a ClusterIP Service must have a ready endpoint).
 */
export async function resolveEndpoint(registry: Registry, ref: ServiceRef, viaEndpoints = false): Promise<Endpoint> {
  const port = ref.port ?? 443;
  const svc = await registry.lookup(services, ref.namespace, ref.name);
  if (!svc) throw new ResolveError('ServiceNotFound', `service/${ref.name} in "${ref.namespace}" is not present`);
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ExternalName') return { host: svc.spec.externalName, port };
  const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
  if (!svcPort) throw new ResolveError('ServicePortError', `service/${ref.name} in "${ref.namespace}" is not listening on port ${port}`);
  const portName = svcPort.name ?? '';
  if (viaEndpoints || type === 'ClusterIP') {
    const ready = await readyEndpoints(registry, ref, portName);
    if (!ready.length) throw new ResolveError('MissingEndpoints', `endpoints for service/${ref.name} in "${ref.namespace}" have no addresses with port name "${portName}"`);
    if (viaEndpoints) return ready[Math.floor(Math.random() * ready.length)];
  }
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') throw new Error(`cannot route to service with ClusterIP ${ip || '""'}`);
  return { host: ip, port };
}
