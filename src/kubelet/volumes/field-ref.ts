// Downward API values (fieldRef and resourceFieldRef), shared by env vars and the
// downwardAPI volume.
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/quantity/index.js';

export function fieldRefValue(pod: Pod, ref: ObjectFieldSelector): string {
  const path = ref.fieldPath;
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? '';
  const fmtMap = (o?: Record<string, string>) => Object.entries(o ?? {}).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n');
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'metadata.labels': return fmtMap(pod.metadata?.labels);
    case 'metadata.annotations': return fmtMap(pod.metadata?.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    case 'status.hostIPs': return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.podIPs': return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
    default: throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/** limits.cpu etc. of a container, divided by the divisor and rounded up (node allocatable when no limit). */
export function resourceFieldValue(pod: Pod, ref: ResourceFieldSelector, containerName: string | undefined, allocatable: Record<string, string>): string {
  const c: Container | undefined = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === (ref.containerName || containerName));
  if (!c) throw new Error(`container ${ref.containerName ?? containerName} not found for resourceFieldRef`);
  const [kind, res] = ref.resource.split('.') as ['limits' | 'requests', string];
  const raw = (kind === 'limits' ? c.resources?.limits?.[res] : c.resources?.requests?.[res]) ?? (kind === 'limits' ? allocatable[res] : undefined) ?? '0';
  const divisor = parseQuantity(ref.divisor ?? (res === 'cpu' ? '1' : '1'));
  const v = parseQuantity(raw).milliValue() / divisor.milliValue();
  return String(Math.ceil(v));
}
