// The garbage collector's view of the cluster: every object by uid (from one informer per
// discovered resource) and, for every uid, the objects that name it in ownerReferences.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import type { ResourceType } from '../../client/index.js';

export interface Node { type: ResourceType; obj: KubeObject }

export const ownerRefs = (o: KubeObject): OwnerReference[] => (o.metadata?.ownerReferences as OwnerReference[] | undefined) ?? [];

export class DependencyGraph {
  private readonly byUID = new Map<string, Node>();
  private readonly dependents = new Map<string, Set<string>>();

  get(uid: string): Node | undefined { return this.byUID.get(uid); }

  set(type: ResourceType, obj: KubeObject): Node | undefined {
    const uid = obj.metadata!.uid!;
    const old = this.byUID.get(uid);
    if (old) this.unlink(old.obj);
    this.byUID.set(uid, { type, obj });
    for (const r of ownerRefs(obj)) {
      let s = this.dependents.get(r.uid);
      if (!s) this.dependents.set(r.uid, (s = new Set()));
      s.add(uid);
    }
    return old;
  }

  delete(obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    const cur = uid && this.byUID.get(uid);
    if (!cur) return;
    this.unlink(cur.obj);
    this.byUID.delete(uid);
  }

  dependentsOf(uid: string): Node[] {
    return [...(this.dependents.get(uid) ?? [])].map((u) => this.byUID.get(u)).filter((n): n is Node => !!n);
  }

  private unlink(obj: KubeObject): void {
    const uid = obj.metadata!.uid!;
    for (const r of ownerRefs(obj)) {
      const s = this.dependents.get(r.uid);
      s?.delete(uid);
      if (s && !s.size) this.dependents.delete(r.uid);
    }
  }
}
