// kubectl get pods: NAME READY STATUS RESTARTS AGE (+ IP, NODE, NOMINATED NODE, READINESS GATES).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age, humanDuration } from './human-duration.js';

/** The STATUS column: the phase, refined by reasons and container states as upstream prints. */
export function podStatusReason(pod: Pod): { reason: string; ready: number; total: number; restarts: number; lastRestart?: number } {
  const status = pod.status ?? {};
  let reason = status.reason || status.phase || 'Pending';
  let restarts = 0;
  let ready = 0;
  let lastRestart: number | undefined;
  // sidecars (init containers with restartPolicy Always) count among the pod's containers
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const total = (pod.spec?.containers?.length ?? 0) + sidecars.size;
  let sidecarRestarts = 0;
  let sidecarLastRestart: number | undefined;
  const later = (t: number | undefined, finished?: string) => (finished ? Math.max(t ?? 0, Date.parse(finished)) : t);
  let initializing = false;
  // As upstream: init containers are read in order up to the first one not completed (or a sidecar not started).
  for (const [i, c] of (status.initContainerStatuses ?? []).entries()) {
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
    const sidecar = sidecars.has(c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      sidecarLastRestart = later(sidecarLastRestart, c.lastState?.terminated?.finishedAt);
    }
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (sidecar && c.started) { if (c.ready) ready++; continue; }
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${pod.spec?.initContainers?.length ?? 0}`;
    initializing = true;
    break;
  }
  const initializedCond = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedCond) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let hasRunning = false;
    for (const c of [...(status.containerStatuses ?? [])].reverse()) {
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return { reason, ready, total, restarts, lastRestart: lastRestart || undefined };
}

export const podTable: TableDef = {
  columns: [
    nameColumn,
    col('Ready', 'string', 0, 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 0, 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 0, 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    col('IP', 'string', 1, 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    col('Node', 'string', 1, 'NodeName is a request to schedule this pod onto a specific node.'),
    col('Nominated Node', 'string', 1, 'nominatedNodeName is set when this pod preempts other pods on the node.'),
    col('Readiness Gates', 'string', 1, 'If specified, all readiness gates will be evaluated for pod readiness.'),
  ],
  cells: (obj, now) => {
    const pod = obj as Pod;
    const s = podStatusReason(pod);
    const restarts = s.lastRestart ? `${s.restarts} (${humanDuration(now.getTime() - s.lastRestart)} ago)` : String(s.restarts);
    const gates = pod.spec?.readinessGates ?? [];
    const trueConds = new Set((pod.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type));
    return [
      pod.metadata?.name, `${s.ready}/${s.total}`, s.reason, restarts, age(pod, now),
      pod.status?.podIP || '<none>', pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>',
      gates.length ? `${gates.filter((g) => trueConds.has(g.conditionType)).length}/${gates.length}` : '<none>',
    ];
  },
};
