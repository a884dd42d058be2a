// clientConfig.service: the webhook is called at a ready endpoint of the Service (upstream's
// endpoint service resolver), found through the service port's name in the EndpointSlices
// (or the Endpoints object), while TLS still checks the certificate against NAME.NS.svc.
import { endpoints, services } from '../../../api/resources/core-v1.js';
import { endpointslices } from '../../../api/resources/cluster-groups.js';
import type { PluginContext } from '../plugin.js';

export interface ServiceRef { namespace: string; name: string; path?: string; port?: number }
export interface Target { host: string; port: number }

export async function resolveService(ctx: PluginContext, ref: ServiceRef): Promise<Target> {
  const svc = await ctx.get(services, ref.namespace, ref.name);
  if (!svc) throw new Error(`service "${ref.name}" not found`);
  const want = ref.port ?? 443;
  const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === want);
  if (!svcPort) throw new Error(`no service port ${want} found for service "${ref.name}"`);
  if (svc.spec?.type === 'ExternalName') throw new Error(`service "${ref.name}" is of type ExternalName`);
  const portName = svcPort.name ?? '';
  const candidates: Target[] = [];
  const slices = (await ctx.list(endpointslices, ref.namespace)).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === ref.name);
  for (const s of slices) {
    const port = (s.ports ?? []).find((p: any) => (p.name ?? '') === portName)?.port;
    if (!port) continue;
    for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const ip of e.addresses ?? []) candidates.push({ host: ip, port });
  }
  if (!slices.length) {
    const ep = await ctx.get(endpoints, ref.namespace, ref.name);
    for (const ss of ep?.subsets ?? []) {
      const port = (ss.ports ?? []).find((p: any) => (p.name ?? '') === portName)?.port;
      if (port) for (const addr of ss.addresses ?? []) candidates.push({ host: addr.ip, port });
    }
  }
  if (!candidates.length) throw new Error(`no endpoints available for service "${ref.name}"`);
  return candidates[Math.floor(Math.random() * candidates.length)];
}
