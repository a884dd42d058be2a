// One declaration per resource: everything the server, discovery, tables and kubectl need
// to know about it. Adding a resource is one ResourceDef in its group's file.
import type { FieldError } from '../status/index.js';
import type { TableDef } from '../tables/table-def.js';

export type KubeObject = Record<string, any> & { metadata?: Record<string, any> };

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';
export const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface SubresourceDef {
  name: 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'approval' | 'token' | 'exec' | 'attach' | 'portforward' | 'proxy';
  /** The kind served at the subresource, as discovery reports it. */
  group: string; version: string; kind: string;
  verbs: Verb[];
}

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: Verb[];
  subresources?: SubresourceDef[];
  /** Key segment under the etcd prefix when it differs from plural ("services/specs"). */
  storagePath?: string;
  /** Status written only through /status; spec changes bump metadata.generation. */
  hasStatus?: boolean;
  /** metadata.generation starts at 1 and bumps on every spec change. */
  generation?: boolean;
  /** DELETE answers with the deleted object instead of a Success Status. */
  returnDeletedObject?: boolean;
  /** Names must be DNS-1123 labels (namespaces, services) rather than subdomains. */
  nameIsLabel?: boolean;
  /** Names need only be path segments (RBAC: "system:node"). */
  nameIsPathSegment?: boolean;
  /** Sets upstream's defaults in place (after decoding, before validation). */
  defaults?: (obj: KubeObject) => void;
  /** Resets server-owned fields on create (status, for most). */
  prepareForCreate?: (obj: KubeObject) => void;
  /** Adjusts a spec update before defaults and validation (a Service's type change drops what no longer applies). */
  prepareForUpdate?: (obj: KubeObject, old: KubeObject) => void;
  validate?: (obj: KubeObject, old?: KubeObject) => FieldError[];
  table?: TableDef;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  /** Objects expire after --event-ttl. */
  ttl?: 'event';
  /**
   * The stored form differs from the served one (events.k8s.io/v1 over core/v1 Events, a
   * custom resource's versions): converts both ways; the registry stores toStorage's output.
   */
  convert?: { fromStorage(obj: KubeObject): KubeObject; toStorage(obj: KubeObject): KubeObject };
  /** Answered by a handler of its own (the resource metrics API), never in the store: no watch cache. */
  notStored?: boolean;
  /** A custom resource (served from a CRD): its schema validates, defaults and prunes. */
  custom?: CustomResourceHooks;
  /** Unknown-field checks and pruning when the generated field tree is not the whole truth. */
  fields?: Pick<CustomResourceHooks, 'unknownFields' | 'prune'>;
}

/** What a CRD's structural schema does to its objects; see src/apiserver/crd/. */
export interface CustomResourceHooks {
  /** Paths of fields the schema does not declare ("spec.foo"), as strict decoding reports them. */
  unknownFields(obj: KubeObject): string[];
  /** Drops undeclared fields in place. */
  prune(obj: KubeObject): void;
  /** JSON paths of spec.replicas, status.replicas and status.selector for /scale. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

export const groupVersion = (r: { group: string; version: string }) => r.group ? `${r.group}/${r.version}` : r.version;

export function statusSubresource(r: { group: string; version: string; kind: string }): SubresourceDef {
  return { name: 'status', group: r.group, version: r.version, kind: r.kind, verbs: ['get', 'patch', 'update'] };
}

/** A subresource serving another kind (pods/eviction → policy/v1 Eviction). */
export const subresource = (name: SubresourceDef['name'], gv: string, kind: string, verbs: Verb[]): SubresourceDef => {
  const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
  return { name, group, version, kind, verbs };
};

export function scaleSubresource(): SubresourceDef {
  return { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
}
