// Builds a meta.k8s.io Table from objects with a resource's columns. includeObject decides
// what each row carries: nothing, the object's metadata (default), or the whole object.
import type { KubeObject, ResourceDef } from '../resources/resource-def.js';
import { defaultTable } from './default-table.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableListMeta { resourceVersion?: string; continue?: string; remainingItemCount?: number }

export function toTable(def: ResourceDef, objects: KubeObject[], opts: { version?: string; includeObject?: IncludeObject; listMeta?: TableListMeta; noHeaders?: boolean; now?: Date }): Record<string, unknown> {
  const table = def.table ?? defaultTable;
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: table.cells(o, now) };
    if (include === 'Object') row.object = o;
    else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return row;
  });
  const out: Record<string, unknown> = {
    kind: 'Table', apiVersion: `meta.k8s.io/${opts.version ?? 'v1'}`, metadata: opts.listMeta ?? {},
  };
  if (!opts.noHeaders) {
    out.columnDefinitions = table.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }));
  }
  out.rows = rows;
  return out;
}
