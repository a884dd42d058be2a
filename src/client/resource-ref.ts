// Addressing a resource: group/version/plural, with optional namespace, name and
// subresource, turned into the REST path (/api/v1/… for the core group, /apis/G/V/… else).
import type { KubeObject } from '../api/resources/resource-def.js';

/** A resource type. `T` only carries the object type for inference. */
export interface ResourceType<T = KubeObject> {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Phantom field: never set. */
  readonly __object?: T;
}

export interface ResourceRef {
  group?: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function resourcePath(r: ResourceRef): string {
  // Plain concatenation: every request builds one (an array, a join and a regex cost more).
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespace) p += `/namespaces/${encodeURIComponent(r.namespace)}`;
  p += `/${r.resource}`;
  if (r.name !== undefined) {
    if (r.name === '') throw new Error(`resource name may not be empty (${r.resource})`);
    p += `/${encodeURIComponent(r.name)}`;
  }
  if (r.subresource) p += `/${r.subresource}`;
  return p;
}

/** apiVersion as objects carry it: `v1` or `apps/v1`. */
export const apiVersionOf = (t: { group?: string; version: string }): string => (t.group ? `${t.group}/${t.version}` : t.version);

/** namespace/name, or name for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
