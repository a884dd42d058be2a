// Where a Service's traffic goes: a ready endpoint from its EndpointSlices, for the Service
// port an APIService names (upstream's endpoint resolver, --enable-aggregator-routing). The
// failures carry the availability controller's reasons and messages.
import type { KubeObject } from '../../api/resources/resource-def.js';
import { services } from '../../api/resources/core-v1.js';
import { endpointslices } from '../../api/resources/cluster-groups.js';
import type { Registry } from '../registry/registry.js';

export interface ServiceRef { namespace: string; name: string; port?: number }
export interface Endpoint { host: string; port: number }

export class ResolveError extends Error {
  constructor(readonly reason: 'ServiceNotFound' | 'ServicePortError' | 'MissingEndpoints', message: string) { super(message); }
}

export async function resolveEndpoint(registry: Registry, ref: ServiceRef): Promise<Endpoint> {
  const port = ref.port ?? 443;
  const svc = await registry.lookup(services, ref.namespace, ref.name);
  if (!svc) throw new ResolveError('ServiceNotFound', `service/${ref.name} in "${ref.namespace}" is not present`);
  if (svc.spec?.type === 'ExternalName') return { host: svc.spec.externalName, port };
  const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
  if (!svcPort) throw new ResolveError('ServicePortError', `service/${ref.name} in "${ref.namespace}" is not listening on port ${port}`);
  const portName = svcPort.name ?? '';
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
  if (!ready.length) throw new ResolveError('MissingEndpoints', `endpoints for service/${ref.name} in "${ref.namespace}" have no addresses with port name "${portName}"`);
  // spread the load as upstream does: a random ready endpoint each time
  return ready[Math.floor(Math.random() * ready.length)];
}
