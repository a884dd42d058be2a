// What the eviction manager measures: each running pod's use per container — declared by a
// hollow pod (simulated-usage.ts), measured for others: memory through the runtime's
// ContainerStats (host-process containers from /proc), ephemeral storage as the writable layer
// (CRI's, or a host-process container's own sandbox directory) plus its log files, and each
// disk-backed emptyDir's size on disk — and, for a hollow node, the node's signals derived
// from its made-up machine minus what its pods declare.
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { MachineInfo } from './machine-info.js';
import type { PodManager } from '../pods/pod-manager.js';
import { simulatedUsage } from '../runtime/simulated-usage.js';
import type { ContainerUse, PodUse } from './eviction-ranking.js';
import type { Observations } from './eviction-signals.js';
import { podDir, podLogDir, volumeDir } from '../kubelet-paths.js';
import { diskUsage } from '../stats/disk-usage.js';

/** Linux's largest pid_max (64-bit): the hollow node's process capacity. */
const HOLLOW_PID_MAX = 4_194_304;

export interface UsagePaths { rootDir: string; podLogsDir: string }

export async function podUsage(pods: PodManager, paths: UsagePaths): Promise<PodUse[]> {
  const out: PodUse[] = [];
  for (const w of pods.workers.values()) {
    if (!w.isActive) continue;
    if (w.runtime.traits.simulated) {
      const u = simulatedUsage(w.pod);
      out.push({ pod: w.pod, containers: [...u].map(([name, x]) => ({ name, memoryBytes: x.memoryBytes, ephemeralBytes: x.ephemeralBytes, pids: x.pids })) });
      continue;
    }
    const containers: ContainerUse[] = [];
    const m = w.pod.metadata!;
    const logs = podLogDir(paths.podLogsDir, m.namespace ?? 'default', m.name!, m.uid!);
    for (const c of w.runningContainers()) {
      const s = await w.runtime.containerStats?.(c.id).catch(() => undefined);
      // a host-process container has no writable layer: its own sandbox directory stands for it
      const layer = s?.writableLayerBytes ?? await diskUsage(path.join(podDir(paths.rootDir, m.uid!), 'host-process', c.name));
      containers.push({ name: c.name, memoryBytes: s?.memoryWorkingSetBytes, ephemeralBytes: layer + await diskUsage(path.join(logs, c.name)) });
    }
    const volumes: Record<string, number> = {};
    for (const v of w.pod.spec?.volumes ?? []) {
      if (v.emptyDir && v.emptyDir.medium !== 'Memory') volumes[v.name] = await diskUsage(volumeDir(paths.rootDir, m.uid!, 'empty-dir', v.name));
    }
    out.push({ pod: w.pod, containers, volumes });
  }
  return out;
}

export function simulatedObservations(m: MachineInfo, pods: Pod[]): Observations {
  let memory = 0; let disk = 0; let pids = 0;
  for (const p of pods) {
    for (const u of simulatedUsage(p).values()) { memory += u.memoryBytes; disk += u.ephemeralBytes; pids += u.pids; }
  }
  const fs = { available: Math.max(0, m.diskBytes - disk), capacity: m.diskBytes };
  return {
    'memory.available': { available: Math.max(0, m.memoryBytes - memory), capacity: m.memoryBytes },
    'nodefs.available': fs, 'imagefs.available': fs,
    'pid.available': { available: HOLLOW_PID_MAX - pids, capacity: HOLLOW_PID_MAX },
  };
}
