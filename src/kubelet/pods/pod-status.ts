// The pod's status as the kubelet reports it, computed from the runtime's view exactly as
// upstream does: container states (waiting/running/terminated, lastState, ready, started,
// restartCount, image, imageID, containerID), the phase, the five pod conditions with
// upstream's reasons, pod and host IPs, startTime and qosClass.
import type { ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { qosClass } from '../../api/defaults/pod-defaults.js';
import { formatTime } from '../../client/index.js';
import type { ContainerRecord } from './container-record.js';

export interface PodView {
  pod: Pod;
  init: ContainerRecord[];
  containers: ContainerRecord[];
  sandboxReady: boolean;
  podIPs: string[];
  hostIP: string;
  startTime?: string;
  runtimeName: string;
  /** Set once the kubelet stopped everything of a pod being deleted. */
  terminated: boolean;
  /** Set once every init container ran (regular ones succeeded, sidecars started). */
  initialized?: boolean;
  /** Why the kubelet is ending the pod (eviction): the DisruptionTarget condition. */
  disruption?: { reason: string; message: string };
  /** A pod the kubelet refused or failed for good (phase Failed with this reason/message). */
  rejected?: { reason: string; message: string };
}

const ts = (ms: number) => formatTime(new Date(ms));

function containerStatus(v: PodView, r: ContainerRecord): ApiContainerStatus {
  const spec = [...(v.pod.spec?.initContainers ?? []), ...(v.pod.spec?.containers ?? [])].find((c) => c.name === r.name);
  const s = r.status;
  const out: ApiContainerStatus = {
    name: r.name, image: spec?.image ?? '', imageID: s?.imageRef ?? '', ready: false, restartCount: r.restartCount, state: {},
  };
  if (s) out.containerID = `${v.runtimeName}://${s.id}`;
  if (s?.state === 'CONTAINER_RUNNING') {
    out.state = { running: { startedAt: ts(s.startedAt) } };
    out.ready = r.ready && r.started;
    out.started = r.started;
  } else if (s?.state === 'CONTAINER_EXITED' && !r.waiting) {
    out.state = { terminated: terminatedState(v, s) };
    out.started = false;
  } else {
    out.state = { waiting: r.waiting ? { reason: r.waiting.reason, ...(r.waiting.message ? { message: r.waiting.message } : {}) } : { reason: 'ContainerCreating' } };
    out.started = false;
  }
  out.lastState = r.lastTerminated ? { terminated: r.lastTerminated } : {};
  return out;
}

export function terminatedState(v: { runtimeName: string }, s: NonNullable<ContainerRecord['status']>) {
  return {
    exitCode: s.exitCode, reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'), ...(s.message ? { message: s.message } : {}),
    startedAt: s.startedAt ? ts(s.startedAt) : undefined, finishedAt: ts(s.finishedAt || Date.now()), containerID: `${v.runtimeName}://${s.id}`,
  };
}

/** Upstream's isInitContainerInitialized: a sidecar once started, any other once it exited 0. */
const initDone = (r: ContainerRecord, s: ApiContainerStatus) => (r.sidecar ? !!s.started : !!s.state?.terminated && s.state.terminated.exitCode === 0);

/** Upstream's getPhase; sidecars (restartable init containers) count as running, never as stopped. */
export function podPhase(v: PodView, statuses: ApiContainerStatus[], initStatuses: ApiContainerStatus[] = v.init.map((r) => containerStatus(v, r))): string {
  if (v.rejected) return 'Failed';
  const policy = v.pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0; let pendingSidecars = 0; let failedInit = 0;
  let running = 0; let waiting = 0; let stopped = 0; let succeeded = 0;
  for (const [i, r] of v.init.entries()) {
    const s = initStatuses[i];
    if (r.sidecar) {
      if (s.state?.running) { running++; if (!s.started) pendingSidecars++; }
      else if (s.state?.waiting && !s.lastState?.terminated) { pendingSidecars++; waiting++; }
      continue; // a terminated sidecar is ignored
    }
    if (s.state?.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++; }
    else if (s.state?.waiting && s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++; }
    else pendingInit++;
  }
  if (v.terminated) {
    // everything was stopped for the deletion: report how the app containers ended
    const ended = statuses.filter((s) => s.state?.terminated);
    return statuses.length > 0 && ended.length === statuses.length && ended.every((s) => s.state!.terminated!.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || (pendingSidecars > 0 && stopped !== statuses.length)) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(old: PodCondition[] | undefined, type: string, status: boolean, reason?: string, message?: string): PodCondition {
  const s = status ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: PodCondition = { type, status: s, lastProbeTime: null as unknown as string, lastTransitionTime: prev?.status === s && prev.lastTransitionTime ? prev.lastTransitionTime : formatTime() };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

export function podStatus(v: PodView): PodStatus {
  const initStatuses = v.init.map((r) => containerStatus(v, r));
  const statuses = v.containers.map((r) => containerStatus(v, r));
  const phase = podPhase(v, statuses, initStatuses);
  const old = v.pod.status?.conditions;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const notInit = v.init.filter((r, i) => !initDone(r, initStatuses[i])).map((r) => r.name);
  // once the app containers ran the pod stays initialized, even while a sidecar restarts
  const initialized = notInit.length === 0 || !!v.initialized || (terminal && v.init.length === 0);
  const unready = [...initStatuses.filter((s, i) => v.init[i].sidecar && !s.ready), ...statuses.filter((s) => !s.ready)].map((s) => s.name);
  const containersReady = unready.length === 0 && statuses.length > 0;
  const [crReason, crMessage] = terminal ? ['PodCompleted', undefined]
    : !initialized ? ['ContainersNotInitialized', `containers with incomplete status: [${notInit.join(' ')}]`]
      : ['ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`];
  const gates = v.pod.spec?.readinessGates ?? [];
  const gatesOK = gates.every((g) => old?.find((c) => c.type === g.conditionType)?.status === 'True');
  const ready = containersReady && gatesOK && !terminal;

  const conditions: PodCondition[] = [
    condition(old, 'PodReadyToStartContainers', v.sandboxReady && !v.terminated),
    initialized ? condition(old, 'Initialized', true, terminal && notInit.length ? 'PodCompleted' : undefined)
      : condition(old, 'Initialized', false, 'ContainersNotInitialized', crMessage),
    ready ? condition(old, 'Ready', true) : condition(old, 'Ready', false, crReason, crMessage),
    containersReady && !terminal ? condition(old, 'ContainersReady', true) : condition(old, 'ContainersReady', false, crReason, crMessage),
    old?.find((c) => c.type === 'PodScheduled') ?? condition(old, 'PodScheduled', true),
  ];
  if (v.disruption) conditions.unshift(condition(old, 'DisruptionTarget', true, v.disruption.reason, v.disruption.message));
  // readiness gates and conditions other components own are kept as they are
  for (const c of old ?? []) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);

  const status: PodStatus = {
    phase, conditions, hostIP: v.hostIP, hostIPs: [{ ip: v.hostIP }],
    ...(v.podIPs.length ? { podIP: v.podIPs[0], podIPs: v.podIPs.map((ip) => ({ ip })) } : {}),
    ...(v.startTime ? { startTime: v.startTime } : {}),
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: v.pod.status?.qosClass ?? qosClass(v.pod.spec),
  };
  if (v.rejected) Object.assign(status, { reason: v.rejected.reason, message: v.rejected.message });
  return status;
}
