// coordination.k8s.io/v1: leases for node heartbeats and leader election.
import type { ResourceDef } from './resource-def.js';
import { leaseTable } from '../tables/simple-tables.js';

export const leases: ResourceDef = {
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true, table: leaseTable,
};

export const coordinationV1: ResourceDef[] = [leases];
