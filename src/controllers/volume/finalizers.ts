// Adding and removing one finalizer with a merge patch guarded by resourceVersion, so a
// concurrent writer's change is never overwritten (a conflict is retried by the queue).
import type { KubeObject } from '../../api/resources/resource-def.js';
import { isNotFound, type ResourceClient } from '../../client/index.js';

export const hasFinalizer = (o: KubeObject, f: string): boolean => (o.metadata?.finalizers ?? []).includes(f);

export async function setFinalizer<T extends KubeObject>(client: ResourceClient<T>, o: KubeObject, f: string, present: boolean): Promise<void> {
  const cur: string[] = o.metadata?.finalizers ?? [];
  if (cur.includes(f) === present) return;
  const finalizers = present ? [...cur, f] : cur.filter((x) => x !== f);
  try {
    await client.patch(o.metadata!.namespace ?? '', o.metadata!.name!, 'merge', { metadata: { finalizers, resourceVersion: o.metadata!.resourceVersion } });
  } catch (err) { if (!isNotFound(err)) throw err; }
}
