// Unaggregated discovery documents: APIVersions (/api), APIGroupList (/apis),
// APIGroup (/apis/G) and APIResourceList (/api/v1, /apis/G/V).
import type { Catalogue } from '../../api/resources/catalogue.js';
import { ALL_VERBS, groupVersion, type ResourceDef } from '../../api/resources/resource-def.js';

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroup(cat: Catalogue, group: string) {
  const g = cat.groups().find((x) => x.group === group);
  if (!g) return undefined;
  const versions = g.versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(cat: Catalogue) {
  const groups = cat.groups().filter((g) => g.group !== '').map((g) => {
    const { kind: _k, apiVersion: _a, ...rest } = apiGroup(cat, g.group)!;
    return rest;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function resourceEntries(def: ResourceDef) {
  const main: Record<string, unknown> = {
    name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: def.verbs ?? ALL_VERBS,
  };
  if (def.shortNames) main.shortNames = def.shortNames;
  if (def.categories) main.categories = def.categories;
  const subs = (def.subresources ?? []).map((s) => {
    const e: Record<string, unknown> = { name: `${def.plural}/${s.name}`, singularName: '', namespaced: def.namespaced, kind: s.kind, verbs: s.verbs };
    if (s.group !== def.group || s.version !== def.version) { e.group = s.group; e.version = s.version; }
    return e;
  });
  return [main, ...subs];
}

export function apiResourceList(cat: Catalogue, group: string, version: string) {
  const defs = cat.inGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: defs.flatMap(resourceEntries) };
}
