// What an authorizer is asked (upstream's authorizer.Attributes) and what it answers.
import type { UserInfo } from '../authn/user-info.js';
import type { RequestInfo } from '../request-info.js';

export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  namespace: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
  /** The request path, for non-resource requests (/healthz, /version). */
  path: string;
}

export type Decision = 'allow' | 'deny' | 'noopinion';
export interface Verdict { decision: Decision; reason: string }

export interface Authorizer {
  name: string;
  authorize(a: Attributes): Promise<Verdict>;
}

export interface ResourceRule { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }
export interface NonResourceRule { verbs: string[]; nonResourceURLs?: string[] }
export interface RulesForUser { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: boolean; evaluationError?: string }

/** Authorizers that can list what a user may do in a namespace (SelfSubjectRulesReview). */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): Promise<RulesForUser>;
}

export const allow = (reason = ''): Verdict => ({ decision: 'allow', reason });
export const deny = (reason = ''): Verdict => ({ decision: 'deny', reason });
export const noOpinion = (reason = ''): Verdict => ({ decision: 'noopinion', reason });

/** The attributes of an HTTP request, as the authorization filter builds them. */
export function requestAttributes(user: UserInfo, info: RequestInfo, fieldSelectorName?: string): Attributes {
  return {
    user, verb: info.verb, isResourceRequest: info.isResourceRequest,
    namespace: info.namespace, apiGroup: info.group, resource: info.resource, subresource: info.subresource,
    // list/watch narrowed to one object by metadata.name count as that object (as upstream's RequestInfo).
    name: info.name || fieldSelectorName || '', path: info.path,
  };
}
