// Volume binding's view of PVs and claims: the informer's objects, overlaid with the
// versions this scheduler has decided on but the API server has not echoed back yet
// (a PV promised to a claim, a claim given a selected node) — so two pods scheduled in a
// row never pick the same PV. An informer object newer than the assumed one replaces it.
import type { KubeObject } from '../../../api/resources/resource-def.js';

const rv = (o: KubeObject | undefined) => Number(o?.metadata?.resourceVersion ?? 0);

export class AssumeCache<T extends KubeObject> {
  private readonly assumed = new Map<string, T>();

  constructor(private readonly fromInformer: (key: string) => T | undefined) {}

  get(key: string): T | undefined {
    const api = this.fromInformer(key);
    const a = this.assumed.get(key);
    if (!a) return api;
    if (api && rv(api) > rv(a)) { this.assumed.delete(key); return api; }
    return a;
  }

  /** The informer's object alone (what PreBind waits on). */
  getAPI(key: string): T | undefined { return this.fromInformer(key); }

  /** Overlays a changed copy of the object the cache holds now (same resourceVersion). */
  assume(key: string, obj: T): void {
    const cur = this.get(key);
    if (!cur) throw new Error(`${key} not found`);
    if (rv(obj) !== rv(cur)) throw new Error(`${key}: resourceVersion ${obj.metadata?.resourceVersion} does not match the cached ${cur.metadata?.resourceVersion}`);
    this.assumed.set(key, obj);
  }

  restore(key: string): void { this.assumed.delete(key); }

  /** `objs` with assumed versions in place of the informer's. */
  overlay(objs: T[], keyOf: (o: T) => string): T[] {
    if (this.assumed.size === 0) return objs;
    return objs.map((o) => this.get(keyOf(o)) ?? o);
  }
}
