/**
 * Strategic-merge metadata (upstream's `patchStrategy` / `patchMergeKey` struct tags,
 * also published as `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`)
 * for the built-in kinds we serve. A field not listed here has no strategy: maps merge
 * key by key, lists are replaced whole. `listMapKeys`/`listType` feed server-side apply.
 */

export interface PatchField {
  /** `merge` merges lists (by mergeKey for lists of maps); `replace` replaces maps too. */
  strategy?: 'merge' | 'replace';
  /** Field identifying list elements for a merge of a list of maps. */
  mergeKey?: string;
  /** Upstream also declares `retainKeys` for this field (informational on the server). */
  retainKeys?: boolean;
  /** Server-side apply list semantics. */
  listType?: 'map' | 'set' | 'atomic';
  listMapKeys?: string[];
  /** Server-side apply treats the whole struct as one value (`+structType=atomic`). */
  atomic?: boolean;
  /** Metadata of the value (a struct) or, for lists, of each element. */
  fields?: PatchStruct;
}

export type PatchStruct = { readonly [field: string]: PatchField };

const byName = (fields?: PatchStruct): PatchField => ({ strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'], fields });
const byKey = (key: string, fields?: PatchStruct, keys: string[] = [key]): PatchField => ({
  strategy: 'merge', mergeKey: key, listType: 'map', listMapKeys: keys, fields,
});
const conditions = byKey('type');
const struct = (fields: PatchStruct): PatchField => ({ fields });

export const objectMeta: PatchStruct = {
  finalizers: { strategy: 'merge', listType: 'set' },
  ownerReferences: byKey('uid'),
};

const container: PatchStruct = {
  ports: byKey('containerPort', undefined, ['containerPort', 'protocol']),
  env: byName(),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
  resizePolicy: { listType: 'atomic' },
};

export const podSpec: PatchStruct = {
  volumes: { ...byName(), retainKeys: true },
  initContainers: byName(container),
  containers: byName(container),
  ephemeralContainers: byName(container),
  imagePullSecrets: byName(),
  hostAliases: byKey('ip'),
  topologySpreadConstraints: byKey('topologyKey', undefined, ['topologyKey', 'whenUnsatisfiable']),
  schedulingGates: byName(),
  resourceClaims: { ...byName(), retainKeys: true },
  tolerations: { listType: 'atomic' },
  readinessGates: { listType: 'atomic' },
};

const podStatus: PatchStruct = {
  conditions,
  podIPs: byKey('ip'),
  hostIPs: byKey('ip'),
  resourceClaimStatuses: { ...byName(), retainKeys: true },
};

const podTemplateSpec: PatchStruct = { metadata: struct(objectMeta), spec: struct(podSpec) };
const conditionsStatus: PatchStruct = { conditions };
const withTemplate = (extraSpec: PatchStruct = {}): PatchStruct => ({
  metadata: struct(objectMeta),
  spec: struct({ template: struct(podTemplateSpec), selector: { atomic: true }, ...extraSpec }),
  status: struct(conditionsStatus),
});

const jobSpec: PatchStruct = { template: struct(podTemplateSpec), selector: { atomic: true } };

/** Per kind, keyed `group/Kind` (core group is ''). */
const kinds: Record<string, PatchStruct> = {
  '/Pod': { metadata: struct(objectMeta), spec: struct(podSpec), status: struct(podStatus) },
  '/PodTemplate': { metadata: struct(objectMeta), template: struct(podTemplateSpec) },
  '/ReplicationController': withTemplate(),
  '/Service': {
    metadata: struct(objectMeta),
    spec: struct({ ports: byKey('port', undefined, ['port', 'protocol']) }),
    status: struct(conditionsStatus),
  },
  '/Node': {
    metadata: struct(objectMeta),
    spec: struct({ podCIDRs: { strategy: 'merge', listType: 'set' }, taints: { listType: 'atomic' } }),
    status: struct({ conditions, addresses: byKey('type') }),
  },
  '/Namespace': { metadata: struct(objectMeta), status: struct(conditionsStatus) },
  '/PersistentVolumeClaim': { metadata: struct(objectMeta), status: struct(conditionsStatus) },
  'apps/Deployment': withTemplate({ strategy: { retainKeys: true } }),
  'apps/ReplicaSet': withTemplate(),
  'apps/StatefulSet': withTemplate(),
  'apps/DaemonSet': withTemplate(),
  'batch/Job': { metadata: struct(objectMeta), spec: struct(jobSpec), status: struct(conditionsStatus) },
  'batch/CronJob': {
    metadata: struct(objectMeta),
    spec: struct({ jobTemplate: struct({ metadata: struct(objectMeta), spec: struct(jobSpec) }) }),
  },
};

const defaultKind: PatchStruct = { metadata: struct(objectMeta) };

/** Top-level metadata for a kind; kinds without entries still get ObjectMeta's. */
export function patchMetaFor(kind: { group: string; kind: string }): PatchStruct {
  return kinds[`${kind.group}/${kind.kind}`] ?? defaultKind;
}

/** Metadata of one field of a struct (empty when unknown). */
export function fieldMeta(s: PatchStruct | undefined, field: string): PatchField {
  return (s && Object.prototype.hasOwnProperty.call(s, field) ? s[field] : undefined) ?? {};
}
