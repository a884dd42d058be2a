// Volumes: persistent volumes need capacity, access modes and one source; claims need
// access modes and a storage request; storage classes need a provisioner; CSINodes list
// each driver once.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required, tooLong } from '../status/index.js';
import { isDNS1123Subdomain, isQualifiedName } from '../selectors/index.js';

const ACCESS = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const NOT_SOURCES = new Set(['accessModes', 'capacity', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'volumeMode', 'nodeAffinity', 'volumeAttributesClassName']);

function accessModes(modes: string[] | undefined, path: string, needOne: string): FieldError[] {
  if (!modes?.length) return [required(path, needOne)];
  return modes.filter((m) => !ACCESS.includes(m)).map((m) => notSupported(path, m, ACCESS));
}

export function validatePersistentVolume(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = accessModes(spec.accessModes, 'spec.accessModes', '');
  if (!spec.capacity || !Object.keys(spec.capacity).length) errs.push(required('spec.capacity'));
  else if (!spec.capacity.storage) errs.push(notSupported('spec.capacity', Object.keys(spec.capacity)[0], ['storage']));
  const sources = Object.keys(spec).filter((k) => !NOT_SOURCES.has(k));
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp && !['Delete', 'Recycle', 'Retain'].includes(rp)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', rp, ['Delete', 'Recycle', 'Retain']));
  return errs;
}

export function validatePersistentVolumeClaim(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = accessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  if (!spec.resources?.requests?.storage) errs.push(required('spec.resources[storage]'));
  if (old) {
    // Once created, a claim's spec may only grow its request (and bind its volume).
    const frozen = (s: any) => JSON.stringify({ ...s, resources: undefined, volumeName: undefined, volumeAttributesClassName: undefined });
    if (frozen(spec) !== frozen(old.spec ?? {}) && !old.spec?.volumeName === !spec.volumeName) {
      errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
  }
  return errs;
}

export function validateStorageClass(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!obj.provisioner) errs.push(required('provisioner'));
  const rp = obj.reclaimPolicy;
  if (rp && !['Delete', 'Retain'].includes(rp)) errs.push(notSupported('reclaimPolicy', rp, ['Delete', 'Retain']));
  const vbm = obj.volumeBindingMode;
  if (vbm && !['Immediate', 'WaitForFirstConsumer'].includes(vbm)) errs.push(notSupported('volumeBindingMode', vbm, ['Immediate', 'WaitForFirstConsumer']));
  if (old) {
    if (JSON.stringify(old.parameters) !== JSON.stringify(obj.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if (old.provisioner !== obj.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (old.reclaimPolicy !== obj.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (old.volumeBindingMode !== obj.volumeBindingMode) errs.push(invalid('volumeBindingMode', obj.volumeBindingMode, 'field is immutable'));
  }
  return errs;
}

export function validateResourceQuota(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(obj.spec?.hard ?? {})) {
    if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[mkMGTPE]|n|u)?$/.test(String(v))) {
      errs.push(invalid(`spec.hard[${k}]`, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    }
  }
  return errs;
}

/** CSINode (upstream ValidateCSINode / ValidateCSINodeUpdate): one entry per driver, node IDs and topology keys fixed once set. */
export function validateCSINode(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const drivers: any[] = obj.spec?.drivers ?? [];
  const seen = new Set<string>();
  drivers.forEach((d, i) => {
    const p = `spec.drivers[${i}]`;
    const name: string = d?.name ?? '';
    if (!name) errs.push(required(`${p}.name`));
    else if (name.length > 63) errs.push(tooLong(`${p}.name`, 63));
    else for (const why of isDNS1123Subdomain(name.toLowerCase())) errs.push(invalid(`${p}.name`, name, why));
    const nodeID: string = d?.nodeID ?? '';
    if (!nodeID) errs.push(required(`${p}.nodeID`));
    else if (nodeID.length > 192) errs.push(invalid(`${p}.nodeID`, nodeID, 'must be 192 characters or less'));
    const count = d?.allocatable?.count;
    if (count !== undefined && count !== null && count < 0) errs.push(invalid(`${p}.allocatable.count`, count, 'must be greater than or equal to 0'));
    if (seen.has(name)) errs.push(duplicate(`${p}.name`, name));
    seen.add(name);
    const keys = new Set<string>();
    for (const k of (d?.topologyKeys ?? []) as string[]) {
      if (!k) errs.push(required(p, k));
      if (keys.has(k)) errs.push(duplicate(p, k));
      keys.add(k);
      for (const why of isQualifiedName(k)) errs.push(invalid(p, k, why));
    }
  });
  for (const od of (old?.spec?.drivers ?? []) as any[]) {
    drivers.forEach((d, i) => {
      if (d?.name !== od.name) return;
      if (d.nodeID !== od.nodeID) errs.push(invalid(`spec.drivers[${i}].nodeID`, d.nodeID, 'field is immutable'));
      if (JSON.stringify(d.topologyKeys ?? []) !== JSON.stringify(od.topologyKeys ?? [])) errs.push(invalid(`spec.drivers[${i}].topologyKeys`, d.topologyKeys ?? [], 'field is immutable'));
    });
  }
  return errs;
}
