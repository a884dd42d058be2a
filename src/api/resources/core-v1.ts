// The core ("") group, version v1: the resources every cluster starts with.
import { type ResourceDef, scaleSubresource, statusSubresource, subresource } from './resource-def.js';
import { defaultPodSpec } from '../defaults/pod-defaults.js';
import { defaultReplicationController } from '../defaults/workload-defaults.js';
import { defaultLimitRange, defaultPersistentVolume, defaultPersistentVolumeClaim } from '../defaults/cluster-defaults.js';
import { validateReplicationController } from '../validation/workload-validation.js';
import { validatePersistentVolume, validatePersistentVolumeClaim, validateResourceQuota } from '../validation/storage-validation.js';
import { validatePodSpec } from '../validation/pod-validation.js';
import { defaultTable } from '../tables/default-table.js';
import { persistentVolumeClaimTable, persistentVolumeTable, podTemplateTable, replicationControllerTable, resourceQuotaTable } from '../tables/core-extra-tables.js';
import { defaultPod, qosClass } from '../defaults/pod-defaults.js';
import { defaultNamespace, defaultSecret, defaultService } from '../defaults/core-defaults.js';
import { validatePod } from '../validation/pod-validation.js';
import { dropTypeDependentFields } from '../defaults/service-type-change.js';
import { validateService } from '../validation/service-validation.js';
import { podTable } from '../tables/pod-table.js';
import { namespaceTable } from '../tables/namespace-table.js';
import { nodeTable } from '../tables/node-table.js';
import { serviceTable } from '../tables/service-table.js';
import { eventTable } from '../tables/event-table.js';
import { configMapTable, endpointsTable, secretTable, serviceAccountTable } from '../tables/simple-tables.js';

const core = { group: '', version: 'v1' };

export const pods: ResourceDef = {
  ...core, kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'],
  hasStatus: true, returnDeletedObject: true,
  subresources: [
    statusSubresource({ ...core, kind: 'Pod' }),
    { name: 'binding', ...core, kind: 'Binding', verbs: ['create'] },
    subresource('eviction', 'policy/v1', 'Eviction', ['create']),
    subresource('log', 'v1', 'Pod', ['get']),
    subresource('exec', 'v1', 'PodExecOptions', ['create', 'get']),
    subresource('attach', 'v1', 'PodAttachOptions', ['create', 'get']),
    subresource('portforward', 'v1', 'PodPortForwardOptions', ['create', 'get']),
    subresource('proxy', 'v1', 'PodProxyOptions', ['create', 'delete', 'get', 'patch', 'update']),
  ],
  defaults: defaultPod,
  prepareForCreate: (o) => { o.status = { phase: 'Pending', qosClass: qosClass(o.spec) }; },
  validate: validatePod,
  table: podTable,
  fieldSelectors: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(!!o.spec?.hostNetwork),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
};

export const namespaces: ResourceDef = {
  ...core, kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'],
  hasStatus: true, nameIsLabel: true,
  subresources: [statusSubresource({ ...core, kind: 'Namespace' }), { name: 'finalize' as any, ...core, kind: 'Namespace', verbs: ['update'] }],
  defaults: defaultNamespace,
  prepareForCreate: (o) => { o.status = { phase: 'Active' }; o.spec = { finalizers: ['kubernetes'] }; },
  table: namespaceTable,
  fieldSelectors: { 'status.phase': (o) => o.status?.phase ?? '' },
};

export const nodes: ResourceDef = {
  ...core, kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'], storagePath: 'minions',
  hasStatus: true,
  subresources: [statusSubresource({ ...core, kind: 'Node' }), subresource('proxy', 'v1', 'NodeProxyOptions', ['create', 'delete', 'get', 'patch', 'update'])],
  table: nodeTable,
  fieldSelectors: { 'spec.unschedulable': (o) => String(!!o.spec?.unschedulable) },
};

