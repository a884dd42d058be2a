// The default Roles and RoleBindings in kube-system and kube-public (upstream's
// namespace_policy): leader-election locks for the controller manager and the scheduler,
// the reader of extension-apiserver-authentication, and the token controllers' roles.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { READ, eventsRule, role, roleBinding, rule as r } from './policy-builders.js';

const SYSTEM = 'kube-system';
const PUBLIC = 'kube-public';
const LOCK = ['create', 'get', 'list', 'update', 'watch'];
const lockRules = () => [r(LOCK, ['coordination.k8s.io'], ['leases']), r(LOCK, ['coordination.k8s.io'], ['leasecandidates'])];

export function defaultRoles(): KubeObject[] {
  return [
    role(SYSTEM, 'extension-apiserver-authentication-reader', [r(READ, [''], ['configmaps'], ['extension-apiserver-authentication'])]),
    role(SYSTEM, 'system::leader-locking-kube-controller-manager', lockRules()),
    role(SYSTEM, 'system::leader-locking-kube-scheduler', lockRules()),
    role(SYSTEM, 'system:controller:bootstrap-signer', [r(READ, [''], ['secrets'])]),
    role(SYSTEM, 'system:controller:cloud-provider', [r(['create', 'get', 'list', 'watch'], [''], ['configmaps'])]),
    role(SYSTEM, 'system:controller:token-cleaner', [r(['delete', 'get', 'list', 'watch'], [''], ['secrets']), eventsRule()]),
    role(PUBLIC, 'system:controller:bootstrap-signer', [r(READ, [''], ['configmaps']), r(['update'], [''], ['configmaps'], ['cluster-info']), eventsRule()]),
  ];
}

export function defaultRoleBindings(): KubeObject[] {
  return [
    roleBinding(SYSTEM, 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader',
      [['User', 'system:kube-controller-manager'], ['User', 'system:kube-scheduler']]),
    roleBinding(SYSTEM, 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager',
      [['User', 'system:kube-controller-manager'], ['ServiceAccount', SYSTEM, 'kube-controller-manager'], ['ServiceAccount', SYSTEM, 'leader-election-controller']]),
    roleBinding(SYSTEM, 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler',
      [['User', 'system:kube-scheduler'], ['ServiceAccount', SYSTEM, 'kube-scheduler']]),
    roleBinding(SYSTEM, 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [['ServiceAccount', SYSTEM, 'bootstrap-signer']]),
    roleBinding(SYSTEM, 'system:controller:cloud-provider', 'system:controller:cloud-provider', [['ServiceAccount', SYSTEM, 'cloud-provider']]),
    roleBinding(SYSTEM, 'system:controller:token-cleaner', 'system:controller:token-cleaner', [['ServiceAccount', SYSTEM, 'token-cleaner']]),
    roleBinding(PUBLIC, 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [['ServiceAccount', SYSTEM, 'bootstrap-signer']]),
  ];
}
