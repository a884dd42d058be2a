// --authorization-mode: the authorizers in order; the first allow or deny decides, and a
// request nobody allows is denied with the reasons they gave.
import { forbiddenMessage, newForbidden } from '../../api/status/index.js';
import type { Attributes, Authorizer, RuleResolver, RulesForUser, Verdict } from './authorizer.js';
import type { UserInfo } from '../authn/user-info.js';

export class AuthorizerUnion implements Authorizer {
  readonly name = 'union';
  constructor(readonly authorizers: Authorizer[]) {}

  async authorize(a: Attributes): Promise<Verdict> {
    const reasons: string[] = [];
    for (const z of this.authorizers) {
      const v = await z.authorize(a);
      if (v.decision !== 'noopinion') return v;
      if (v.reason) reasons.push(v.reason);
    }
    return { decision: 'noopinion', reason: reasons.join(', ') };
  }

  /** Throws upstream's 403 Forbidden unless the request is allowed. */
  async check(a: Attributes): Promise<void> {
    const v = await this.authorize(a);
    if (v.decision === 'allow') return;
    const why = forbiddenMessage(a.isResourceRequest
      ? { user: a.user.name, verb: a.verb, resource: a.resource, subresource: a.subresource, apiGroup: a.apiGroup, namespace: a.namespace }
      : { user: a.user.name, verb: a.verb, path: a.path }, v.reason);
    throw newForbidden(a.isResourceRequest ? { group: a.apiGroup, resource: a.resource } : null, a.name, why);
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<RulesForUser> {
    const out: RulesForUser = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errors: string[] = [];
    for (const z of this.authorizers) {
      const r = (z as Partial<RuleResolver>).rulesFor ? await (z as unknown as RuleResolver).rulesFor(user, namespace) : undefined;
      if (!r) { out.incomplete = true; continue; }
      out.resourceRules.push(...r.resourceRules);
      out.nonResourceRules.push(...r.nonResourceRules);
      out.incomplete ||= r.incomplete;
      if (r.evaluationError) errors.push(r.evaluationError);
    }
    if (errors.length) out.evaluationError = errors.join(', ');
    return out;
  }
}
