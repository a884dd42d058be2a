// Adding and removing one finalizer with an update of the cached object (its
// resourceVersion guards against overwriting a concurrent change; a conflict is retried by
// the queue). Update, not patch: upstream's protection roles grant update only.
import type { KubeObject } from '../../api/resources/resource-def.js';
import { isNotFound, type ResourceClient } from '../../client/index.js';

export const hasFinalizer = (o: KubeObject, f: string): boolean => (o.metadata?.finalizers ?? []).includes(f);

export async function setFinalizer<T extends KubeObject>(client: ResourceClient<T>, o: KubeObject, f: string, present: boolean): Promise<void> {
  const cur: string[] = o.metadata?.finalizers ?? [];
  if (cur.includes(f) === present) return;
  const finalizers = present ? [...cur, f] : cur.filter((x) => x !== f);
  try {
    await client.update(o.metadata!.namespace ?? '', { ...o, metadata: { ...o.metadata, finalizers } } as unknown as T & KubeObject);
  } catch (err) { if (!isNotFound(err)) throw err; }
}
