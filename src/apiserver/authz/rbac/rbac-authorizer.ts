// --authorization-mode=RBAC: allow when any ClusterRoleBinding, or a RoleBinding in the
// request's namespace, binds the user (or one of its groups or its service account) to a
// role with a rule covering the request. RBAC never denies; it has no opinion.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { UserInfo } from '../../authn/user-info.js';
import { parseServiceAccountUser } from '../../authn/service-account-token.js';
import { allow, noOpinion, type Attributes, type Authorizer, type RuleResolver, type RulesForUser, type Verdict } from '../authorizer.js';
import { ruleAllows, type PolicyRule } from './rule-matching.js';
import type { RbacCaches } from './rbac-caches.js';

export function subjectMatches(s: { kind?: string; name?: string; namespace?: string }, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return s.name === user.name;
    case 'Group': return !!s.name && user.groups.includes(s.name);
    case 'ServiceAccount': {
      const sa = parseServiceAccountUser(user.name);
      return !!sa && sa[1] === s.name && sa[0] === (s.namespace || bindingNamespace);
    }
    default: return false;
  }
}

export class RbacAuthorizer implements Authorizer, RuleResolver {
  readonly name = 'RBAC';
  constructor(private readonly caches: RbacCaches) {}

  /** Each rule that applies to the user in the namespace ('' = cluster-wide only), with errors for missing roles. */
  visitRules(user: UserInfo, namespace: string, visit: (rule: PolicyRule) => boolean): string[] {
    const errors: string[] = [];
    const roleRules = (ref: any, ns: string): PolicyRule[] | undefined => {
      const role = ref?.kind === 'ClusterRole' ? this.caches.clusterRole(ref.name) : this.caches.role(ns, ref?.name);
      if (!role) { errors.push(`${ref?.kind === 'ClusterRole' ? 'clusterrole' : 'role'}.rbac.authorization.k8s.io "${ref?.name}" not found`); return undefined; }
      return role.rules ?? [];
    };
    const walk = (bindings: KubeObject[], ns: string): boolean => {
      for (const b of bindings) {
        if (!(b.subjects ?? []).some((s: any) => subjectMatches(s, user, ns))) continue;
        for (const r of roleRules(b.roleRef, ns) ?? []) if (visit(r)) return true;
      }
      return false;
    };
    if (walk(this.caches.clusterRoleBindings(), '')) return errors;
    if (namespace) walk(this.caches.roleBindings(namespace), namespace);
    return errors;
  }

  async authorize(a: Attributes): Promise<Verdict> {
    let allowed = false;
    const errors = this.visitRules(a.user, a.isResourceRequest ? a.namespace : '', (r) => (allowed = ruleAllows(a, r)));
    if (allowed) return allow('');
    return noOpinion(errors.length ? `RBAC: ${errors.join(', ')}` : '');
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<RulesForUser> {
    const resourceRules: RulesForUser['resourceRules'] = [];
    const nonResourceRules: RulesForUser['nonResourceRules'] = [];
    const errors = this.visitRules(user, namespace, (r) => {
      if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
      else resourceRules.push({ verbs: r.verbs ?? [], apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames });
      return false;
    });
    return { resourceRules, nonResourceRules, incomplete: errors.length > 0, evaluationError: errors.length ? errors.join(', ') : undefined };
  }
}
