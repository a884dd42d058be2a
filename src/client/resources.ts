// The resource types tskube's own components use, typed with kubernetes-types.
import type { Event, Namespace, Node, Pod, Service, Endpoints, ConfigMap, Secret, ServiceAccount, PersistentVolume, PersistentVolumeClaim, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { Job, CronJob } from 'kubernetes-types/batch/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { ResourceType } from './resource-ref.js';

const t = <T>(group: string, version: string, resource: string, kind: string, namespaced: boolean): ResourceType<T> => ({ group, version, resource, kind, namespaced });

export const PODS = t<Pod>('', 'v1', 'pods', 'Pod', true);
export const NODES = t<Node>('', 'v1', 'nodes', 'Node', false);
export const NAMESPACES = t<Namespace>('', 'v1', 'namespaces', 'Namespace', false);
export const SERVICES = t<Service>('', 'v1', 'services', 'Service', true);
export const ENDPOINTS = t<Endpoints>('', 'v1', 'endpoints', 'Endpoints', true);
export const CONFIGMAPS = t<ConfigMap>('', 'v1', 'configmaps', 'ConfigMap', true);
export const SECRETS = t<Secret>('', 'v1', 'secrets', 'Secret', true);
export const SERVICEACCOUNTS = t<ServiceAccount>('', 'v1', 'serviceaccounts', 'ServiceAccount', true);
export const EVENTS = t<Event>('', 'v1', 'events', 'Event', true);
export const PERSISTENTVOLUMES = t<PersistentVolume>('', 'v1', 'persistentvolumes', 'PersistentVolume', false);
export const PERSISTENTVOLUMECLAIMS = t<PersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true);
export const REPLICATIONCONTROLLERS = t<ReplicationController>('', 'v1', 'replicationcontrollers', 'ReplicationController', true);
export const DEPLOYMENTS = t<Deployment>('apps', 'v1', 'deployments', 'Deployment', true);
export const REPLICASETS = t<ReplicaSet>('apps', 'v1', 'replicasets', 'ReplicaSet', true);
export const DAEMONSETS = t<DaemonSet>('apps', 'v1', 'daemonsets', 'DaemonSet', true);
export const STATEFULSETS = t<StatefulSet>('apps', 'v1', 'statefulsets', 'StatefulSet', true);
export const CONTROLLERREVISIONS = t<ControllerRevision>('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true);
export const JOBS = t<Job>('batch', 'v1', 'jobs', 'Job', true);
export const CRONJOBS = t<CronJob>('batch', 'v1', 'cronjobs', 'CronJob', true);
export const LEASES = t<Lease>('coordination.k8s.io', 'v1', 'leases', 'Lease', true);
export const ENDPOINTSLICES = t<EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true);
export const PODDISRUPTIONBUDGETS = t<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true);
export const PRIORITYCLASSES = t<PriorityClass>('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false);
