// apps/v1: the workload controllers' resources.
import { type ResourceDef, scaleSubresource, statusSubresource } from './resource-def.js';
import { defaultDeployment, defaultReplicaSet } from '../defaults/workload-defaults.js';
import { validateWorkload } from '../validation/workload-validation.js';
import { deploymentTable, replicaSetTable } from '../tables/workload-tables.js';

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

export const appsV1: ResourceDef[] = [deployments, replicasets];
