// kubectl get namespaces: NAME STATUS AGE.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';

export const namespaceTable: TableDef = {
  columns: [nameColumn, col('Status', 'string', 0, 'The status of the namespace'), ageColumn],
  cells: (o, now) => [o.metadata?.name, o.status?.phase ?? '', age(o, now)],
};
