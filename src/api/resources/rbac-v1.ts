// rbac.authorization.k8s.io/v1: roles and their bindings (names may hold colons).
import type { ResourceDef } from './resource-def.js';
import { defaultBinding } from '../defaults/cluster-defaults.js';
import { validateBinding, validateRole } from '../validation/cluster-validation.js';
import { bindingTable, roleTable } from '../tables/rbac-tables.js';

const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1', nameIsPathSegment: true };

export const roles: ResourceDef = { ...rbac, kind: 'Role', plural: 'roles', singular: 'role', namespaced: true, validate: validateRole, table: roleTable };
export const clusterroles: ResourceDef = { ...rbac, kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', namespaced: false, validate: validateRole, table: roleTable };
export const rolebindings: ResourceDef = {
  ...rbac, kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding', namespaced: true, defaults: defaultBinding, validate: validateBinding, table: bindingTable,
};
export const clusterrolebindings: ResourceDef = {
  ...rbac, kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false,
  defaults: defaultBinding, validate: validateBinding, table: bindingTable,
};

export const rbacV1: ResourceDef[] = [clusterrolebindings, clusterroles, rolebindings, roles];
