// batch/v1: run-to-completion work.
import { type ResourceDef, statusSubresource } from './resource-def.js';
import { defaultCronJob, defaultJob, generateJobSelector } from '../defaults/batch-defaults.js';
import { validateCronJob, validateJob } from '../validation/batch-validation.js';
import { cronJobTable, jobTable } from '../tables/batch-tables.js';

const batch = { group: 'batch', version: 'v1' };

export const jobs: ResourceDef = {
  ...batch, kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true, categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...batch, kind: 'Job' })],
  defaults: defaultJob, prepareForCreate: (o) => { o.status = {}; generateJobSelector(o); }, validate: validateJob, table: jobTable,
  fieldSelectors: { 'status.successful': (o) => String(o.status?.succeeded ?? 0) },
};

export const cronjobs: ResourceDef = {
  ...batch, kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob', namespaced: true, shortNames: ['cj'], categories: ['all'],
  hasStatus: true, generation: true, subresources: [statusSubresource({ ...batch, kind: 'CronJob' })],
  defaults: defaultCronJob, prepareForCreate: (o) => { o.status = {}; }, validate: validateCronJob, table: cronJobTable,
};

export const batchV1: ResourceDef[] = [jobs, cronjobs];
