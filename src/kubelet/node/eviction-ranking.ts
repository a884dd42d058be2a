// Which pod goes first when the node runs short, and what its status says, as upstream's
// eviction manager: for memory and ephemeral storage, pods using more than they requested
// first, then lower priority first, then the largest use above the request; for PIDs, lower
// priority first, then the most processes. Critical pods (static, mirror, priority ≥ 2e9)
// are never chosen.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, Quantity } from '../../api/quantity/index.js';

export type ReclaimResource = 'memory' | 'ephemeral-storage' | 'pids';

export interface ContainerUse { name: string; memoryBytes?: number; ephemeralBytes?: number; pids?: number }
/** A pod's use: per container (ephemeralBytes = writable layer + logs), and per local volume (emptyDir) its bytes on disk. */
export interface PodUse { pod: Pod; containers: ContainerUse[]; volumes?: Record<string, number> }

/** The resource a signal starves: memory.available → memory, nodefs/imagefs → ephemeral-storage, pid → pids. */
export const resourceOf = (signal: string): ReclaimResource => (signal.startsWith('memory.') ? 'memory' : signal.startsWith('pid.') ? 'pids' : 'ephemeral-storage');

const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export function isCriticalPod(pod: Pod): boolean {
  const a = pod.metadata?.annotations ?? {};
  return a['kubernetes.io/config.source'] === 'file' || !!a['kubernetes.io/config.mirror'] || (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY;
}

function containerUse(c: ContainerUse, r: ReclaimResource): number {
  return (r === 'memory' ? c.memoryBytes : r === 'pids' ? c.pids : c.ephemeralBytes) ?? 0;
}

function containerRequest(pod: Pod, name: string, r: ReclaimResource): number {
  const q = pod.spec?.containers?.find((c) => c.name === name)?.resources?.requests?.[r];
  return q === undefined ? 0 : parseQuantity(q).value();
}

const podUse = (u: PodUse, r: ReclaimResource) => u.containers.reduce((s, c) => s + containerUse(c, r), 0);
const podRequest = (u: PodUse, r: ReclaimResource) => (u.pod.spec?.containers ?? []).reduce((s, c) => s + containerRequest(u.pod, c.name, r), 0);
const priority = (u: PodUse) => u.pod.spec?.priority ?? 0;

/** The candidates in eviction order (critical pods left out). */
export function rankForEviction(pods: PodUse[], r: ReclaimResource): PodUse[] {
  const list = pods.filter((u) => !isCriticalPod(u.pod));
  if (r === 'pids') return list.sort((a, b) => priority(a) - priority(b) || podUse(b, r) - podUse(a, r));
  const over = (u: PodUse) => podUse(u, r) - podRequest(u, r);
  return list.sort((a, b) => Number(over(b) > 0) - Number(over(a) > 0) || priority(a) - priority(b) || over(b) - over(a));
}

const binary = (n: number) => Quantity.fromValue(Math.max(0, Math.round(n)), 'BinarySI').toString();

/** Upstream's evictionMessage: the starved resource, the threshold, and each container above its request. */
export function evictionMessage(u: PodUse, r: ReclaimResource, threshold?: { quantity: string; available: number }): string {
  let msg = `The node was low on resource: ${r}. `;
  if (threshold) msg += `Threshold quantity: ${threshold.quantity}, available: ${r === 'pids' ? threshold.available : binary(threshold.available)}. `;
  if (r === 'pids') return msg;
  for (const c of u.pod.spec?.containers ?? []) {
    const use = u.containers.find((x) => x.name === c.name);
    if (!use) continue;
    const used = containerUse(use, r);
    const req = c.resources?.requests?.[r];
    if (used > (req === undefined ? 0 : parseQuantity(req).value())) {
      msg += `Container ${c.name} was using ${binary(used)}, request is ${req === undefined ? '0' : parseQuantity(req).toString()}, has larger consumption of ${r}. `;
    }
  }
  return msg;
}
