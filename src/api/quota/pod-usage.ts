// What one pod charges against a quota (upstream's pod evaluator): the pod itself, and its
// effective requests and limits — the larger of the containers' sum and the biggest init
// container, plus the pod overhead — under both names (cpu and requests.cpu).
import type { Container, Pod, ResourceQuotaSpec } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../quantity/index.js';
const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

type Usage = Map<string, Quantity>;

function sumOf(containers: Container[] | undefined, kind: 'requests' | 'limits'): Usage {
  const out: Usage = new Map();
  for (const c of containers ?? []) for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
    const q = Quantity.parse(v as string);
    out.set(k, out.has(k) ? out.get(k)!.add(q) : q);
  }
  return out;
}

function effective(pod: Pod, kind: 'requests' | 'limits'): Usage {
  const out = sumOf(pod.spec?.containers, kind);
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') continue; // sidecars run alongside: counted with the containers below
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
      const q = Quantity.parse(v as string);
      if (!out.has(k) || out.get(k)!.cmp(q) < 0) out.set(k, q);
    }
  }
  const sidecars = sumOf((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), kind);
  for (const [k, q] of sidecars) out.set(k, out.has(k) ? out.get(k)!.add(q) : q);
  for (const [k, v] of Object.entries(pod.spec?.overhead ?? {})) {
    if (!out.has(k)) continue;
    out.set(k, out.get(k)!.add(Quantity.parse(v as string)));
  }
  return out;
}

/** A pod counts until it finishes, or until its graceful deletion deadline has passed. */
export function podCounts(pod: Pod, now = Date.now()): boolean {
  if (isTerminal(pod)) return false;
  const del = pod.metadata?.deletionTimestamp;
  if (del && pod.metadata?.deletionGracePeriodSeconds !== undefined) return Date.parse(del) + pod.metadata.deletionGracePeriodSeconds * 1000 > now;
  return true;
}

export const isBestEffort = (pod: Pod): boolean => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
  .every((c) => !Object.keys(c.resources?.requests ?? {}).length && !Object.keys(c.resources?.limits ?? {}).length);

/** Does the quota's scopes and scopeSelector select this pod? */
export function podInScope(pod: Pod, spec: ResourceQuotaSpec): boolean {
  const terminating = pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;
  const scope = (s: string, op = 'Exists', values: string[] = []): boolean => {
    switch (s) {
      case 'Terminating': return terminating;
      case 'NotTerminating': return !terminating;
      case 'BestEffort': return isBestEffort(pod);
      case 'NotBestEffort': return !isBestEffort(pod);
      case 'PriorityClass': {
        const pc = pod.spec?.priorityClassName ?? '';
        if (op === 'Exists') return pc !== '';
        if (op === 'DoesNotExist') return pc === '';
        if (op === 'In') return values.includes(pc);
        return !values.includes(pc);
      }
      case 'CrossNamespacePodAffinity': {
        const terms = [...(pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          ...(pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm), ...(pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm)];
        return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined);
      }
      default: return false;
    }
  };
  return (spec.scopes ?? []).every((s) => scope(s)) && (spec.scopeSelector?.matchExpressions ?? []).every((e) => scope(e.scopeName, e.operator, e.values));
}

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** Every quota resource name this pod is charged for. */
export function podUsage(pod: Pod): Usage {
  const out: Usage = new Map([['pods', Quantity.fromValue(1)], ['count/pods', Quantity.fromValue(1)]]);
  for (const [k, q] of effective(pod, 'requests')) {
    out.set(`requests.${k}`, q);
    if (COMPUTE.includes(k)) out.set(k, q);
  }
  for (const [k, q] of effective(pod, 'limits')) out.set(`limits.${k}`, q);
  return out;
}
