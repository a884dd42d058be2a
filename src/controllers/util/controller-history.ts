// ControllerRevisions for DaemonSets and StatefulSets: one per distinct pod template,
// named OWNER-HASH, numbered in order of use (a rollback renumbers the old one), trimmed
// to revisionHistoryLimit.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { CONTROLLERREVISIONS, isAlreadyExists, isNotFound, type RestClient } from '../../client/index.js';
import { controllerRef, newControllerRef } from './controller-ref.js';
import { computeHash, deepEqual } from './hash.js';

/** The patch a revision stores: the template, replacing the whole of it. */
export const revisionData = (owner: KubeObject) => ({ spec: { template: { ...structuredClone(owner.spec.template), $patch: 'replace' } } });

export function ownedRevisions(all: ControllerRevision[], owner: KubeObject): ControllerRevision[] {
  return all.filter((r) => controllerRef(r)?.uid === owner.metadata!.uid).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
}

/** The revision for the owner's current template (created or renumbered as needed). */
export async function ensureRevision(client: RestClient, owner: KubeObject, revisions: ControllerRevision[]): Promise<ControllerRevision> {
  const data = revisionData(owner);
  const max = Math.max(0, ...revisions.map((r) => r.revision ?? 0));
  const same = revisions.filter((r) => deepEqual(r.data, data));
  const crs = client.resource(CONTROLLERREVISIONS);
  const ns = owner.metadata!.namespace!;
  if (same.length) {
    const r = same[same.length - 1];
    if ((r.revision ?? 0) === max) return r;
    return crs.update(ns, { ...r, revision: max + 1 });
  }
  const hash = computeHash(data, owner.status?.collisionCount);
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: { name: `${owner.metadata!.name}-${hash}`, namespace: ns, labels: { ...(owner.spec.template?.metadata?.labels ?? {}), 'controller-revision-hash': hash }, ownerReferences: [newControllerRef(owner)] },
    data, revision: max + 1,
  };
  try {
    return await crs.create(ns, rev);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await crs.get(ns, rev.metadata!.name!);
    if (deepEqual(existing.data, data) && controllerRef(existing)?.uid === owner.metadata!.uid) return existing;
    throw new Error(`controller revision ${rev.metadata!.name} exists with other data (hash collision)`);
  }
}

export const revisionHash = (r: ControllerRevision): string => r.metadata!.labels?.['controller-revision-hash'] ?? r.metadata!.name!.split('-').pop()!;

/** Deletes the oldest revisions beyond the limit that no pod uses. */
export async function truncateHistory(client: RestClient, owner: KubeObject, revisions: ControllerRevision[], live: Set<string>, limit = owner.spec?.revisionHistoryLimit ?? 10): Promise<void> {
  const old = revisions.filter((r) => !live.has(r.metadata!.name!) && !live.has(revisionHash(r)));
  for (const r of old.slice(0, Math.max(0, old.length - limit))) {
    await client.resource(CONTROLLERREVISIONS).delete(r.metadata!.namespace!, r.metadata!.name!).catch((e) => { if (!isNotFound(e)) throw e; });
  }
}
