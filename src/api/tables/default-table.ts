// The table for resources without their own printer: NAME and CREATED AT, as upstream's default.
import type { TableDef } from './table-def.js';
import { nameColumn } from './columns.js';

export const defaultTable: TableDef = {
  columns: [nameColumn, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
  cells: (obj) => [obj.metadata?.name, obj.metadata?.creationTimestamp],
};
