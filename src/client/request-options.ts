// Query parameters of list, watch and write calls, with the upstream spellings.

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export interface WriteOptions {
  /** Ask the server to validate and admit but not persist. */
  dryRun?: boolean;
  fieldManager?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export type Query = Record<string, string | number | boolean | undefined>;

export function listQuery(o: ListOptions = {}, watch = false): Query {
  return {
    watch: watch ? 'true' : undefined,
    labelSelector: o.labelSelector || undefined,
    fieldSelector: o.fieldSelector || undefined,
    limit: o.limit || undefined,
    continue: o.continue || undefined,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
    timeoutSeconds: o.timeoutSeconds,
    allowWatchBookmarks: o.allowWatchBookmarks ? 'true' : undefined,
  };
}

export function writeQuery(o: WriteOptions = {}): Query {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager, force: o.force === undefined ? undefined : String(o.force) };
}

export function queryString(q: Query): string {
  let params: URLSearchParams | undefined;
  for (const k in q) {
    const v = q[k];
    if (v !== undefined) (params ??= new URLSearchParams()).append(k, String(v));
  }
  return params ? `?${params.toString()}` : '';
}
