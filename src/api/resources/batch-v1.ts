// batch/v1: run-to-completion workloads (minimal declarations: no defaults or validation yet).
import { type ResourceDef, statusSubresource } from './resource-def.js';

const batch = { group: 'batch', version: 'v1' };

export const jobs: ResourceDef = {
  ...batch, kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true, categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...batch, kind: 'Job' })],
  prepareForCreate: (o) => { o.status = {}; },
};

export const cronjobs: ResourceDef = {
  ...batch, kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob', namespaced: true, shortNames: ['cj'], categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...batch, kind: 'CronJob' })],
  prepareForCreate: (o) => { o.status = {}; },
};

export const batchV1: ResourceDef[] = [jobs, cronjobs];
