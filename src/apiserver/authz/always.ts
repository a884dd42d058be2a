// AlwaysAllow and AlwaysDeny, for tests and single-user clusters.
import type { Authorizer, RuleResolver } from './authorizer.js';

export const alwaysAllow: Authorizer & RuleResolver = {
  name: 'AlwaysAllow',
  authorize: async () => ({ decision: 'allow', reason: '' }),
  rulesFor: async () => ({
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false,
  }),
};

export const alwaysDeny: Authorizer & RuleResolver = {
  name: 'AlwaysDeny',
  authorize: async () => ({ decision: 'deny', reason: 'Everything is forbidden.' }),
  rulesFor: async () => ({ resourceRules: [], nonResourceRules: [], incomplete: false }),
};
