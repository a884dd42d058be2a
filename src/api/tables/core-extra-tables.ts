// core/v1 printers beyond pods/services/nodes: quotas, limit ranges, replication
// controllers, persistent volumes and claims, pod templates.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';
import { mapText, templateContainers, templateImages } from './selector-text.js';

function quotaText(o: any, limits: boolean): string {
  const hard = o.status?.hard ?? o.spec?.hard ?? {};
  const used = o.status?.used ?? {};
  return Object.keys(hard).filter((k) => k.startsWith('limits.') === limits).sort()
    .map((k) => `${k}: ${used[k] ?? '0'}/${hard[k]}`).join(', ');
}

export const resourceQuotaTable: TableDef = {
  columns: [nameColumn, ageColumn, col('Request', 'string', 0, 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 0, 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.')],
  cells: (o, now) => [o.metadata?.name, age(o, now), quotaText(o, false), quotaText(o, true)],
};

export const replicationControllerTable: TableDef = {
  columns: [nameColumn, col('Desired', 'integer', 0, 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 0, 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 0, 'The number of ready replicas for this replication controller.'), ageColumn,
    col('Containers', 'string', 1, 'Names of each container in the template.'), col('Images', 'string', 1, 'Images referenced by each container in the template.'),
    col('Selector', 'string', 1, 'Selector is a label query over pods that should match the Replicas count.')],
  cells: (o, now) => [o.metadata?.name, o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o, now),
    templateContainers(o.spec?.template), templateImages(o.spec?.template), mapText(o.spec?.selector)],
};

const accessModes = (modes: string[] | undefined) => (modes ?? []).map((m) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' } as Record<string, string>)[m] ?? m).join(',');

export const persistentVolumeTable: TableDef = {
  columns: [nameColumn, col('Capacity'), col('Access Modes'), col('Reclaim Policy'), col('Status'), col('Claim'), col('StorageClass'),
    col('VolumeAttributesClass'), col('Reason'), ageColumn, col('VolumeMode', 'string', 1)],
  cells: (o, now) => {
    const ref = o.spec?.claimRef;
    return [o.metadata?.name, o.spec?.capacity?.storage ?? '', accessModes(o.spec?.accessModes), o.spec?.persistentVolumeReclaimPolicy ?? '',
      o.status?.phase ?? '', ref ? `${ref.namespace}/${ref.name}` : '', o.spec?.storageClassName ?? '', o.spec?.volumeAttributesClassName ?? '<unset>',
      o.status?.reason ?? '', age(o, now), o.spec?.volumeMode ?? '<unset>'];
  },
};

export const persistentVolumeClaimTable: TableDef = {
  columns: [nameColumn, col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), col('VolumeAttributesClass'),
    ageColumn, col('VolumeMode', 'string', 1)],
  cells: (o, now) => {
    const bound = o.spec?.volumeName;
    return [o.metadata?.name, o.metadata?.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '', bound ?? '',
      bound ? o.status?.capacity?.storage ?? '' : '', bound ? accessModes(o.status?.accessModes) : '', o.spec?.storageClassName ?? '',
      o.spec?.volumeAttributesClassName ?? '<unset>', age(o, now), o.spec?.volumeMode ?? '<unset>'];
  },
};

export const podTemplateTable: TableDef = {
  columns: [nameColumn, col('Containers'), col('Images'), col('Pod Labels')],
  cells: (o) => [o.metadata?.name, templateContainers(o.template), templateImages(o.template), mapText(o.template?.metadata?.labels)],
};
