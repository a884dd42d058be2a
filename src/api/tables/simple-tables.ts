// Short tables for resources whose columns are a count or two: endpoints, configmaps,
// secrets, serviceaccounts, leases.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';

function endpointsText(o: any): string {
  const list: string[] = [];
  for (const subset of o.subsets ?? []) {
    for (const a of subset.addresses ?? []) {
      const ports = subset.ports ?? [];
      if (ports.length === 0) list.push(a.ip);
      for (const p of ports) list.push(`${a.ip}:${p.port}`);
    }
  }
  if (list.length === 0) return '<none>';
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

export const endpointsTable: TableDef = {
  columns: [nameColumn, col('Endpoints', 'string', 0, 'Endpoints of the service'), ageColumn],
  cells: (o, now) => [o.metadata?.name, endpointsText(o), age(o, now)],
};

export const configMapTable: TableDef = {
  columns: [nameColumn, col('Data', 'integer', 0, 'Data contains the configuration data.'), ageColumn],
  cells: (o, now) => [o.metadata?.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)],
};

export const secretTable: TableDef = {
  columns: [nameColumn, col('Type', 'string', 0, 'The type of the secret'), col('Data', 'integer', 0, 'Data contains the secret data.'), ageColumn],
  cells: (o, now) => [o.metadata?.name, o.type ?? '', Object.keys(o.data ?? {}).length, age(o, now)],
};

export const serviceAccountTable: TableDef = {
  columns: [nameColumn, col('Secrets', 'string', 0, 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn],
  cells: (o, now) => [o.metadata?.name, (o.secrets ?? []).length, age(o, now)],
};

export const leaseTable: TableDef = {
  columns: [nameColumn, col('Holder', 'string', 0, 'The holder of the lease'), ageColumn],
  cells: (o, now) => [o.metadata?.name, o.spec?.holderIdentity ?? '', age(o, now)],
};
