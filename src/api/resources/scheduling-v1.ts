// scheduling.k8s.io/v1: priority classes.
import type { ResourceDef } from './resource-def.js';
import { validatePriorityClass } from '../validation/cluster-validation.js';
import { priorityClassTable } from '../tables/cluster-tables.js';

export const priorityclasses: ResourceDef = {
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', singular: 'priorityclass',
  namespaced: false, shortNames: ['pc'],
  // Upstream's default: PreemptLowerPriority unless set.
  defaults: (o) => { o.preemptionPolicy ??= 'PreemptLowerPriority'; },
  validate: validatePriorityClass, table: priorityClassTable,
};

export const schedulingV1: ResourceDef[] = [priorityclasses];
