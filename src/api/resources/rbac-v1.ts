// rbac.authorization.k8s.io/v1: roles and bindings, stored only (authorization does not read them yet).
import type { ResourceDef } from './resource-def.js';

const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' };

export const roles: ResourceDef = { ...rbac, kind: 'Role', plural: 'roles', singular: 'role', namespaced: true };
export const rolebindings: ResourceDef = { ...rbac, kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding', namespaced: true };
export const clusterroles: ResourceDef = { ...rbac, kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', namespaced: false };
export const clusterrolebindings: ResourceDef = {
  ...rbac, kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false,
};

export const rbacV1: ResourceDef[] = [roles, rolebindings, clusterroles, clusterrolebindings];
