// The Docker-links style variables upstream's kubelet gives every container for the Services
// of its namespace (enableServiceLinks, default true) and always for default/kubernetes —
// KUBERNETES_SERVICE_HOST/PORT are what in-cluster clients use to find the API server. Which
// Services a pod gets is service-lister.ts's business.
import type { Service } from 'kubernetes-types/core/v1.js';

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
