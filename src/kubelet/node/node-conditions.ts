// The four node conditions the kubelet owns, with upstream's reasons and messages, and
// lastTransitionTime kept until a condition actually changes.
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../client/index.js';

export interface NodeHealth { ready: boolean; notReadyMessage?: string; memoryPressure: boolean; diskPressure: boolean; pidPressure: boolean }

type Cond = [type: string, status: boolean, reason: string, message: string];

function desired(h: NodeHealth): Cond[] {
  return [
    h.memoryPressure
      ? ['MemoryPressure', true, 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available']
      : ['MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    h.diskPressure
      ? ['DiskPressure', true, 'KubeletHasDiskPressure', 'kubelet has disk pressure']
      : ['DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    h.pidPressure
      ? ['PIDPressure', true, 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available']
      : ['PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    h.ready
      ? ['Ready', true, 'KubeletReady', 'kubelet is posting ready status']
      : ['Ready', false, 'KubeletNotReady', h.notReadyMessage ?? 'kubelet is not ready'],
  ];
}

/** New conditions from `previous` (what the node has now) and the current health. */
export function nodeConditions(previous: NodeCondition[] | undefined, h: NodeHealth, now = new Date()): NodeCondition[] {
  const t = formatTime(now);
  return desired(h).map(([type, status, reason, message]) => {
    const old = previous?.find((c) => c.type === type);
    const s = status ? 'True' : 'False';
    return { type, status: s, lastHeartbeatTime: t, lastTransitionTime: old && old.status === s ? old.lastTransitionTime : t, reason, message };
  });
}

/** The conditions without heartbeat times, to tell whether anything but time changed. */
export const conditionsKey = (cs: NodeCondition[] | undefined): string =>
  JSON.stringify((cs ?? []).map((c) => [c.type, c.status, c.reason, c.message]));
