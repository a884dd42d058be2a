// Printers for the smaller groups: scheduling, policy, storage, certificates, autoscaling,
// networking and discovery.
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age, humanDuration } from './human-duration.js';
import { labelSelectorText } from './selector-text.js';

export const priorityClassTable: TableDef = {
  columns: [nameColumn, col('Value', 'integer'), col('Global-Default', 'boolean'), ageColumn, col('PreemptionPolicy')],
  cells: (o, now) => [o.metadata?.name, o.value ?? 0, !!o.globalDefault, age(o, now), o.preemptionPolicy ?? ''],
};

export const pdbTable: TableDef = {
  columns: [nameColumn, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), ageColumn],
  cells: (o, now) => [o.metadata?.name, o.spec?.minAvailable !== undefined ? String(o.spec.minAvailable) : 'N/A',
    o.spec?.maxUnavailable !== undefined ? String(o.spec.maxUnavailable) : 'N/A', o.status?.disruptionsAllowed ?? 0, age(o, now)],
};

export const storageClassTable: TableDef = {
  columns: [nameColumn, col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion', 'string'), ageColumn],
  cells: (o, now) => {
    const isDefault = o.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
    return [isDefault ? `${o.metadata?.name} (default)` : o.metadata?.name, o.provisioner ?? '', o.reclaimPolicy ?? 'Delete',
      o.volumeBindingMode ?? 'Immediate', String(!!o.allowVolumeExpansion), age(o, now)];
  },
};

export const csiNodeTable: TableDef = {
  columns: [nameColumn, col('Drivers', 'integer'), ageColumn],
  cells: (o, now) => [o.metadata?.name, (o.spec?.drivers ?? []).length, age(o, now)],
};

function csrCondition(o: any): string {
  const types = (o.status?.conditions ?? []).filter((c: any) => c.status !== 'False').map((c: any) => c.type);
  const order = ['Approved', 'Denied', 'Failed'];
  const shown = order.filter((t) => types.includes(t));
  if (!shown.length) return 'Pending';
  if (o.status?.certificate) shown.push('Issued');
  return shown.join(',');
}

export const csrTable: TableDef = {
  columns: [nameColumn, ageColumn, col('SignerName'), col('Requestor'), col('RequestedDuration'), col('Condition')],
  cells: (o, now) => [o.metadata?.name, age(o, now), o.spec?.signerName ?? '', o.spec?.username ?? '',
    o.spec?.expirationSeconds ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>', csrCondition(o)],
};

function hpaTargets(o: any): string {
  const list = (o.spec?.metrics ?? []).map((m: any, i: number) => {
    const cur = (o.status?.currentMetrics ?? [])[i];
    if (m.type === 'Resource') {
      const t = m.resource?.target ?? {};
      const c = cur?.resource?.current ?? {};
      const name = m.resource?.name;
      if (t.averageUtilization !== undefined) return `${name}: ${c.averageUtilization !== undefined ? `${c.averageUtilization}%` : '<unknown>'}/${t.averageUtilization}%`;
      return `${name}: ${c.averageValue ?? '<unknown>'}/${t.averageValue ?? t.value ?? ''}`;
    }
    return '<unknown>';
  });
  if (!list.length) return '<none>';
  return list.length > 3 ? `${list.slice(0, 3).join(', ')} + ${list.length - 3} more...` : list.join(', ');
}

export const hpaTable: TableDef = {
  columns: [nameColumn, col('Reference'), col('Targets'), col('MinPods', 'string'), col('MaxPods', 'integer'), col('Replicas', 'integer'), ageColumn],
  cells: (o, now) => [o.metadata?.name, `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`, hpaTargets(o),
    o.spec?.minReplicas !== undefined ? String(o.spec.minReplicas) : '<unset>', o.spec?.maxReplicas ?? 0, o.status?.currentReplicas ?? 0, age(o, now)],
};

export const ingressTable: TableDef = {
  columns: [nameColumn, col('Class'), col('Hosts'), col('Address'), col('Ports'), ageColumn],
  cells: (o, now) => {
    const hosts = (o.spec?.rules ?? []).map((r: any) => r.host).filter(Boolean);
    const lb = (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip || i.hostname).filter(Boolean);
    const hostText = hosts.length === 0 ? '*' : hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
    return [o.metadata?.name, o.spec?.ingressClassName ?? '<none>', hostText, lb.join(','), (o.spec?.tls ?? []).length ? '80, 443' : '80', age(o, now)];
  },
};

export const networkPolicyTable: TableDef = {
  columns: [nameColumn, col('Pod-Selector'), ageColumn],
  cells: (o, now) => {
    const text = labelSelectorText(o.spec?.podSelector);
    return [o.metadata?.name, text === '<none>' ? '' : text, age(o, now)];
  },
};

export const endpointSliceTable: TableDef = {
  columns: [nameColumn, col('AddressType'), col('Ports'), col('Endpoints'), ageColumn],
  cells: (o, now) => {
    const ports = (o.ports ?? []).map((p: any) => (p.port === undefined || p.port === null ? '<unset>' : String(p.port)));
    const addrs = (o.endpoints ?? []).flatMap((e: any) => e.addresses ?? []);
    const portText = o.ports === undefined || o.ports === null ? '<unset>' : ports.length ? ports.join(',') : '<unset>';
    const addrText = addrs.length === 0 ? '<unset>' : addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
    return [o.metadata?.name, o.addressType ?? '', portText, addrText, age(o, now)];
  },
};
