// Which node labels a kubelet may set itself (k8s.io/kubelet/pkg/apis's IsKubeletLabel):
// labels in the kubernetes.io / k8s.io namespaces are reserved, except a fixed set the
// kubelet reports (hostname, os, arch, zone, region, instance type) and the
// kubelet.kubernetes.io / node.kubernetes.io namespaces. node-restriction.kubernetes.io
// labels are never the kubelet's: they are how an admin steers workloads to trusted nodes.
// The kubelet refuses others in --node-labels; NodeRestriction refuses them from the node.

export const KUBELET_LABELS = [
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
];
export const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

/** The prefix before the `/` ('' without one). */
export function labelNamespace(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

const inNamespace = (ns: string, base: string) => ns === base || ns.endsWith(`.${base}`);

export function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.includes(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((base) => inNamespace(ns, base));
}

/** Keys added, removed or changed between two label maps. */
export function modifiedLabels(now: Record<string, string> = {}, before: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(now), ...Object.keys(before)]);
  return [...keys].filter((k) => now[k] !== before[k]);
}

/** The labels a node may not set or change about itself, sorted (NodeRestriction's getForbiddenLabels). */
export function forbiddenNodeLabels(keys: string[]): string[] {
  return keys.filter((k) => inNamespace(labelNamespace(k), NODE_RESTRICTION_NAMESPACE) || (isKubernetesLabel(k) && !isKubeletLabel(k))).sort();
}

/** The kubelet's own check of --node-labels (ValidateKubeletFlags), upstream's message; undefined when fine. */
export function nodeLabelsFlagError(labels: Record<string, string>): string | undefined {
  const unknown = Object.keys(labels).filter((k) => isKubernetesLabel(k) && !isKubeletLabel(k)).sort();
  if (!unknown.length) return undefined;
  return `unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [${unknown.join(' ')}]\n`
    + `--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (${[...KUBELET_LABEL_NAMESPACES].sort().join(', ')}) `
    + `or be in the specifically allowed set (${[...KUBELET_LABELS].sort().join(', ')})`;
}
