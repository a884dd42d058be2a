// kubectl get apiservices: upstream's printer (kube-aggregator's apiservice table convertor)
// shows the backing Service ("Local" for a group this server serves itself) and the
// Available condition, with its reason when it is not True.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';

export function apiServiceAvailable(o: any): string {
  const c = (o.status?.conditions ?? []).find((x: any) => x.type === 'Available');
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'True' : `${c.status} (${c.reason ?? ''})`;
}

export const apiServiceTable: TableDef = {
  columns: [nameColumn, col('Service', 'string', 0, 'The reference to the service that hosts this API endpoint.'),
    col('Available', 'string', 0, 'Whether this service is available.'), ageColumn],
  cells: (o, now) => [o.metadata?.name, o.spec?.service ? `${o.spec.service.namespace}/${o.spec.service.name}` : 'Local', apiServiceAvailable(o), age(o, now)],
};
