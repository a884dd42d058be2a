// apiextensions.k8s.io/v1: CustomResourceDefinitions. The custom resources they define are
// served dynamically (src/apiserver/crd/).
import { type ResourceDef, statusSubresource } from './resource-def.js';
import { defaultCRD, prepareCRDForCreate } from '../defaults/crd-defaults.js';
import { validateCRD } from '../validation/crd-validation.js';
import { crdUnknownFields, pruneCRD } from '../validation/crd-fields.js';

const gv = { group: 'apiextensions.k8s.io', version: 'v1' };

export const customresourcedefinitions: ResourceDef = {
  ...gv, kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', singular: 'customresourcedefinition',
  namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], hasStatus: true, generation: true,
  storagePath: 'apiextensions.k8s.io/customresourcedefinitions',
  subresources: [statusSubresource({ ...gv, kind: 'CustomResourceDefinition' })],
  prepareForCreate: prepareCRDForCreate, defaults: defaultCRD, validate: validateCRD,
  fields: { unknownFields: crdUnknownFields, prune: pruneCRD },
};

export const apiextensionsV1: ResourceDef[] = [customresourcedefinitions];
