// What the endpoint and endpointslice controllers share: which pods back a Service and
// which port a Service port targets on each pod (numbers, or container port names).
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isReady } from './pod-state.js';

export function selectedBy(svc: Service, pod: Pod): boolean {
  const sel = svc.spec?.selector;
  if (!sel || !Object.keys(sel).length) return false;
  return Object.entries(sel).every(([k, v]) => pod.metadata?.labels?.[k] === v);
}

/** Pods that get an address: they have an IP and are not finished (terminating ones only if published). */
export function endpointPod(svc: Service, pod: Pod): boolean {
  if (!pod.status?.podIP) return false;
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return false;
  if (pod.metadata?.deletionTimestamp && !svc.spec?.publishNotReadyAddresses) return false;
  return true;
}

export const podReady = (svc: Service, pod: Pod): boolean => !!svc.spec?.publishNotReadyAddresses || (isReady(pod) && !pod.metadata?.deletionTimestamp);

/** The port number a Service port reaches on this pod, or undefined when a named port is missing. */
export function targetPort(sp: ServicePort, pod: Pod): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === t && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  return undefined;
}
