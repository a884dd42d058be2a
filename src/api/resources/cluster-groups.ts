// The smaller API groups, one or two resources each: discovery,
// storage, certificates, autoscaling, networking.
import { type ResourceDef, statusSubresource, subresource } from './resource-def.js';
import { defaultEndpointSlice, defaultHPA, defaultNetworkPolicy, defaultStorageClass } from '../defaults/cluster-defaults.js';
import {
  validateCSR, validateEndpointSlice, validateHPA, validateIngress, validateNetworkPolicy,
} from '../validation/cluster-validation.js';
import { validateCSINode, validateStorageClass } from '../validation/storage-validation.js';
import { csiNodeTable, csrTable, endpointSliceTable, hpaTable, ingressTable, networkPolicyTable, storageClassTable } from '../tables/cluster-tables.js';

const gv = (group: string, version = 'v1') => ({ group, version });

export const endpointslices: ResourceDef = {
  ...gv('discovery.k8s.io'), kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice', namespaced: true,
  defaults: defaultEndpointSlice, validate: validateEndpointSlice, table: endpointSliceTable,
  fieldSelectors: { addressType: (o) => o.addressType ?? '' },
};

export const storageclasses: ResourceDef = {
  ...gv('storage.k8s.io'), kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass', namespaced: false, shortNames: ['sc'],
  defaults: defaultStorageClass, validate: validateStorageClass, table: storageClassTable,
};

/** Written by each node's kubelet for its CSI drivers; the scheduler reads attach limits from it. */
export const csinodes: ResourceDef = {
  ...gv('storage.k8s.io'), kind: 'CSINode', plural: 'csinodes', singular: 'csinode', namespaced: false,
  validate: validateCSINode, table: csiNodeTable,
};

export const certificatesigningrequests: ResourceDef = {
  ...gv('certificates.k8s.io'), kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', singular: 'certificatesigningrequest',
  namespaced: false, shortNames: ['csr'], hasStatus: true,
  subresources: [statusSubresource({ ...gv('certificates.k8s.io'), kind: 'CertificateSigningRequest' }),
    subresource('approval', 'certificates.k8s.io/v1', 'CertificateSigningRequest', ['get', 'patch', 'update'])],
  prepareForCreate: (o) => { o.status = {}; }, validate: validateCSR, table: csrTable,
  fieldSelectors: { 'spec.signerName': (o) => o.spec?.signerName ?? '' },
};

export const horizontalpodautoscalers: ResourceDef = {
  ...gv('autoscaling', 'v2'), kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
  namespaced: true, shortNames: ['hpa'], categories: ['all'], hasStatus: true,
  subresources: [statusSubresource({ ...gv('autoscaling', 'v2'), kind: 'HorizontalPodAutoscaler' })],
  defaults: defaultHPA, prepareForCreate: (o) => { o.status = { currentReplicas: 0, desiredReplicas: 0 }; }, validate: validateHPA, table: hpaTable,
};

export const ingresses: ResourceDef = {
  ...gv('networking.k8s.io'), kind: 'Ingress', plural: 'ingresses', singular: 'ingress', namespaced: true, shortNames: ['ing'],
  storagePath: 'ingress', hasStatus: true, generation: true, subresources: [statusSubresource({ ...gv('networking.k8s.io'), kind: 'Ingress' })],
  prepareForCreate: (o) => { o.status = {}; }, validate: validateIngress, table: ingressTable,
};

export const networkpolicies: ResourceDef = {
  ...gv('networking.k8s.io'), kind: 'NetworkPolicy', plural: 'networkpolicies', singular: 'networkpolicy', namespaced: true, shortNames: ['netpol'],
  generation: true, defaults: defaultNetworkPolicy, validate: validateNetworkPolicy, table: networkPolicyTable,
};

export const clusterGroups: ResourceDef[] = [
  endpointslices, storageclasses, csinodes, certificatesigningrequests, horizontalpodautoscalers, ingresses, networkpolicies,
];
