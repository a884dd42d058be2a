// The system:controller:NAME ClusterRoles and their bindings to the service account
// kube-system/NAME: what each controller may do when the controller manager runs it with
// its own credentials (--use-service-account-credentials). Rules as upstream's
// controller_policy; NAME is the account the manager's client builder asks a token for
// (src/controllers/manager/service-account-clients.ts).
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { READ, clusterRole, clusterRoleBinding, eventsRule as ev, rule as r } from './policy-builders.js';
import type { PolicyRule } from './rule-matching.js';

const PREFIX = 'system:controller:';
const CRUD = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** Account name → rules. */
const CONTROLLERS: Record<string, PolicyRule[]> = {
  'attachdetach-controller': [
    r(['list', 'watch'], [''], ['persistentvolumeclaims', 'persistentvolumes']), r(READ, [''], ['nodes']), r(['patch', 'update'], [''], ['nodes/status']),
    r(['list', 'watch'], [''], ['pods']), ev(), r(['create', 'delete', 'get', 'list', 'watch'], ['storage.k8s.io'], ['volumeattachments']),
    r(READ, ['storage.k8s.io'], ['csidrivers']), r(READ, ['storage.k8s.io'], ['csinodes']),
  ],
  'certificate-controller': [
    r(['delete', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval', 'certificatesigningrequests/status']),
    r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    r(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
    r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']), ev(),
  ],
  'clusterrole-aggregation-controller': [r(['escalate', 'get', 'list', 'patch', 'update', 'watch'], ['rbac.authorization.k8s.io'], ['clusterroles'])],
  'cronjob-controller': [
    r(['get', 'list', 'update', 'watch'], ['batch'], ['cronjobs']), r(CRUD, ['batch'], ['jobs']), r(['update'], ['batch'], ['cronjobs/status']),
    r(['update'], ['batch'], ['cronjobs/finalizers']), r(['delete', 'list', 'watch'], [''], ['pods']), ev(),
  ],
  'daemon-set-controller': [
    r(READ, ['apps', 'extensions'], ['daemonsets']), r(['update'], ['apps', 'extensions'], ['daemonsets/status']), r(['update'], ['apps', 'extensions'], ['daemonsets/finalizers']),
    r(['list', 'watch'], [''], ['nodes']), r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']), r(['create'], [''], ['pods/binding']),
    r(CRUD, ['apps'], ['controllerrevisions']), ev(),
  ],
  'deployment-controller': [
    r(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['deployments']), r(['update'], ['apps', 'extensions'], ['deployments/status']),
    r(['update'], ['apps', 'extensions'], ['deployments/finalizers']), r(CRUD, ['apps', 'extensions'], ['replicasets']),
    r(['get', 'list', 'update', 'watch'], [''], ['pods']), ev(),
  ],
  'disruption-controller': [
    r(READ, ['apps', 'extensions'], ['deployments']), r(READ, ['apps', 'extensions'], ['replicasets']), r(READ, [''], ['replicationcontrollers']),
    r(READ, ['policy'], ['poddisruptionbudgets']), r(READ, ['apps'], ['statefulsets']), r(['update'], ['policy'], ['poddisruptionbudgets/status']),
    r(['patch', 'update'], [''], ['pods/status']), r(['get'], ['*'], ['*/scale']), ev(),
  ],
  'endpoint-controller': [
    r(READ, [''], ['pods', 'services']), r(['create', 'delete', 'get', 'list', 'update', 'watch'], [''], ['endpoints']), r(['create'], [''], ['endpoints/restricted']), ev(),
  ],
  'endpointslice-controller': [
    r(READ, [''], ['nodes', 'pods', 'services']), r(['update'], [''], ['services/finalizers']),
    r(['create', 'delete', 'get', 'list', 'update', 'watch'], ['discovery.k8s.io'], ['endpointslices']), ev(),
  ],
  'endpointslicemirroring-controller': [
    r(READ, [''], ['endpoints', 'services']), r(['update'], [''], ['services/finalizers']), r(['update'], [''], ['endpoints/finalizers']),
    r(['create', 'delete', 'get', 'list', 'update', 'watch'], ['discovery.k8s.io'], ['endpointslices']), ev(),
  ],
  'ephemeral-volume-controller': [
    r(READ, [''], ['pods']), r(['update'], [''], ['pods/finalizers']), r(['create', 'get', 'list', 'watch'], [''], ['persistentvolumeclaims']), ev(),
  ],
  'expand-controller': [
    r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']), r(['patch', 'update'], [''], ['persistentvolumeclaims/status']),
    r(READ, [''], ['persistentvolumeclaims']), ev(),
  ],
  'generic-garbage-collector': [r(['delete', 'get', 'list', 'patch', 'update', 'watch'], ['*'], ['*']), ev()],
  'horizontal-pod-autoscaler': [
    r(READ, ['autoscaling'], ['horizontalpodautoscalers']), r(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
    r(['get', 'update'], ['*'], ['*/scale']), r(['list', 'watch'], [''], ['pods']), r(['list', 'watch'], ['metrics.k8s.io'], ['pods']),
    r(READ, ['custom.metrics.k8s.io'], ['*']), r(READ, ['external.metrics.k8s.io'], ['*']), ev(),
  ],
  'job-controller': [
    r(['get', 'list', 'patch', 'update', 'watch'], ['batch'], ['jobs']), r(['update'], ['batch'], ['jobs/status']), r(['update'], ['batch'], ['jobs/finalizers']),
    r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']), ev(),
  ],
  'legacy-service-account-token-cleaner': [
    r(['get'], [''], ['configmaps'], ['kube-apiserver-legacy-service-account-token-tracking']), r(['delete', 'patch'], [''], ['secrets']),
  ],
  'namespace-controller': [
    r(['delete', 'get', 'list', 'watch'], [''], ['namespaces']), r(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
    r(['delete', 'deletecollection', 'get', 'list', 'watch'], ['*'], ['*']),
  ],
  'node-controller': [
    r(['delete', 'get', 'list', 'patch', 'update', 'watch'], [''], ['nodes']), r(['patch', 'update'], [''], ['nodes/status']),
    r(['patch', 'update'], [''], ['pods/status']), r(['delete', 'get', 'list', 'watch'], [''], ['pods']), ev(),
  ],
  'persistent-volume-binder': [
    r(['create', 'delete', 'get', 'list', 'update', 'watch'], [''], ['persistentvolumes']), r(['update'], [''], ['persistentvolumes/status']),
    r(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']), r(['update'], [''], ['persistentvolumeclaims/status']),
    r(['create', 'delete', 'get', 'list', 'watch'], [''], ['pods']), r(READ, ['storage.k8s.io'], ['storageclasses']), r(['list', 'watch'], [''], ['nodes']),
    ev(), r(['watch'], [''], ['events']),
  ],
  'pod-garbage-collector': [r(['delete', 'list', 'watch'], [''], ['pods']), r(READ, [''], ['nodes']), r(['patch'], [''], ['pods/status'])],
  'pv-protection-controller': [r(['get', 'list', 'update', 'watch'], [''], ['persistentvolumes']), ev()],
  'pvc-protection-controller': [
    r(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']), r(['update'], [''], ['persistentvolumeclaims/status']), r(READ, [''], ['pods']), ev(),
  ],
  'replicaset-controller': [
    r(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['replicasets']), r(['update'], ['apps', 'extensions'], ['replicasets/status']),
    r(['update'], ['apps', 'extensions'], ['replicasets/finalizers']), r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']), ev(),
  ],
  'replication-controller': [
    r(['get', 'list', 'update', 'watch'], [''], ['replicationcontrollers']), r(['update'], [''], ['replicationcontrollers/status']),
    r(['update'], [''], ['replicationcontrollers/finalizers']), r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']), ev(),
  ],
  'resourcequota-controller': [r(['list', 'watch'], ['*'], ['*']), r(['update'], [''], ['resourcequotas/status']), ev()],
  'root-ca-cert-publisher': [r(['create', 'update'], [''], ['configmaps']), ev()],
  'route-controller': [r(['list', 'watch'], [''], ['nodes']), r(['patch'], [''], ['nodes/status']), ev()],
  'service-account-controller': [r(['create'], [''], ['serviceaccounts']), ev()],
  'service-controller': [r(READ, [''], ['services']), r(['patch', 'update'], [''], ['services/status']), r(['list', 'watch'], [''], ['nodes']), ev()],
  'statefulset-controller': [
    r(['list', 'watch'], [''], ['pods']), r(READ, ['apps'], ['statefulsets']), r(['update'], ['apps'], ['statefulsets/status']),
    r(['update'], ['apps'], ['statefulsets/finalizers']), r(['create', 'delete', 'get', 'patch', 'update'], [''], ['pods']),
    r(CRUD, ['apps'], ['controllerrevisions']), r(['create', 'get', 'list', 'watch'], [''], ['persistentvolumeclaims']),
    r(['delete', 'update'], [''], ['persistentvolumeclaims']), r(['update'], [''], ['pods/finalizers']), ev(),
  ],
  'ttl-after-finished-controller': [r(['delete', 'get', 'list', 'watch'], ['batch'], ['jobs']), ev()],
  'ttl-controller': [r(['list', 'patch', 'update', 'watch'], [''], ['nodes']), ev()],
  'validatingadmissionpolicy-status-controller': [
    r(READ, ['admissionregistration.k8s.io'], ['validatingadmissionpolicies']),
    r(['get', 'patch', 'update'], ['admissionregistration.k8s.io'], ['validatingadmissionpolicies/status']), ev(),
  ],
};

/** The accounts that have a system:controller:NAME role. */
export const CONTROLLER_ACCOUNTS = Object.keys(CONTROLLERS);

export function controllerRoles(): KubeObject[] {
  return Object.entries(CONTROLLERS).map(([name, rules]) => clusterRole(`${PREFIX}${name}`, rules));
}

export function controllerRoleBindings(): KubeObject[] {
  return CONTROLLER_ACCOUNTS.map((name) => clusterRoleBinding(`${PREFIX}${name}`, `${PREFIX}${name}`, [['ServiceAccount', 'kube-system', name]]));
}
