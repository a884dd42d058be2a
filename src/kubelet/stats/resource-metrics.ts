// The kubelet's /metrics/resource endpoint: the Prometheus text metrics-server scrapes
// (upstream's resource metrics collector, all [STABLE]): node and per-container cumulative
// CPU core-seconds and working-set bytes, each sample with its own timestamp in ms, so a
// scraper computes CPU rates between two samples of the same series.
import type { Usage } from './proc-usage.js';

export interface ContainerUsage extends Usage {
  namespace: string;
  pod: string;
  container: string;
  /** When the container started (epoch ms). */
  startedAt: number;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderResourceMetrics(node: Usage | undefined, containers: ContainerUsage[], scrapeError: boolean): string {
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, rows: [string, number, number][]) => {
    out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value, ts] of rows) out.push(`${name}${labels} ${value} ${ts}`);
  };
  const c = (u: ContainerUsage) => `{container="${esc(u.container)}",namespace="${esc(u.namespace)}",pod="${esc(u.pod)}"}`;
  const p = (u: ContainerUsage) => `{namespace="${esc(u.namespace)}",pod="${esc(u.pod)}"}`;
  const pods = new Map<string, [string, Usage]>();
  for (const u of containers) {
    const key = p(u);
    const sum = pods.get(key)?.[1] ?? { cpuSeconds: 0, memoryWorkingSetBytes: 0, timestamp: 0 };
    pods.set(key, [key, { cpuSeconds: sum.cpuSeconds + u.cpuSeconds, memoryWorkingSetBytes: sum.memoryWorkingSetBytes + u.memoryWorkingSetBytes, timestamp: Math.max(sum.timestamp, u.timestamp) }]);
  }
  family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds', containers.map((u) => [c(u), u.cpuSeconds, u.timestamp]));
  family('container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes', containers.map((u) => [c(u), u.memoryWorkingSetBytes, u.timestamp]));
  family('container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds', containers.map((u) => [c(u), u.startedAt / 1000, u.startedAt]));
  family('node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds', node ? [['', node.cpuSeconds, node.timestamp]] : []);
  family('node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes', node ? [['', node.memoryWorkingSetBytes, node.timestamp]] : []);
  family('pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds', [...pods.values()].map(([l, u]) => [l, u.cpuSeconds, u.timestamp]));
  family('pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes', [...pods.values()].map(([l, u]) => [l, u.memoryWorkingSetBytes, u.timestamp]));
  out.push('# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise', '# TYPE resource_scrape_error gauge', `resource_scrape_error ${scrapeError ? 1 : 0}`);
  return `${out.join('\n')}\n`;
}
