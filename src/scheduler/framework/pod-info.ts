// A pod with what the plugins derive from it computed once: requests, parsed affinity
// terms, host ports and priority.
import type { ContainerPort, Pod } from 'kubernetes-types/core/v1.js';
import { podRequests } from './pod-requests.js';
import type { Resource } from './resource.js';
import { AffinityTerm, parseTerms, parseWeightedTerms } from './affinity-term.js';

export interface HostPort { ip: string; protocol: string; port: number }

export class PodInfo {
  readonly key: string;
  readonly requests: Resource;
  readonly nonZeroRequests: Resource;
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: AffinityTerm[];
  readonly preferredAntiAffinity: AffinityTerm[];
  readonly hostPorts: HostPort[];

  constructor(readonly pod: Pod) {
    const ns = pod.metadata?.namespace ?? 'default';
    this.key = `${ns}/${pod.metadata?.name}`;
    this.requests = podRequests(pod);
    // the same figures when every container states cpu and memory (the common case): one parse, not two
    this.nonZeroRequests = statesCpuAndMemory(pod) ? this.requests : podRequests(pod, true);
    const aff = pod.spec?.affinity;
    this.requiredAffinity = parseTerms(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, ns);
    this.requiredAntiAffinity = parseTerms(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, ns);
    this.preferredAffinity = parseWeightedTerms(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, ns);
    this.preferredAntiAffinity = parseWeightedTerms(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, ns);
    this.hostPorts = hostPortsOf(pod);
  }

  /** The same pod placed on `nodeName` (what the cache assumes), sharing everything derived. */
  onNode(nodeName: string): PodInfo {
    const c = Object.create(PodInfo.prototype) as PodInfo;
    Object.assign(c, this, { pod: { ...this.pod, spec: { ...this.pod.spec!, nodeName } } });
    return c;
  }

  get namespace(): string { return this.pod.metadata?.namespace ?? 'default'; }
  get name(): string { return this.pod.metadata?.name ?? ''; }
  get uid(): string { return this.pod.metadata?.uid ?? ''; }
  get priority(): number { return podPriority(this.pod); }
  hasAffinity(): boolean {
    return this.requiredAffinity.length + this.requiredAntiAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0;
  }
}

export const podPriority = (pod: Pod): number => pod.spec?.priority ?? 0;
export const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name}`;

function statesCpuAndMemory(pod: Pod): boolean {
  const has = (c: { resources?: { requests?: Record<string, unknown> } }) => c.resources?.requests?.cpu !== undefined && c.resources.requests.memory !== undefined;
  return (pod.spec?.containers ?? []).every(has) && (pod.spec?.initContainers ?? []).every(has);
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const add = (p: ContainerPort) => {
    if (p.hostPort && p.hostPort > 0) out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
  };
  for (const c of pod.spec?.containers ?? []) (c.ports ?? []).forEach(add);
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') (c.ports ?? []).forEach(add);
  return out;
}
