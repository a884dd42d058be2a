// The REST operations of each served resource, named as upstream names them
// (listCoreV1NamespacedPod, patchAppsV1NamespacedDeploymentScale, …), in one neutral form
// that the Swagger 2.0 and OpenAPI 3.0 writers both render. kubectl reads the PATCH
// operations' x-kubernetes-group-version-kind and fieldValidation parameter to decide
// that the server validates fields.
import { ALL_VERBS, type ResourceDef, type SubresourceDef, type Verb } from '../resources/resource-def.js';
import { definitionOf, META_PACKAGE } from './definitions.js';
import type { GroupVersionKind } from './schema.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';
  gvk: GroupVersionKind;
  tag: string;
  query: string[];
  /** Definition name of the request body. */
  body?: string;
  /** Definition name of the response. */
  response: string;
  codes: number[];
}

export interface PathItem { path: string; pathParams: string[]; operations: Operation[] }

const LIST_QUERY = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'];
const WRITE_QUERY = ['dryRun', 'fieldManager', 'fieldValidation'];
const DELETE_QUERY = ['dryRun', 'gracePeriodSeconds', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'orphanDependents', 'propagationPolicy'];
const DELETE_COLLECTION_QUERY = ['continue', 'dryRun', 'fieldSelector', 'gracePeriodSeconds', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'labelSelector', 'limit', 'orphanDependents', 'propagationPolicy', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "rbac.authorization.k8s.io" → "RbacAuthorization"; the core group is "Core". */
export function groupPart(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split('.').map(cap).join('');
}

/** Upstream's tag: "core_v1", "rbacAuthorization_v1". */
export function tagOf(group: string, version: string): string {
  const g = groupPart(group);
  return `${g.charAt(0).toLowerCase()}${g.slice(1)}_${version}`;
}

export const gvPrefix = (group: string, version: string) => (group ? `/apis/${group}/${version}` : `/api/${version}`);

const META = (n: string) => `${META_PACKAGE}.${n}`;

export function resourceOperations(def: ResourceDef): PathItem[] {
  const kindDef = definitionOf(def);
  if (!kindDef) return [];
  const listDef = definitionOf({ ...def, kind: `${def.kind}List` }) ?? META('Status');
  const verbs = new Set<Verb>(def.verbs ?? ALL_VERBS);
  const gp = `${groupPart(def.group)}${cap(def.version)}`;
  const ns = def.namespaced ? 'Namespaced' : '';
  const nsSeg = def.namespaced ? '/namespaces/{namespace}' : '';
  const nsParams = def.namespaced ? ['namespace'] : [];
  const base = gvPrefix(def.group, def.version);
  const tag = tagOf(def.group, def.version);
  const gvk: GroupVersionKind = { group: def.group, kind: def.kind, version: def.version };
  const op = (o: Omit<Operation, 'tag' | 'gvk'> & { gvk?: GroupVersionKind }): Operation => ({ tag, gvk, ...o });
  const out: PathItem[] = [];

  const collection: Operation[] = [];
  if (verbs.has('list')) collection.push(op({ method: 'get', action: 'list', operationId: `list${gp}${ns}${def.kind}`, description: `list or watch objects of kind ${def.kind}`, query: LIST_QUERY, response: listDef, codes: [200] }));
  if (verbs.has('create')) collection.push(op({ method: 'post', action: 'post', operationId: `create${gp}${ns}${def.kind}`, description: `create a ${def.kind}`, query: WRITE_QUERY, body: kindDef, response: kindDef, codes: [200, 201, 202] }));
  if (verbs.has('deletecollection')) collection.push(op({ method: 'delete', action: 'deletecollection', operationId: `delete${gp}Collection${ns}${def.kind}`, description: `delete collection of ${def.kind}`, query: DELETE_COLLECTION_QUERY, body: META('DeleteOptions'), response: META('Status'), codes: [200] }));
  if (collection.length) out.push({ path: `${base}${nsSeg}/${def.plural}`, pathParams: nsParams, operations: collection });

  const item: Operation[] = [];
  if (verbs.has('get')) item.push(op({ method: 'get', action: 'get', operationId: `read${gp}${ns}${def.kind}`, description: `read the specified ${def.kind}`, query: [], response: kindDef, codes: [200] }));
  if (verbs.has('update')) item.push(op({ method: 'put', action: 'put', operationId: `replace${gp}${ns}${def.kind}`, description: `replace the specified ${def.kind}`, query: WRITE_QUERY, body: kindDef, response: kindDef, codes: [200, 201] }));
  if (verbs.has('delete')) item.push(op({ method: 'delete', action: 'delete', operationId: `delete${gp}${ns}${def.kind}`, description: `delete a ${def.kind}`, query: DELETE_QUERY, body: META('DeleteOptions'), response: META('Status'), codes: [200, 202] }));
  if (verbs.has('patch')) item.push(op({ method: 'patch', action: 'patch', operationId: `patch${gp}${ns}${def.kind}`, description: `partially update the specified ${def.kind}`, query: [...WRITE_QUERY, 'force'], body: META('Patch'), response: kindDef, codes: [200, 201] }));
  if (item.length) out.push({ path: `${base}${nsSeg}/${def.plural}/{name}`, pathParams: ['name', ...nsParams], operations: item });

  for (const sub of def.subresources ?? []) {
    const p = subresourcePath(def, sub, { gp, ns, tag, base: `${base}${nsSeg}/${def.plural}/{name}`, nsParams });
    if (p) out.push(p);
  }

  if (verbs.has('watch')) {
    const watch = (path: string, pathParams: string[], action: 'watch' | 'watchlist', id: string, what: string): PathItem => ({
      path, pathParams, operations: [op({ method: 'get', action, operationId: id, description: what, query: LIST_QUERY, response: META('WatchEvent'), codes: [200] })],
    });
    out.push(watch(`${base}/watch${nsSeg}/${def.plural}`, nsParams, 'watchlist', `watch${gp}${ns}${def.kind}List`, `watch individual changes to a list of ${def.kind}. deprecated: use the 'watch' parameter with a list operation instead.`));
    out.push(watch(`${base}/watch${nsSeg}/${def.plural}/{name}`, ['name', ...nsParams], 'watch', `watch${gp}${ns}${def.kind}`, `watch changes to an object of kind ${def.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`));
    if (def.namespaced) out.push(watch(`${base}/watch/${def.plural}`, [], 'watchlist', `watch${gp}${def.kind}ListForAllNamespaces`, `watch individual changes to a list of ${def.kind}. deprecated: use the 'watch' parameter with a list operation instead.`));
  }
  if (def.namespaced && verbs.has('list')) {
    out.push({ path: `${base}/${def.plural}`, pathParams: [], operations: [op({ method: 'get', action: 'list', operationId: `list${gp}${def.kind}ForAllNamespaces`, description: `list or watch objects of kind ${def.kind}`, query: LIST_QUERY, response: listDef, codes: [200] })] });
  }
  return out;
}

function subresourcePath(def: ResourceDef, sub: SubresourceDef, c: { gp: string; ns: string; tag: string; base: string; nsParams: string[] }): PathItem | undefined {
  const subDef = definitionOf(sub);
  if (!subDef) return undefined;
  const gvk: GroupVersionKind = { group: sub.group, kind: sub.kind, version: sub.version };
  const suffix = `${def.kind}${cap(sub.name)}`;
  const ops: Operation[] = [];
  const add = (o: Omit<Operation, 'tag' | 'gvk'>) => ops.push({ tag: c.tag, gvk, ...o });
  for (const v of sub.verbs) {
    if (v === 'get') add({ method: 'get', action: 'get', operationId: `read${c.gp}${c.ns}${suffix}`, description: `read ${sub.name} of the specified ${def.kind}`, query: [], response: subDef, codes: [200] });
    if (v === 'update') add({ method: 'put', action: 'put', operationId: `replace${c.gp}${c.ns}${suffix}`, description: `replace ${sub.name} of the specified ${def.kind}`, query: WRITE_QUERY, body: subDef, response: subDef, codes: [200, 201] });
    if (v === 'patch') add({ method: 'patch', action: 'patch', operationId: `patch${c.gp}${c.ns}${suffix}`, description: `partially update ${sub.name} of the specified ${def.kind}`, query: [...WRITE_QUERY, 'force'], body: META('Patch'), response: subDef, codes: [200, 201] });
    if (v === 'create') add({ method: 'post', action: 'post', operationId: `create${c.gp}${c.ns}${suffix}`, description: `create ${sub.name} of a ${def.kind}`, query: WRITE_QUERY, body: subDef, response: subDef, codes: [200, 201, 202] });
  }
  return ops.length ? { path: `${c.base}/${sub.name}`, pathParams: ['name', ...c.nsParams], operations: ops } : undefined;
}
