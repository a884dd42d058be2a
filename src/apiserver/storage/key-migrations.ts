// Moves objects an older tskube stored at a key upstream does not use to upstream's key, at
// start and before any cache reads them, so an existing cluster keeps its data:
// CustomResourceDefinitions moved from PREFIX/customresourcedefinitions/NAME to
// PREFIX/apiextensions.k8s.io/customresourcedefinitions/NAME. Objects go through decode and
// encode, so values encrypted at rest are re-encrypted for their new key.
import type { ObjectStore } from './object-store.js';

const MOVES: Array<[from: string, to: string]> = [
  ['customresourcedefinitions/', 'apiextensions.k8s.io/customresourcedefinitions/'],
];

/** Returns how many objects moved. Safe to run on every start and from several servers at once. */
export async function migrateStorageKeys(store: ObjectStore, etcdPrefix: string, log: (msg: string) => void): Promise<number> {
  let moved = 0;
  for (const [from, to] of MOVES) {
    const oldPrefix = `${etcdPrefix}/${from}`;
    const { items } = await store.list(oldPrefix);
    for (const item of items) {
      const name = item.key.slice(oldPrefix.length);
      const target = `${etcdPrefix}/${to}${name}`;
      // Create at the new key unless a newer server already wrote there, then drop the old key.
      await store.create(target, item.obj);
      await store.delete(item.key, item.modRevision);
      moved++;
      log(`moved ${item.key} to ${target}`);
    }
  }
  return moved;
}
