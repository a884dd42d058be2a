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

const exited = (r: ContainerRecord) => r.status?.state === 'CONTAINER_EXITED' && !r.waiting;

/** Upstream's getPhase. */
export function podPhase(v: PodView, statuses: ApiContainerStatus[]): string {
  if (v.rejected) return 'Failed';
  const policy = v.pod.spec?.restartPolicy ?? 'Always';
  const initFailed = v.init.some((r) => exited(r) && r.status!.exitCode !== 0);
  if (initFailed && policy === 'Never') return 'Failed';
  const initDone = v.init.every((r) => exited(r) && r.status!.exitCode === 0);
  if (!initDone && !v.terminated) return 'Pending';
  let running = 0; let waiting = 0; let stopped = 0; let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
  }
  if (v.terminated) {
    // everything was stopped for the deletion: report how the containers ended
    return statuses.length > 0 && succeeded === statuses.length ? 'Succeeded' : 'Failed';
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure') return stopped === succeeded ? 'Succeeded' : 'Running';
    return stopped === succeeded ? 'Succeeded' : 'Failed';
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
  const phase = podPhase(v, statuses);
  const old = v.pod.status?.conditions;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const notInit = v.init.filter((r) => !(exited(r) && r.status!.exitCode === 0)).map((r) => r.name);
  const initialized = notInit.length === 0 || (terminal && v.init.length === 0);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
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
