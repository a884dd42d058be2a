// apps/v1 printers for statefulsets, daemonsets and controller revisions.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';
import { labelSelectorText, mapText, templateContainers, templateImages } from './selector-text.js';

const containersCol = col('Containers', 'string', 1, 'Names of each container in the template.');
const imagesCol = col('Images', 'string', 1, 'Images referenced by each container in the template.');

export const statefulSetTable: TableDef = {
  columns: [nameColumn, col('Ready', 'string', 0, 'Number of the pod with ready state'), ageColumn, containersCol, imagesCol],
  cells: (o, now) => [o.metadata?.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o, now),
    templateContainers(o.spec?.template), templateImages(o.spec?.template)],
};

export const daemonSetTable: TableDef = {
  columns: [nameColumn, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'),
    col('Available', 'integer'), col('Node Selector'), ageColumn, containersCol, imagesCol, col('Selector', 'string', 1)],
  cells: (o, now) => {
    const s = o.status ?? {};
    return [o.metadata?.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0,
      s.numberAvailable ?? 0, mapText(o.spec?.template?.spec?.nodeSelector), age(o, now),
      templateContainers(o.spec?.template), templateImages(o.spec?.template), labelSelectorText(o.spec?.selector)];
  },
};

export const controllerRevisionTable: TableDef = {
  columns: [nameColumn, col('Controller'), col('Revision', 'integer'), ageColumn],
  cells: (o, now) => {
    const owner = (o.metadata?.ownerReferences ?? []).find((r: any) => r.controller);
    const ctl = owner ? `${String(owner.kind).toLowerCase()}.${String(owner.apiVersion).split('/').length > 1 ? String(owner.apiVersion).split('/')[0] : ''}/${owner.name}`.replace('./', '/') : '<none>';
    return [o.metadata?.name, ctl, o.revision ?? 0, age(o, now)];
  },
};
