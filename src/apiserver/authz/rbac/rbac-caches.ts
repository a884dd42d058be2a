// The four RBAC kinds, each a live ObjectCache, indexed the way the authorizer reads them.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { ObjectCache } from './object-cache.js';

export class RbacCaches {
  readonly roles: ObjectCache;
  readonly clusterRoles: ObjectCache;
  readonly bindings: ObjectCache;
  readonly clusterBindings: ObjectCache;

  constructor(store: ObjectStore, private readonly etcdPrefix: string) {
    this.roles = new ObjectCache(store, `${etcdPrefix}/roles/`);
    this.clusterRoles = new ObjectCache(store, `${etcdPrefix}/clusterroles/`);
    this.bindings = new ObjectCache(store, `${etcdPrefix}/rolebindings/`);
    this.clusterBindings = new ObjectCache(store, `${etcdPrefix}/clusterrolebindings/`);
  }

  private all() { return [this.roles, this.clusterRoles, this.bindings, this.clusterBindings]; }
  async start(): Promise<void> { await Promise.all(this.all().map((c) => c.start())); }
  stop(): void { for (const c of this.all()) c.stop(); }

  role(ns: string, name: string): KubeObject | undefined { return this.roles.objects.get(`${this.etcdPrefix}/roles/${ns}/${name}`); }
  clusterRole(name: string): KubeObject | undefined { return this.clusterRoles.objects.get(`${this.etcdPrefix}/clusterroles/${name}`); }
  clusterRoleBindings(): KubeObject[] { return this.clusterBindings.values(); }
  roleBindings(ns: string): KubeObject[] {
    const prefix = `${this.etcdPrefix}/rolebindings/${ns}/`;
    const out: KubeObject[] = [];
    for (const [k, v] of this.bindings.objects) if (k.startsWith(prefix)) out.push(v);
    return out;
  }
}
