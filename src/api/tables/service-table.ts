// kubectl get services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (+ SELECTOR).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';

function externalIP(s: Service): string {
  const type = s.spec?.type ?? 'ClusterIP';
  const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter(Boolean);
  const external = s.spec?.externalIPs ?? [];
  if (type === 'ExternalName') return s.spec?.externalName ?? '<none>';
  if (type === 'LoadBalancer') { const all = [...ingress, ...external]; return all.length ? all.join(',') : '<pending>'; }
  return external.length ? external.join(',') : '<none>';
}

function ports(s: Service): string {
  const list = (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol ?? 'TCP'}`);
  return list.length ? list.join(',') : '<none>';
}

function selector(s: Service): string {
  const sel = Object.entries(s.spec?.selector ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  return sel.length ? sel.join(',') : '<none>';
}

export const serviceTable: TableDef = {
  columns: [
    nameColumn, col('Type', 'string', 0, 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 0, 'clusterIP is the IP address of the service.'), col('External-IP', 'string', 0, 'externalIPs is a list of IP addresses.'),
    col('Port(s)', 'string', 0, 'The list of ports that are exposed by this service.'), ageColumn,
    col('Selector', 'string', 1, 'Route service traffic to pods with label keys and values matching this selector.'),
  ],
  cells: (o, now) => {
    const s = o as Service;
    return [s.metadata?.name, s.spec?.type ?? 'ClusterIP', s.spec?.clusterIP || '<none>', externalIP(s), ports(s), age(s, now), selector(s)];
  },
};
