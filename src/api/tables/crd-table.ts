// Tables of custom resources: NAME, then the version's additionalPrinterColumns (AGE when
// it declares none), each cell read with its JSONPath; date columns print as ages.
import type { TableDef } from './table-def.js';
import { nameColumn } from './columns.js';
import { humanDuration } from './human-duration.js';
import { evalJsonPath } from './jsonpath.js';

export interface PrinterColumn { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function cell(col: PrinterColumn, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  if (col.type === 'date') {
    const t = Date.parse(String(value));
    return Number.isNaN(t) ? '<invalid>' : humanDuration(now.getTime() - t);
  }
  if (col.type === 'string' && typeof value === 'object') return JSON.stringify(value);
  return value;
}

export function crdTable(columns: PrinterColumn[] | undefined): TableDef {
  const cols = columns?.length ? columns : [AGE];
  return {
    columns: [nameColumn, ...cols.map((c) => ({ name: c.name, type: c.type as TableDef['columns'][number]['type'], format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))],
    cells: (obj, now) => [obj.metadata?.name, ...cols.map((c) => {
      let found: unknown[] = [];
      try { found = evalJsonPath(obj, c.jsonPath); } catch { found = []; }
      return cell(c, found.length > 1 ? found.map(String).join(',') : found[0], now);
    })],
  };
}
