// A container's requests and limits as CRI's LinuxContainerResources, the way upstream's
// kubelet converts them: cpu request → cpu.shares, cpu limit → CFS quota over a 100 ms
// period, memory limit → memory.limit_in_bytes, QoS → oom_score_adj.
import type { Pod, Container } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../api/quantity/index.js';
import type { LinuxContainerResources } from './cri-types.js';
import { podQOSClass } from './pod-qos.js';

export const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const MIN_QUOTA_US = 1000;

export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BESTEFFORT_OOM_SCORE_ADJ = 1000;

export function milliCPUToShares(milli: number): number {
  if (milli === 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milli * 1024) / 1000)));
}

export function milliCPUToQuota(milli: number, period = CPU_PERIOD_US): number {
  if (milli === 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milli * period) / 1000));
}

/** Upstream's policy: Guaranteed -997, BestEffort 1000, Burstable by share of node memory (2..999). */
export function oomScoreAdj(pod: Pod, container: Container, nodeMemoryBytes: number): number {
  const qos = podQOSClass(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BESTEFFORT_OOM_SCORE_ADJ;
  const req = container.resources?.requests?.memory;
  const memRequest = req ? parseQuantity(req).value() : 0;
  let adj = nodeMemoryBytes > 0 ? 1000 - Math.floor((1000 * memRequest) / nodeMemoryBytes) : 999;
  if (adj < 2) adj = 2;
  if (adj >= 1000) adj = 999;
  return adj;
}

export function linuxResources(pod: Pod, container: Container, nodeMemoryBytes: number): LinuxContainerResources {
  const req = container.resources?.requests ?? {};
  const lim = container.resources?.limits ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  const out: LinuxContainerResources = {
    cpuShares: String(milliCPUToShares(cpuReq ? parseQuantity(cpuReq).milliValue() : 0)),
    oomScoreAdj: String(oomScoreAdj(pod, container, nodeMemoryBytes)),
  };
  if (lim.cpu) {
    out.cpuPeriod = String(CPU_PERIOD_US);
    out.cpuQuota = String(milliCPUToQuota(parseQuantity(lim.cpu).milliValue()));
  }
  if (lim.memory) out.memoryLimitInBytes = String(parseQuantity(lim.memory).value());
  return out;
}
