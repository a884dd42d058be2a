// What metrics-server keeps: the last two samples of every node and container series
// scraped from kubelets' /metrics/resource. CPU usage is the rate between them (cumulative
// core-seconds over the time between their timestamps, which is the reported window);
// memory is the newest working set. A series with one sample, or whose container restarted
// or whose counter went backwards between the two, has no usage yet.
import type { PromSample } from './prometheus-text.js';

interface Point { cpuSeconds: number; memoryBytes: number; timestamp: number; startTime?: number }
interface Series { prev?: Point; last: Point }

export interface Usage { nanoCores: number; memoryBytes: number; timestamp: number; windowMs: number }
export interface ContainerUsage extends Usage { name: string }

function advance(old: Series | undefined, p: Point): Series {
  if (!old) return { last: p };
  if (p.timestamp <= old.last.timestamp) return old; // the kubelet has not measured again since
  // a restarted container starts a new counter: its old sample says nothing about the new one
  if (p.startTime !== undefined && old.last.startTime !== undefined && p.startTime !== old.last.startTime) return { last: p };
  return { prev: old.last, last: p };
}

function usage(s: Series | undefined): Usage | undefined {
  if (!s?.prev) return undefined;
  const dt = s.last.timestamp - s.prev.timestamp;
  const dcpu = s.last.cpuSeconds - s.prev.cpuSeconds;
  if (dt <= 0 || dcpu < 0) return undefined;
  return { nanoCores: (dcpu / (dt / 1000)) * 1e9, memoryBytes: s.last.memoryBytes, timestamp: s.last.timestamp, windowMs: dt };
}

export class MetricsStore {
  private readonly nodes = new Map<string, Series>();
  /** node → "namespace/pod" → container → series */
  private readonly pods = new Map<string, Map<string, Map<string, Series>>>();

  /** Takes one scrape of a node's kubelet; containers it no longer reports are forgotten. */
  record(node: string, samples: PromSample[]): void {
    const at = (s: PromSample) => s.timestamp ?? Date.now();
    const cpu = samples.find((s) => s.name === 'node_cpu_usage_seconds_total');
    const mem = samples.find((s) => s.name === 'node_memory_working_set_bytes');
    if (cpu && mem) this.nodes.set(node, advance(this.nodes.get(node), { cpuSeconds: cpu.value, memoryBytes: mem.value, timestamp: at(cpu) }));
    const key = (s: PromSample) => `${s.labels.namespace}/${s.labels.pod}\u0000${s.labels.container}`;
    const memory = new Map<string, number>();
    const starts = new Map<string, number>();
    for (const s of samples) {
      if (s.name === 'container_memory_working_set_bytes') memory.set(key(s), s.value);
      else if (s.name === 'container_start_time_seconds') starts.set(key(s), s.value);
    }
    const old = this.pods.get(node);
    const next = new Map<string, Map<string, Series>>();
    for (const s of samples) {
      if (s.name !== 'container_cpu_usage_seconds_total' || !s.labels.pod || !s.labels.container) continue;
      const k = key(s);
      if (!memory.has(k)) continue;
      const pod = `${s.labels.namespace}/${s.labels.pod}`;
      const series = advance(old?.get(pod)?.get(s.labels.container), { cpuSeconds: s.value, memoryBytes: memory.get(k)!, timestamp: at(s), startTime: starts.get(k) });
      if (!next.has(pod)) next.set(pod, new Map());
      next.get(pod)!.set(s.labels.container, series);
    }
    this.pods.set(node, next);
  }

  /** A node that is gone (or no longer answers) drops out. */
  forget(node: string): void {
    this.nodes.delete(node);
    this.pods.delete(node);
  }

  nodeUsage(node: string): Usage | undefined { return usage(this.nodes.get(node)); }

  /** Every container of the pod with a usage, or undefined when any has none yet (as metrics-server). */
  podUsage(namespace: string, name: string): ContainerUsage[] | undefined {
    for (const pods of this.pods.values()) {
      const containers = pods.get(`${namespace}/${name}`);
      if (!containers) continue;
      const out: ContainerUsage[] = [];
      for (const [c, s] of containers) {
        const u = usage(s);
        if (!u) return undefined;
        out.push({ name: c, ...u });
      }
      return out.length ? out : undefined;
    }
    return undefined;
  }
}
