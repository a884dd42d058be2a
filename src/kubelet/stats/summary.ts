// The kubelet's /stats/summary (stats/v1alpha1 Summary, what `kubectl get --raw
// /api/v1/nodes/N/proxy/stats/summary` and metrics-server's older releases read): the node and
// every measured pod with its containers' CPU and memory, and the pod's network when the
// runtime reports it (CRI ListPodSandboxStats). usageNanoCores is the rate over at least the
// last second of the same series (upstream's CRI stats provider keeps the same cache); the
// runtime's own rate is used only until there is one: containerd computes it since the previous
// stats call, and two calls 30 ms apart under a 100m CFS quota read as 0.33 cores.
import os from 'node:os';
import type { ContainerUsageSample, NetworkInterfaceSample } from '../runtime/runtime-service.js';
import type { UsageSnapshot } from './usage-collector.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Recent (cumulative CPU, time) samples per series, for rates over a window of at least MIN_WINDOW_MS. */
const MIN_WINDOW_MS = 1000;
export class CpuRates {
  private readonly samples = new Map<string, { cpuSeconds: number; timestamp: number }[]>();
  rate(key: string, cpuSeconds: number, timestamp: number): number | undefined {
    let list = this.samples.get(key) ?? [];
    if (list.length && cpuSeconds < list[list.length - 1]!.cpuSeconds) list = []; // restarted: the counter went back
    if (!list.length || timestamp > list[list.length - 1]!.timestamp) list.push({ cpuSeconds, timestamp });
    // the base is the newest sample at least MIN_WINDOW_MS old; older ones are no longer needed
    while (list.length > 1 && timestamp - list[1]!.timestamp >= MIN_WINDOW_MS) list.shift();
    const base = timestamp - list[0]!.timestamp >= MIN_WINDOW_MS ? list[0] : undefined;
    this.samples.set(key, list);
    if (!base || cpuSeconds < base.cpuSeconds) return undefined;
    return Math.round(((cpuSeconds - base.cpuSeconds) / ((timestamp - base.timestamp) / 1000)) * 1e9);
  }
  /** Forgets series not seen in the last pass. */
  keep(keys: Set<string>): void {
    for (const k of this.samples.keys()) if (!keys.has(k)) this.samples.delete(k);
  }
}

const cpu = (time: number, cpuSeconds: number, nanoCores: number | undefined) => ({
  time: iso(time), ...(nanoCores !== undefined ? { usageNanoCores: nanoCores } : {}), usageCoreNanoSeconds: Math.round(cpuSeconds * 1e9),
});

function memory(u: Pick<ContainerUsageSample, 'timestamp' | 'memoryWorkingSetBytes' | 'memoryUsageBytes' | 'rssBytes' | 'pageFaults' | 'majorPageFaults'>) {
  const out: Record<string, unknown> = { time: iso(u.timestamp) };
  if (u.memoryUsageBytes !== undefined) out.usageBytes = u.memoryUsageBytes;
  out.workingSetBytes = u.memoryWorkingSetBytes;
  if (u.rssBytes !== undefined) out.rssBytes = u.rssBytes;
  if (u.pageFaults !== undefined) out.pageFaults = u.pageFaults;
  if (u.majorPageFaults !== undefined) out.majorPageFaults = u.majorPageFaults;
  return out;
}

const iface = (i: NetworkInterfaceSample) => ({ name: i.name, rxBytes: i.rxBytes, rxErrors: i.rxErrors, txBytes: i.txBytes, txErrors: i.txErrors });

export function renderSummary(snap: UsageSnapshot, rates: CpuRates): object {
  const seen = new Set<string>();
  const rateOf = (key: string, cpuSeconds: number, timestamp: number, own?: number) => {
    seen.add(key);
    return rates.rate(key, cpuSeconds, timestamp) ?? own;
  };
  const bootTime = Date.now() - os.uptime() * 1000;
  const node: Record<string, unknown> = { nodeName: snap.nodeName, startTime: iso(bootTime) };
  if (snap.node) {
    const n = snap.node;
    node.cpu = cpu(n.timestamp, n.cpuSeconds, rateOf('node', n.cpuSeconds, n.timestamp));
    node.memory = { time: iso(n.timestamp), availableBytes: Math.max(0, os.totalmem() - n.memoryWorkingSetBytes), workingSetBytes: n.memoryWorkingSetBytes };
  }
  const pods = snap.pods.map((p) => {
    const containers = p.containers.map((c) => ({
      name: c.name,
      startTime: iso(c.startedAt),
      cpu: cpu(c.usage.timestamp, c.usage.cpuSeconds, rateOf(`c/${c.id}`, c.usage.cpuSeconds, c.usage.timestamp, c.usage.usageNanoCores)),
      memory: memory(c.usage),
      ...(c.usage.writableLayerBytes !== undefined ? { rootfs: { time: iso(c.usage.timestamp), usedBytes: c.usage.writableLayerBytes } } : {}),
    }));
    // pod figures: the sandbox cgroup's when the runtime reports them, else the containers' sums
    const sb = p.sandbox;
    const sum = (f: (u: ContainerUsageSample) => number | undefined) => p.containers.reduce<number | undefined>((a, c) => {
      const v = f(c.usage);
      return v === undefined ? a : (a ?? 0) + v;
    }, undefined);
    const t = Math.max(...p.containers.map((c) => c.usage.timestamp));
    const podCpu = sb?.cpuSeconds ?? sum((u) => u.cpuSeconds)!;
    const podTime = sb?.cpuSeconds !== undefined ? sb.timestamp : t;
    const out: Record<string, unknown> = {
      podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
      startTime: iso(p.startTime),
      containers,
      cpu: cpu(podTime, podCpu, rateOf(`p/${p.uid}`, podCpu, podTime, sb?.usageNanoCores)),
      memory: sb?.memoryWorkingSetBytes !== undefined
        ? memory({ timestamp: sb.timestamp, memoryWorkingSetBytes: sb.memoryWorkingSetBytes, memoryUsageBytes: sb.memoryUsageBytes, rssBytes: sb.rssBytes })
        : memory({ timestamp: t, memoryWorkingSetBytes: sum((u) => u.memoryWorkingSetBytes)!, memoryUsageBytes: sum((u) => u.memoryUsageBytes), rssBytes: sum((u) => u.rssBytes) }),
    };
    if (sb?.network) out.network = { time: iso(sb.network.timestamp), ...iface(sb.network.default), interfaces: sb.network.interfaces.map(iface) };
    if (sb?.processCount !== undefined) out.process_stats = { process_count: sb.processCount };
    return out;
  });
  rates.keep(seen);
  return { node, pods };
}
