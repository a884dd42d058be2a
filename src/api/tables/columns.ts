// Column definitions shared by every table (descriptions shortened from upstream's).
import type { ColumnDef } from './table-def.js';

export const nameColumn: ColumnDef = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.' };
export const ageColumn: ColumnDef = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };
export const col = (name: string, type: ColumnDef['type'] = 'string', priority = 0, description = ''): ColumnDef => ({ name, type, priority, description });
