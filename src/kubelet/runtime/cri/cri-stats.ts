// CRI's ContainerStats/PodSandboxStats (cgroup figures the runtime reads: cumulative CPU in
// core-nanoseconds, memory in bytes, times in epoch nanoseconds) to the kubelet's samples.
import type { ContainerUsageSample, SandboxUsageSample } from '../runtime-service.js';
import type * as cri from './cri-types.js';
import { nanosToMillis } from './cri-types.js';

const num = (v: { value: cri.Int64 } | null | undefined): number | undefined => (v ? Number(v.value) : undefined);

export function fromCriContainerStats(s: cri.ContainerStats): ContainerUsageSample | undefined {
  const cpu = num(s.cpu?.usageCoreNanoSeconds);
  const ws = num(s.memory?.workingSetBytes);
  // a container whose cgroup the runtime could not read has no figures: not a zero usage
  if (cpu === undefined || ws === undefined) return undefined;
  return {
    cpuSeconds: cpu / 1e9,
    memoryWorkingSetBytes: ws,
    timestamp: nanosToMillis(s.cpu!.timestamp) || nanosToMillis(s.memory!.timestamp) || Date.now(),
    usageNanoCores: num(s.cpu?.usageNanoCores),
    memoryUsageBytes: num(s.memory?.usageBytes),
    rssBytes: num(s.memory?.rssBytes),
    pageFaults: num(s.memory?.pageFaults),
    majorPageFaults: num(s.memory?.majorPageFaults),
    writableLayerBytes: num(s.writableLayer?.usedBytes),
  };
}

export function fromCriSandboxStats(s: cri.PodSandboxStats): SandboxUsageSample | undefined {
  const l = s.linux;
  if (!l) return undefined;
  const cpu = num(l.cpu?.usageCoreNanoSeconds);
  const ws = num(l.memory?.workingSetBytes);
  const iface = (i: cri.NetworkInterfaceUsage) => ({
    name: i.name, rxBytes: num(i.rxBytes) ?? 0, rxErrors: num(i.rxErrors) ?? 0, txBytes: num(i.txBytes) ?? 0, txErrors: num(i.txErrors) ?? 0,
  });
  return {
    cpuSeconds: cpu === undefined ? undefined : cpu / 1e9,
    usageNanoCores: num(l.cpu?.usageNanoCores),
    memoryWorkingSetBytes: ws,
    memoryUsageBytes: num(l.memory?.usageBytes),
    rssBytes: num(l.memory?.rssBytes),
    timestamp: nanosToMillis(l.cpu?.timestamp) || nanosToMillis(l.memory?.timestamp) || Date.now(),
    network: l.network?.defaultInterface?.name ? {
      timestamp: nanosToMillis(l.network.timestamp) || Date.now(),
      default: iface(l.network.defaultInterface),
      interfaces: (l.network.interfaces ?? []).map(iface),
    } : undefined,
    processCount: num(l.process?.processCount),
  };
}
