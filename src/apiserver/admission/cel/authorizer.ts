// The `authorizer` value admission CEL is given: checks are asked of the API server's own
// authorizer, as the requester or (authorizer.serviceAccount) as a service account.
import { Authorizer, AuthzSession, type AuthzQuery } from '../../../api/cel/authorizer-library.js';
import type { UserInfo } from '../../authn/user-info.js';
import type { Attributes, PluginContext } from '../plugin.js';

function serviceAccountUser(name: string): UserInfo {
  const [, , ns] = name.split(':');
  return { name, uid: '', groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] };
}

export function celAuthorizer(ctx: PluginContext, a: Attributes): Authorizer {
  const session = new AuthzSession(async (q: AuthzQuery) => {
    if (!ctx.authorize) return { decision: 'noopinion', reason: 'no authorizer configured' };
    const user = q.user === a.user.name ? a.user : serviceAccountUser(q.user);
    const v = await ctx.authorize({
      user, verb: q.verb, isResourceRequest: q.path === undefined, path: q.path ?? '',
      namespace: q.namespace ?? '', apiGroup: q.group ?? '', resource: q.resource ?? '', subresource: q.subresource ?? '', name: q.name ?? '',
    });
    return { decision: v.decision, reason: v.reason };
  });
  return new Authorizer(session, a.user.name, {
    group: a.def.group, resource: a.def.plural, subresource: a.subresource ?? '', namespace: a.namespace ?? '', name: a.name || a.object?.metadata?.name || '',
  });
}
