// A minimal OpenAPI v3 index and per-group-version documents: each resource's PATCH
// operation with its x-kubernetes-group-version-kind and the fieldValidation parameter,
// which is what kubectl reads to leave validation to the server. Schemas come later.
import { createHash } from 'node:crypto';
import type { Catalogue } from '../../api/resources/catalogue.js';

const gvPath = (group: string, version: string) => group ? `apis/${group}/${version}` : `api/${version}`;

export function openapiDocument(cat: Catalogue, group: string, version: string) {
  const defs = cat.inGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const d of defs) {
    const base = `/${gvPath(group, version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${d.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: d.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } })),
        responses: { 200: { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

export function openapiIndex(cat: Catalogue) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of cat.groups()) {
    for (const v of g.versions) {
      const p = gvPath(g.group, v);
      const hash = createHash('sha512').update(JSON.stringify(openapiDocument(cat, g.group, v))).digest('hex').slice(0, 128).toUpperCase();
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
  }
  return { paths };
}
