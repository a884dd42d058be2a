// The Docker-links style variables upstream's kubelet gives every container for the Services
// of its namespace (enableServiceLinks, default true) and always for default/kubernetes —
// KUBERNETES_SERVICE_HOST/PORT are what in-cluster clients use to find the API server.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound, type RestClient, SERVICES } from '../../client/index.js';

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** NAME_SERVICE_HOST, NAME_SERVICE_PORT[_PORTNAME], NAME_PORT and NAME_PORT_N_PROTO[_PROTO|_PORT|_ADDR], as envvars.FromServices. */
export function serviceEnvVars(services: Service[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    const ports = s.spec?.ports ?? [];
    if (!ip || ip === 'None' || !ports.length) continue;
    const name = envName(s.metadata!.name!);
    out.set(`${name}_SERVICE_HOST`, ip);
    out.set(`${name}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports) if (p.name) out.set(`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    ports.forEach((p, i) => {
      const proto = p.protocol ?? 'TCP';
      const url = `${proto.toLowerCase()}://${hostPort(ip, p.port)}`;
      if (i === 0) out.set(`${name}_PORT`, url);
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.set(prefix, url);
      out.set(`${prefix}_PROTO`, proto.toLowerCase());
      out.set(`${prefix}_PORT`, String(p.port));
      out.set(`${prefix}_ADDR`, ip);
    });
  }
  return out;
}

/**
 * The Services whose variables the pod's containers get. A pod from the API waits until they
 * can be read (upstream refuses to build env before its Service cache synced); a static pod
 * goes on without them, since it may be the API server itself.
 */
export async function podServices(pod: Pod, client: RestClient | undefined, staticPod: boolean): Promise<Service[]> {
  if (!client) return [];
  const ns = pod.metadata?.namespace ?? 'default';
  const read = async (): Promise<Service[]> => {
    const master = await client.resource(SERVICES).get('default', 'kubernetes').catch((err) => { if (isNotFound(err)) return undefined; throw err; });
    const own = pod.spec?.enableServiceLinks === false ? [] : (await client.resource(SERVICES).list(ns)).items ?? [];
    // the namespace's own Service of that name wins over default/kubernetes (upstream's map order)
    return [...(master && !own.some((s) => s.metadata?.name === 'kubernetes') ? [master] : []), ...own];
  };
  try {
    if (!staticPod) return await read();
    // a starting API server may hold requests: a static pod does not wait on it for long
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no answer within 2s')), 2000); });
    try { return await Promise.race([read(), slow]); } finally { clearTimeout(timer); }
  } catch (err) {
    if (staticPod) return [];
    throw new Error(`services have not yet been read at least once, cannot construct envvars: ${(err as Error).message}`);
  }
}