export const services: ResourceDef = {
  ...core, kind: 'Service', plural: 'services', singular: 'service', namespaced: true, shortNames: ['svc'], categories: ['all'],
  storagePath: 'services/specs', hasStatus: true, returnDeletedObject: true, nameIsLabel: true,
  subresources: [statusSubresource({ ...core, kind: 'Service' }), subresource('proxy', 'v1', 'ServiceProxyOptions', ['create', 'delete', 'get', 'patch', 'update'])],
  defaults: defaultService,
  prepareForCreate: (o) => { o.status = { loadBalancer: {} }; },
  prepareForUpdate: dropTypeDependentFields,
  validate: validateService,
  table: serviceTable,
};

export const endpoints: ResourceDef = {
  ...core, kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'],
  storagePath: 'services/endpoints', table: endpointsTable,
};

export const configmaps: ResourceDef = {
  ...core, kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'], table: configMapTable,
};

export const secrets: ResourceDef = {
  ...core, kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true, defaults: defaultSecret, table: secretTable,
  fieldSelectors: { type: (o) => o.type ?? '' },
};

export const serviceaccounts: ResourceDef = {
  ...core, kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'], table: serviceAccountTable,
  subresources: [subresource('token', 'authentication.k8s.io/v1', 'TokenRequest', ['create'])],
};

export const events: ResourceDef = {
  ...core, kind: 'Event', plural: 'events', singular: 'event', namespaced: true, shortNames: ['ev'], table: eventTable, ttl: 'event',
  fieldSelectors: {
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingComponent: (o) => o.reportingComponent ?? '',
    source: (o) => o.source?.component ?? '',
    type: (o) => o.type ?? '',
  },
};

export const resourcequotas: ResourceDef = {
  ...core, kind: 'ResourceQuota', plural: 'resourcequotas', singular: 'resourcequota', namespaced: true, shortNames: ['quota'],
  hasStatus: true, subresources: [statusSubresource({ ...core, kind: 'ResourceQuota' })], prepareForCreate: (o) => { o.status = {}; },
  validate: validateResourceQuota, table: resourceQuotaTable,
};

export const limitranges: ResourceDef = {
  ...core, kind: 'LimitRange', plural: 'limitranges', singular: 'limitrange', namespaced: true, shortNames: ['limits'],
  defaults: defaultLimitRange, table: defaultTable,
};

export const replicationcontrollers: ResourceDef = {
  ...core, kind: 'ReplicationController', plural: 'replicationcontrollers', singular: 'replicationcontroller', namespaced: true,
  shortNames: ['rc'], categories: ['all'], storagePath: 'controllers', hasStatus: true, generation: true,
  subresources: [statusSubresource({ ...core, kind: 'ReplicationController' }), scaleSubresource()],
  defaults: defaultReplicationController, prepareForCreate: (o) => { o.status = { replicas: 0 }; }, validate: validateReplicationController,
  table: replicationControllerTable, fieldSelectors: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
};

export const persistentvolumes: ResourceDef = {
  ...core, kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume', namespaced: false, shortNames: ['pv'],
  hasStatus: true, subresources: [statusSubresource({ ...core, kind: 'PersistentVolume' })], defaults: defaultPersistentVolume,
  prepareForCreate: (o) => { o.status = { phase: 'Pending' }; }, validate: validatePersistentVolume, table: persistentVolumeTable,
};

export const persistentvolumeclaims: ResourceDef = {
  ...core, kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true, shortNames: ['pvc'],
  hasStatus: true, subresources: [statusSubresource({ ...core, kind: 'PersistentVolumeClaim' })], defaults: defaultPersistentVolumeClaim,
  prepareForCreate: (o) => { o.status = { phase: 'Pending' }; }, validate: validatePersistentVolumeClaim, table: persistentVolumeClaimTable,
};

export const podtemplates: ResourceDef = {
  ...core, kind: 'PodTemplate', plural: 'podtemplates', singular: 'podtemplate', namespaced: true,
  defaults: (o) => defaultPodSpec(o.template?.spec), validate: (o) => validatePodSpec(o.template?.spec, 'template.spec'), table: podTemplateTable,
};

export const coreV1: ResourceDef[] = [pods, namespaces, nodes, services, endpoints, configmaps, secrets, serviceaccounts, events,
  resourcequotas, limitranges, replicationcontrollers, persistentvolumes, persistentvolumeclaims, podtemplates];
