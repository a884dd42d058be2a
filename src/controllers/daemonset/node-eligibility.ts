// Should a DaemonSet pod run on this node? nodeSelector, required node affinity and taints
// (with the tolerations every daemon pod gets), as upstream's NodeShouldRunDaemonPod.
import type { Node, NodeSelectorRequirement, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { tolerates } from '../nodelifecycle/taints.js';

export function daemonTolerations(spec: PodSpec): Toleration[] {
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const have = spec.tolerations ?? [];
  return [...have, ...add.filter((t) => !have.some((h) => h.key === t.key && h.effect === t.effect))];
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case 'In': return value !== undefined && (r.values ?? []).includes(value);
    case 'NotIn': return value === undefined || !(r.values ?? []).includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number(value) > Number(r.values?.[0]);
    case 'Lt': return value !== undefined && Number(value) < Number(r.values?.[0]);
    default: return false;
  }
}

export function nodeMatches(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length) {
    const ok = terms.some((t) => (t.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key]))
      && (t.matchFields ?? []).every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata?.name : undefined))
      && ((t.matchExpressions ?? []).length + (t.matchFields ?? []).length > 0));
    if (!ok) return false;
  }
  return true;
}

/** shouldRun: a new pod may start here; shouldContinueRunning: an existing one may stay. */
export function eligibility(spec: PodSpec, node: Node): { shouldRun: boolean; shouldContinueRunning: boolean } {
  if (!nodeMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tols = daemonTolerations(spec);
  const untolerated = (node.spec?.taints ?? []).filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tols.some((x) => tolerates(x, t)));
  if (untolerated.some((t) => t.effect === 'NoExecute')) return { shouldRun: false, shouldContinueRunning: false };
  if (untolerated.length) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}
