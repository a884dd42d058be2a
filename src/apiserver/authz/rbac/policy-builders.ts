// Small builders for the default RBAC policy (bootstrap-policy.ts, controller-policy.ts,
// namespace-policy.ts): rules, roles and bindings carrying upstream's bootstrapping label
// and autoupdate annotation, so reconcile.ts can keep them current.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { PolicyRule } from './rule-matching.js';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const API = 'rbac.authorization.k8s.io/v1';

export const READ = ['get', 'list', 'watch'];
export const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
export const ALL = [...READ, ...WRITE];

/** A resource rule; verbs, groups and resources sorted as upstream prints them. */
export const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  ({ verbs: [...verbs].sort(), apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
export const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
/** create/patch/update events in both event groups. */
export const eventsRule = (): PolicyRule => rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

export type Subject = ['User' | 'Group', string] | ['ServiceAccount', string, string];

const meta = (name: string, namespace?: string, labels: Record<string, string> = {}) => ({
  name, ...(namespace ? { namespace } : {}), labels: { ...BOOTSTRAP_LABEL, ...labels }, annotations: { [AUTOUPDATE]: 'true' },
});

export function clusterRole(name: string, rules: PolicyRule[], o: { labels?: Record<string, string>; aggregateFrom?: string } = {}): KubeObject {
  return {
    apiVersion: API, kind: 'ClusterRole', metadata: meta(name, undefined, o.labels),
    ...(o.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${o.aggregateFrom}`]: 'true' } }] } } : {}),
    rules,
  };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): KubeObject {
  return { apiVersion: API, kind: 'Role', metadata: meta(name, namespace), rules };
}

function subjects(list: Subject[]) {
  return list.map((s) => (s[0] === 'ServiceAccount'
    ? { kind: 'ServiceAccount', name: s[2], namespace: s[1] }
    : { apiGroup: 'rbac.authorization.k8s.io', kind: s[0], name: s[1] }));
}

export function clusterRoleBinding(name: string, roleName: string, who: Subject[]): KubeObject {
  return {
    apiVersion: API, kind: 'ClusterRoleBinding', metadata: meta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: subjects(who),
  };
}

export function roleBinding(namespace: string, name: string, roleName: string, who: Subject[]): KubeObject {
  return {
    apiVersion: API, kind: 'RoleBinding', metadata: meta(name, namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName }, subjects: subjects(who),
  };
}
