// rbac.authorization.k8s.io printers: bindings show their role and, with -o wide, subjects.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';

const subjects = (o: any, kind: string) => (o.subjects ?? []).filter((s: any) => s.kind === kind)
  .map((s: any) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');

export const bindingTable: TableDef = {
  columns: [nameColumn, col('Role'), ageColumn, col('Users', 'string', 1), col('Groups', 'string', 1), col('ServiceAccounts', 'string', 1)],
  cells: (o, now) => [o.metadata?.name, `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`, age(o, now),
    subjects(o, 'User'), subjects(o, 'Group'), subjects(o, 'ServiceAccount')],
};

export const roleTable: TableDef = {
  columns: [nameColumn, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
  cells: (o) => [o.metadata?.name, o.metadata?.creationTimestamp],
};
