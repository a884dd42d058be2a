// Discovery for the groups other servers serve: their entries in /apis (APIGroupList) and
// /apis/GROUP (APIGroup), built from the APIServices as upstream's aggregator builds them
// (groups by groupPriorityMinimum, versions by versionPriority, highest first), and their
// resources in aggregated discovery (apidiscovery.k8s.io/v2), converted from the
// APIResourceList each backend answered the availability check with.
import type { APIService } from './apiservice-index.js';
import { isLocal } from './apiservice-index.js';
import type { DiscoveryResult } from './availability-controller.js';

/** The remote APIServices by group: groups and versions in upstream's priority order. */
export function remoteGroups(all: APIService[]): Array<{ group: string; services: APIService[] }> {
  const by = new Map<string, APIService[]>();
  for (const s of all) if (!isLocal(s) && s.spec.group) (by.get(s.spec.group) ?? by.set(s.spec.group, []).get(s.spec.group)!).push(s);
  const out = [...by.entries()].map(([group, services]) => ({
    group, services: services.sort((a, b) => b.spec.versionPriority - a.spec.versionPriority || a.spec.version.localeCompare(b.spec.version)),
  }));
  const top = (x: { services: APIService[] }) => Math.max(...x.services.map((s) => s.spec.groupPriorityMinimum));
  return out.sort((a, b) => top(b) - top(a) || a.group.localeCompare(b.group));
}

const versionEntry = (group: string, version: string) => ({ groupVersion: `${group}/${version}`, version });

/** /apis with the remote groups: a group served here too gains the remote versions. */
export function withRemoteGroups(list: { groups: Array<{ name: string; versions: Array<{ groupVersion: string; version: string }>; preferredVersion?: unknown }> }, all: APIService[]) {
  const groups = list.groups.map((g) => ({ ...g, versions: [...g.versions] }));
  for (const r of remoteGroups(all)) {
    const remote = r.services.map((s) => versionEntry(r.group, s.spec.version));
    const local = groups.find((g) => g.name === r.group);
    if (local) {
      local.versions = [...remote, ...local.versions.filter((v) => !remote.some((x) => x.version === v.version))];
      local.preferredVersion = local.versions[0];
    } else {
      groups.push({ name: r.group, versions: remote, preferredVersion: remote[0] });
    }
  }
  return { ...list, groups };
}

/** /apis/GROUP for a group with remote versions (merged with the local document when there is one). */
export function remoteAPIGroup(group: string, all: APIService[], local?: { versions: Array<{ groupVersion: string; version: string }> }) {
  const r = remoteGroups(all).find((x) => x.group === group);
  if (!r) return undefined;
  const merged = withRemoteGroups({ groups: [{ name: group, versions: local?.versions ?? [] }] }, all).groups[0];
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: merged.versions, preferredVersion: merged.preferredVersion };
}

/** An APIResourceList's resources as apidiscovery.k8s.io/v2 APIResourceDiscovery entries. */
export function v2Resources(group: string, version: string, resources: any[]): unknown[] {
  const top = resources.filter((r) => typeof r?.name === 'string' && !r.name.includes('/'));
  return top.map((r) => {
    const out: Record<string, unknown> = {
      resource: r.name,
      responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName ?? '',
      verbs: r.verbs ?? [],
    };
    if (r.shortNames?.length) out.shortNames = r.shortNames;
    if (r.categories?.length) out.categories = r.categories;
    const subs = resources.filter((s) => typeof s?.name === 'string' && s.name.startsWith(`${r.name}/`));
    if (subs.length) {
      out.subresources = subs.map((s) => ({ subresource: s.name.slice(r.name.length + 1), responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind }, verbs: s.verbs ?? [] }));
    }
    return out;
  });
}

/**
 * The aggregated discovery document with the remote group versions whose resources a check
 * has read: Current after the last check passed, Stale when it failed since (upstream's freshness).
 */
export function withRemoteDiscovery(doc: { items: any[] }, all: APIService[], discoveryOf: (name: string) => DiscoveryResult | undefined) {
  const items = doc.items.map((i) => ({ ...i, versions: [...i.versions] }));
  for (const r of remoteGroups(all)) {
    const versions = r.services.flatMap((s) => {
      const d = discoveryOf(s.metadata!.name);
      return d ? [{ version: s.spec.version, resources: v2Resources(r.group, s.spec.version, d.resources), freshness: d.stale ? 'Stale' : 'Current' }] : [];
    });
    if (!versions.length) continue;
    const local = items.find((i) => i.metadata?.name === r.group);
    if (local) local.versions = [...versions, ...local.versions.filter((v: any) => !versions.some((x) => x.version === v.version))];
    else items.push({ metadata: { name: r.group, creationTimestamp: null }, versions });
  }
  return { ...doc, items };
}
