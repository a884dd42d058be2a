// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics: read-only, never stored. The API
// server's built-in resource metrics provider (src/apiserver/metrics-api) answers them.
import type { ResourceDef } from './resource-def.js';
import type { TableDef } from '../tables/table-def.js';
import { Quantity } from '../quantity/index.js';

const gv = { group: 'metrics.k8s.io', version: 'v1beta1' };

/** metrics-server's printed columns: CPU and memory summed over containers, and the sample window. */
const usageTable = (sum: (o: any) => { cpu: string; memory: string }): TableDef => ({
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource' },
    { name: 'CPU', type: 'string', description: 'CPU usage' },
    { name: 'Memory', type: 'string', description: 'Memory usage' },
    { name: 'Window', type: 'string', description: 'Interval the usage was measured over' },
  ],
  cells: (o) => { const u = sum(o); return [o.metadata?.name, u.cpu, u.memory, o.window]; },
});

export const nodemetrics: ResourceDef = {
  ...gv, kind: 'NodeMetrics', plural: 'nodes', singular: '', namespaced: false, verbs: ['get', 'list'], notStored: true,
  table: usageTable((o) => ({ cpu: o.usage?.cpu ?? '', memory: o.usage?.memory ?? '' })),
};

export const podmetrics: ResourceDef = {
  ...gv, kind: 'PodMetrics', plural: 'pods', singular: '', namespaced: true, verbs: ['get', 'list'], notStored: true,
  table: usageTable((o) => {
    const sum = (r: string) => (o.containers ?? []).reduce((n: number, c: any) => n + (c.usage?.[r] ? Quantity.parse(c.usage[r]).milliValue() : 0), 0);
    return { cpu: `${sum('cpu')}m`, memory: `${Math.round(sum('memory') / 1000 / 1024 / 1024)}Mi` };
  }),
};

export const metricsV1beta1: ResourceDef[] = [nodemetrics, podmetrics];
