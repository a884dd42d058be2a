// apps/v1: the workload controllers' resources.
import { type ResourceDef, scaleSubresource, statusSubresource } from './resource-def.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from '../defaults/workload-defaults.js';
import { validateControllerRevision, validateDaemonSet, validateStatefulSet, validateWorkload } from '../validation/workload-validation.js';
import { deploymentTable, replicaSetTable } from '../tables/workload-tables.js';
import { controllerRevisionTable, daemonSetTable, statefulSetTable } from '../tables/apps-extra-tables.js';

const apps = { group: 'apps', version: 'v1' };

export const deployments: ResourceDef = {
  ...apps, kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...apps, kind: 'Deployment' }), scaleSubresource()],
  defaults: defaultDeployment, prepareForCreate: (o) => { o.status = {}; }, validate: validateWorkload, table: deploymentTable,
};

export const replicasets: ResourceDef = {
  ...apps, kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', namespaced: true, shortNames: ['rs'], categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...apps, kind: 'ReplicaSet' }), scaleSubresource()],
  defaults: defaultReplicaSet, prepareForCreate: (o) => { o.status = { replicas: 0 }; }, validate: validateWorkload, table: replicaSetTable,
  fieldSelectors: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
};

export const statefulsets: ResourceDef = {
  ...apps, kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset', namespaced: true, shortNames: ['sts'], categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...apps, kind: 'StatefulSet' }), scaleSubresource()],
  defaults: defaultStatefulSet, prepareForCreate: (o) => { o.status = { replicas: 0, availableReplicas: 0 }; }, validate: validateStatefulSet, table: statefulSetTable,
};

export const daemonsets: ResourceDef = {
  ...apps, kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset', namespaced: true, shortNames: ['ds'], categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...apps, kind: 'DaemonSet' })],
  defaults: defaultDaemonSet, prepareForCreate: (o) => { o.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }; },
  validate: validateDaemonSet, table: daemonSetTable,
};

export const controllerrevisions: ResourceDef = {
  ...apps, kind: 'ControllerRevision', plural: 'controllerrevisions', singular: 'controllerrevision', namespaced: true,
  validate: validateControllerRevision, table: controllerRevisionTable,
};

export const appsV1: ResourceDef[] = [deployments, replicasets, statefulsets, daemonsets, controllerrevisions];
