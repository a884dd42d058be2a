// The `request` variable of admission CEL (upstream's AdmissionRequest as CEL sees it), and
// the whole variable set an expression is evaluated with.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { Attributes } from '../plugin.js';
import { toCel } from '../../../api/cel/cel-environment.js';
import { requestKind } from '../request-kind.js';

export function admissionRequest(a: Attributes): Record<string, unknown> {
  const kind = requestKind(a);
  const resource = { group: a.def.group, version: a.def.version, resource: a.def.plural };
  return {
    kind, resource, requestKind: kind, requestResource: resource, subResource: a.subresource ?? '', requestSubResource: a.subresource ?? '',
    name: a.name || a.object?.metadata?.name || '', namespace: a.namespace ?? '', operation: a.operation,
    userInfo: { username: a.user.name, uid: a.user.uid, groups: a.user.groups, extra: a.user.extra ?? {} },
    dryRun: !!a.dryRun,
  };
}

export interface CelInputs { params?: KubeObject | null; namespaceObject?: KubeObject | null; variables?: Record<string, unknown>; authorizer?: unknown }

/** object/oldObject are null where upstream has none (oldObject on CREATE, object on DELETE). */
export function celContext(a: Attributes, i: CelInputs = {}): Record<string, unknown> {
  return {
    object: a.operation === 'DELETE' ? null : toCel(a.object ?? null),
    oldObject: a.operation === 'CREATE' ? null : toCel(a.oldObject ?? null),
    request: toCel(admissionRequest(a)),
    params: toCel(i.params ?? null),
    namespaceObject: toCel(i.namespaceObject ?? null),
    variables: i.variables ?? {},
    authorizer: i.authorizer ?? null,
  };
}
