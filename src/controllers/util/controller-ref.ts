// ownerReferences with controller: true — how a controller knows which objects are its own,
// and how it adopts matching orphans and releases objects that stopped matching (upstream's
// ControllerRefManager), by patching only the ownerReferences list.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { isNotFound, type ResourceClient } from '../../client/index.js';

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata?.ownerReferences as OwnerReference[] | undefined)?.find((r) => r.controller);
}

export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata!.name, uid: owner.metadata!.uid, controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  /** Does the object's label set match the owner's selector? */
  matches(obj: T): boolean;
  client: ResourceClient<T>;
}

/**
 * Returns the objects the owner controls after adopting orphans that match and releasing
 * its own that no longer match. A deleted owner adopts nothing and keeps what it has.
 */
export async function claimObjects<T extends KubeObject>(candidates: T[], o: ClaimOptions<T>): Promise<T[]> {
  const uid = o.owner.metadata!.uid;
  const owned: T[] = [];
  const ownerDeleting = !!o.owner.metadata?.deletionTimestamp;
  for (const obj of candidates) {
    const ref = controllerRef(obj);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (o.matches(obj) || ownerDeleting) { owned.push(obj); continue; }
      await release(obj, uid, o.client);
      continue;
    }
    if (!o.matches(obj) || ownerDeleting || obj.metadata?.deletionTimestamp) continue;
    const adopted = await adopt(obj, o.owner, o.client);
    if (adopted) owned.push(adopted);
  }
  return owned;
}

async function adopt<T extends KubeObject>(obj: T, owner: KubeObject, client: ResourceClient<T>): Promise<T | undefined> {
  const refs = [...(obj.metadata?.ownerReferences ?? []), newControllerRef(owner)];
  try {
    // The uid precondition makes sure we adopt the object we looked at, not a namesake.
    return await client.patch(obj.metadata!.namespace ?? '', obj.metadata!.name!, 'merge', { metadata: { ownerReferences: refs, uid: obj.metadata!.uid } });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function release<T extends KubeObject>(obj: T, ownerUID: string, client: ResourceClient<T>): Promise<void> {
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r: OwnerReference) => r.uid !== ownerUID);
  try {
    await client.patch(obj.metadata!.namespace ?? '', obj.metadata!.name!, 'merge', { metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata!.uid } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
