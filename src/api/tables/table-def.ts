// Server-side printing (meta.k8s.io/v1 Table): columns as upstream's printers declare them,
// and a function that turns one object into its cells.
import type { KubeObject } from '../resources/resource-def.js';

export interface ColumnDef {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  /** 0: always shown; 1: only with -o wide */
  priority?: number;
}

export interface TableDef {
  columns: ColumnDef[];
  cells: (obj: KubeObject, now: Date) => unknown[];
}
