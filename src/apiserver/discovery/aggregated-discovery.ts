// Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList): every group, version
// and resource in one document, which kubectl 1.32 asks /api and /apis for.
import type { Catalogue } from '../../api/resources/catalogue.js';
import { ALL_VERBS } from '../../api/resources/resource-def.js';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function aggregatedDiscovery(cat: Catalogue, legacy: boolean) {
  const items = cat.groups().filter((g) => (g.group === '') === legacy).map((g) => ({
    metadata: { name: g.group, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      freshness: 'Current',
      resources: cat.inGroupVersion(g.group, v).map((def) => {
        const r: Record<string, unknown> = {
          resource: def.plural,
          responseKind: { group: def.group, version: def.version, kind: def.kind },
          scope: def.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: def.singular,
          verbs: def.verbs ?? ALL_VERBS,
        };
        if (def.shortNames) r.shortNames = def.shortNames;
        if (def.categories) r.categories = def.categories;
        if (def.subresources?.length) {
          r.subresources = def.subresources.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
        }
        return r;
      }),
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
