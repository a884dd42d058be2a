// API discovery for the controllers that work on every resource (namespace deletion, the
// garbage collector): each group's preferred version, its resources (not subresources)
// and their verbs, custom resources included.
import type { ResourceType, RestClient } from '../../client/index.js';

export interface DiscoveredResource extends ResourceType {
  verbs: string[];
}

interface APIResourceList { groupVersion: string; resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] }
interface APIGroupList { groups: { name: string; preferredVersion?: { version: string }; versions: { version: string }[] }[] }

export async function discoverResources(client: RestClient): Promise<DiscoveredResource[]> {
  const gvs: { group: string; version: string; path: string }[] = [{ group: '', version: 'v1', path: '/api/v1' }];
  const groups = await client.request<APIGroupList>({ method: 'GET', path: '/apis' });
  for (const g of groups.groups ?? []) {
    const v = g.preferredVersion?.version ?? g.versions[0]?.version;
    if (v) gvs.push({ group: g.name, version: v, path: `/apis/${g.name}/${v}` });
  }
  const out: DiscoveredResource[] = [];
  await Promise.all(gvs.map(async (gv) => {
    let list: APIResourceList;
    try {
      list = await client.request<APIResourceList>({ method: 'GET', path: gv.path });
    } catch {
      return; // an unavailable group (aggregated API down) is skipped, as upstream's partial discovery
    }
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue;
      out.push({ group: gv.group, version: gv.version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] });
    }
  }));
  return out;
}

export const gvkKey = (apiVersion: string, kind: string): string => `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${kind}`;
export const typeKey = (t: ResourceType): string => `${t.group}/${t.kind}`;
