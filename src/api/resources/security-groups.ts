// The security API groups: authentication.k8s.io and authorization.k8s.io (create-only
// reviews, answered by src/apiserver/authn and authz, never stored) and
// admissionregistration.k8s.io (webhook configurations and admission policies, stored).
import type { ResourceDef } from './resource-def.js';
import { defaultWebhookConfiguration, validateWebhookConfiguration } from '../validation/webhook-validation.js';
import { validateAdmissionPolicy, validateAdmissionPolicyBinding } from '../validation/admission-policy-validation.js';

const review = (group: string, kind: string, namespaced = false): ResourceDef => ({
  group, version: 'v1', kind, plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), namespaced, verbs: ['create'],
});

export const selfsubjectreviews = review('authentication.k8s.io', 'SelfSubjectReview');
export const tokenreviews = review('authentication.k8s.io', 'TokenReview');
export const localsubjectaccessreviews = review('authorization.k8s.io', 'LocalSubjectAccessReview', true);
export const selfsubjectaccessreviews = review('authorization.k8s.io', 'SelfSubjectAccessReview');
export const selfsubjectrulesreviews = review('authorization.k8s.io', 'SelfSubjectRulesReview');
export const subjectaccessreviews = review('authorization.k8s.io', 'SubjectAccessReview');

const admreg = { group: 'admissionregistration.k8s.io', version: 'v1', namespaced: false, categories: ['api-extensions'] };

export const mutatingwebhookconfigurations: ResourceDef = {
  ...admreg, kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', singular: 'mutatingwebhookconfiguration', generation: true,
  defaults: defaultWebhookConfiguration(true), validate: validateWebhookConfiguration(true),
};
export const validatingwebhookconfigurations: ResourceDef = {
  ...admreg, kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', singular: 'validatingwebhookconfiguration', generation: true,
  defaults: defaultWebhookConfiguration(false), validate: validateWebhookConfiguration(false),
};
export const validatingadmissionpolicies: ResourceDef = {
  ...admreg, kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', singular: 'validatingadmissionpolicy', generation: true, hasStatus: true,
  validate: validateAdmissionPolicy,
  subresources: [{ name: 'status', group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy', verbs: ['get', 'patch', 'update'] }],
};
export const validatingadmissionpolicybindings: ResourceDef = {
  ...admreg, kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', singular: 'validatingadmissionpolicybinding', generation: true,
  validate: validateAdmissionPolicyBinding,
};

export const securityGroups: ResourceDef[] = [
  selfsubjectreviews, tokenreviews, localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectrulesreviews, subjectaccessreviews,
  mutatingwebhookconfigurations, validatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings,
];
