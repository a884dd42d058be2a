// policy/v1: pod disruption budgets.
import { type ResourceDef, statusSubresource } from './resource-def.js';
import { validatePDB } from '../validation/cluster-validation.js';
import { pdbTable } from '../tables/cluster-tables.js';

const policy = { group: 'policy', version: 'v1' };

export const poddisruptionbudgets: ResourceDef = {
  ...policy, kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget', namespaced: true,
  shortNames: ['pdb'], hasStatus: true, generation: true, subresources: [statusSubresource({ ...policy, kind: 'PodDisruptionBudget' })],
  prepareForCreate: (o) => { o.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }; },
  validate: validatePDB, table: pdbTable,
};

export const policyV1: ResourceDef[] = [poddisruptionbudgets];
