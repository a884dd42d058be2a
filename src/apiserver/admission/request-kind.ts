// The kind an admission request names (AdmissionRequest.kind, CEL's request.kind): a
// subresource with an object of its own is admitted as that object's kind, as upstream's
// (pods/binding → v1 Binding, pods/eviction → policy/v1 Eviction, …/scale → autoscaling/v1
// Scale, serviceaccounts/token → TokenRequest); everything else as the resource's kind.
import type { AdmissionCall } from './admission-hook.js';

export interface GroupVersionKind { group: string; version: string; kind: string }

const SUBRESOURCE_KINDS: Record<string, GroupVersionKind> = {
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
};

export function requestKind(a: Pick<AdmissionCall, 'def' | 'subresource'>): GroupVersionKind {
  return (a.subresource && SUBRESOURCE_KINDS[a.subresource]) || { group: a.def.group, version: a.def.version, kind: a.def.kind };
}
