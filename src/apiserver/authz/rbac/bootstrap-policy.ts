// The default ClusterRoles and ClusterRoleBindings every cluster starts with (upstream's
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy), reconciled at start by reconcile.ts.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { PolicyRule } from './rule-matching.js';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL = [...READ, ...WRITE];

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const url = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const aggregate = (to: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });

function clusterRole(name: string, rules: PolicyRule[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...extra.labels }, annotations: { [AUTOUPDATE]: 'true' } },
    ...(extra.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregate(extra.aggregateFrom) }] } } : {}),
    rules,
  };
}

function binding(name: string, role: string, subjects: Array<[kind: 'User' | 'Group', name: string]>): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { [AUTOUPDATE]: 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map(([kind, n]) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name: n })),
  };
}

const viewRules: PolicyRule[] = [
  r(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers',
    'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  r(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  r(READ, [''], ['namespaces']),
  r(READ, ['discovery.k8s.io'], ['endpointslices']),
  r(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
    'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  r(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  r(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  r(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  r(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const editRules: PolicyRule[] = [
  r(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  r(['impersonate'], [''], ['serviceaccounts']),
  r(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  r(['create'], [''], ['pods/eviction']),
  r(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets',
    'serviceaccounts', 'services', 'services/proxy']),
  r(['create'], [''], ['serviceaccounts/token']),
  r(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  r(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  r(WRITE, ['batch'], ['cronjobs', 'jobs']),
  r(WRITE, ['policy'], ['poddisruptionbudgets']),
  r(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
];

const adminRules: PolicyRule[] = [
  r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  r(ALL, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

const nodeRules: PolicyRule[] = [
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
  r(READ, [''], ['services']),
  r(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  r(['patch', 'update'], [''], ['nodes/status']),
  r(['patch', 'update'], [''], ['nodes']),
  r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  r(READ, [''], ['pods']),
  r(['create', 'delete'], [''], ['pods']),
  r(['patch', 'update'], [''], ['pods/status']),
  r(['create'], [''], ['pods/eviction']),
  r(['get'], [''], ['configmaps', 'secrets']),
  r(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
  r(['get'], [''], ['endpoints']),
  r(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
  r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  r(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  r(['get'], ['storage.k8s.io'], ['volumeattachments']),
  r(['create'], [''], ['serviceaccounts/token']),
  r(READ, ['storage.k8s.io'], ['csidrivers']),
  r(READ, ['node.k8s.io'], ['runtimeclasses']),
];

export function defaultClusterRoles(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [r(['*'], ['*'], ['*']), url(['*'], ['*'])]),
    clusterRole('system:discovery', [url(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])]),
    clusterRole('system:public-info-viewer', [url(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    clusterRole('system:monitoring', [url(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])]),
    clusterRole('system:basic-user', [
      r(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      r(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('admin', [], { aggregateFrom: 'admin' }),
    clusterRole('edit', [], { aggregateFrom: 'edit', labels: aggregate('admin') }),
    clusterRole('view', [], { aggregateFrom: 'view', labels: aggregate('edit') }),
    clusterRole('system:aggregate-to-admin', adminRules, { labels: aggregate('admin') }),
    clusterRole('system:aggregate-to-edit', editRules, { labels: aggregate('edit') }),
    clusterRole('system:aggregate-to-view', viewRules, { labels: aggregate('view') }),
    clusterRole('system:auth-delegator', [r(['create'], ['authentication.k8s.io'], ['tokenreviews']), r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])]),
    clusterRole('system:node', nodeRules),
    clusterRole('system:node-bootstrapper', [r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    clusterRole('system:node-proxier', [
      r(['list', 'watch'], [''], ['endpoints', 'services']),
      r(READ, [''], ['nodes']),
      r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      r(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:kube-scheduler', [
      r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      r(['create'], ['coordination.k8s.io'], ['leases']),
      r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      r(READ, [''], ['nodes', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'replicationcontrollers', 'services']),
      r(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      r(['create'], [''], ['bindings', 'pods/binding']),
      r(['patch', 'update'], [''], ['pods/status']),
      r(READ, ['apps'], ['replicasets', 'statefulsets']),
      r(READ, ['policy'], ['poddisruptionbudgets']),
      r(READ, ['storage.k8s.io'], ['csidrivers', 'csinodes', 'csistoragecapacities', 'storageclasses', 'volumeattachments']),
      r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      r(READ, ['scheduling.k8s.io'], ['priorityclasses']),
    ]),
    clusterRole('system:volume-scheduler', [r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']), r(READ, ['storage.k8s.io'], ['storageclasses']),
      r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims'])]),
    clusterRole('system:kube-controller-manager', [
      r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      r(['create'], ['coordination.k8s.io'], ['leases']),
      r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      r(['create'], [''], ['secrets', 'serviceaccounts']),
      r(['delete'], [''], ['secrets']),
      r(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      r(['update'], [''], ['secrets', 'serviceaccounts']),
      r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      r(['list', 'watch'], ['*'], ['*']),
      r(['create'], [''], ['serviceaccounts/token']),
    ]),
    ...controllerRoles(),
  ];
}

/** system:controller:NAME roles, bound to kube-system/NAME service accounts (--use-service-account-credentials). */
function controllerRoles(): KubeObject[] {
  const ev = r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']);
  return [
    clusterRole('system:controller:replicaset-controller', [r(['get', 'list', 'watch', 'update'], ['apps'], ['replicasets']), r(['update'], ['apps'], ['replicasets/status', 'replicasets/finalizers']),
      r(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']), ev]),
    clusterRole('system:controller:replication-controller', [r(['get', 'list', 'watch', 'update'], [''], ['replicationcontrollers']),
      r(['update'], [''], ['replicationcontrollers/status', 'replicationcontrollers/finalizers']), r(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']), ev]),
    clusterRole('system:controller:deployment-controller', [r(['get', 'list', 'watch', 'update'], ['apps'], ['deployments']),
      r(['update'], ['apps'], ['deployments/status', 'deployments/finalizers']), r(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['apps'], ['replicasets']),
      r(['get', 'list', 'watch', 'update'], [''], ['pods']), ev]),
    clusterRole('system:controller:namespace-controller', [r(['delete', 'get', 'list', 'watch'], [''], ['namespaces']), r(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
      r(['delete', 'deletecollection', 'get', 'list'], ['*'], ['*'])]),
    clusterRole('system:controller:node-controller', [r(['delete', 'get', 'list', 'patch', 'update'], [''], ['nodes']), r(['patch', 'update'], [''], ['nodes/status']),
      r(['patch', 'update'], [''], ['pods/status']), r(['delete', 'list'], [''], ['pods']), ev]),
    clusterRole('system:controller:serviceaccount-controller', [r(['create'], [''], ['serviceaccounts']), ev]),
    clusterRole('system:controller:resourcequota-controller', [r(['list', 'watch'], ['*'], ['*']), r(['update'], [''], ['resourcequotas/status']), ev]),
  ];
}

export function defaultClusterRoleBindings(): KubeObject[] {
  const controllers = ['replicaset', 'replication', 'deployment', 'namespace', 'node', 'serviceaccount', 'resourcequota'].map((c) => {
    const b = binding(`system:controller:${c}-controller`, `system:controller:${c}-controller`, []);
    b.subjects = [{ kind: 'ServiceAccount', name: `${c}-controller`, namespace: 'kube-system' }];
    return b;
  });
  return [
    binding('cluster-admin', 'cluster-admin', [['Group', 'system:masters']]),
    binding('system:discovery', 'system:discovery', [['Group', 'system:authenticated']]),
    binding('system:basic-user', 'system:basic-user', [['Group', 'system:authenticated']]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [['Group', 'system:authenticated'], ['Group', 'system:unauthenticated']]),
    binding('system:monitoring', 'system:monitoring', [['Group', 'system:monitoring']]),
    binding('system:node', 'system:node', []),
    binding('system:node-proxier', 'system:node-proxier', [['User', 'system:kube-proxy']]),
    binding('system:kube-scheduler', 'system:kube-scheduler', [['User', 'system:kube-scheduler']]),
    binding('system:volume-scheduler', 'system:volume-scheduler', [['User', 'system:kube-scheduler']]),
    binding('system:kube-controller-manager', 'system:kube-controller-manager', [['User', 'system:kube-controller-manager']]),
    ...controllers,
  ];
}

export { nodeRules };
