// authorization.k8s.io/v1: SubjectAccessReview, LocalSubjectAccessReview,
// SelfSubjectAccessReview and SelfSubjectRulesReview — the questions `kubectl auth can-i`
// asks, answered by the same authorizers that guard requests.
import { newBadRequest, newInvalid } from '../../api/status/index.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { sendJSON } from '../http/respond.js';
import type { RequestContext } from '../handlers/request-context.js';
import type { UserInfo } from '../authn/user-info.js';
import type { Attributes } from './authorizer.js';
import type { AuthorizerUnion } from './union.js';

export const REVIEW_RESOURCES = ['subjectaccessreviews', 'localsubjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews'];

function attributesFrom(spec: any, user: UserInfo): Attributes {
  const ra = spec.resourceAttributes;
  if (ra) {
    return {
      user, verb: ra.verb ?? '', isResourceRequest: true, namespace: ra.namespace ?? '', apiGroup: ra.group ?? '',
      resource: ra.resource ?? '', subresource: ra.subresource ?? '', name: ra.name ?? '', path: '',
    };
  }
  const na = spec.nonResourceAttributes ?? {};
  return { user, verb: na.verb ?? '', isResourceRequest: false, namespace: '', apiGroup: '', resource: '', subresource: '', name: '', path: na.path ?? '' };
}

export async function serveAccessReview(ctx: RequestContext, authz: AuthorizerUnion): Promise<void> {
  const resource = ctx.info.resource;
  if (ctx.info.verb !== 'create') throw newBadRequest(`${ctx.info.verb} is not supported on ${resource}`);
  const body = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  const spec = body.spec ?? {};
  const kind = ctx.def.kind;
  const gk = { group: 'authorization.k8s.io', kind };
  let status: Record<string, unknown>;
  if (resource === 'selfsubjectrulesreviews') {
    const ns = spec.namespace ?? '';
    const rules = await authz.rulesFor(ctx.user, ns);
    status = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete, ...(rules.evaluationError ? { evaluationError: rules.evaluationError } : {}) };
  } else {
    if (!!spec.resourceAttributes === !!spec.nonResourceAttributes) {
      throw newInvalid(gk, '', [{ type: 'FieldValueRequired', field: 'spec.resourceAttributes', badValue: '', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
    }
    let user = ctx.user;
    if (resource === 'subjectaccessreviews' || resource === 'localsubjectaccessreviews') {
      if (!spec.user && !(spec.groups ?? []).length) throw newInvalid(gk, '', [{ type: 'FieldValueRequired', field: 'spec.user', badValue: '', detail: 'at least one of user or group must be specified' }]);
      user = { name: spec.user ?? '', uid: spec.uid ?? '', groups: spec.groups ?? [], extra: spec.extra };
    }
    if (resource === 'localsubjectaccessreviews') {
      const ns = spec.resourceAttributes?.namespace;
      if (ns !== undefined && ns !== '' && ns !== ctx.info.namespace) {
        throw newInvalid(gk, '', [{ type: 'FieldValueInvalid', field: 'spec.resourceAttributes.namespace', badValue: ns, detail: 'must match metadata.namespace' }]);
      }
      if (spec.resourceAttributes) spec.resourceAttributes.namespace = ctx.info.namespace;
    }
    const v = await authz.authorize(attributesFrom(spec, user));
    status = { allowed: v.decision === 'allow', ...(v.decision === 'deny' ? { denied: true } : {}), ...(v.reason ? { reason: v.reason } : {}) };
  }
  const metadata = { ...(body.metadata ?? {}), creationTimestamp: null };
  if (resource === 'localsubjectaccessreviews') metadata.namespace = ctx.info.namespace;
  sendJSON(ctx.res, 201, { kind, apiVersion: 'authorization.k8s.io/v1', metadata, spec, status });
}
