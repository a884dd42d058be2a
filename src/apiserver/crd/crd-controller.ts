// Keeps the served API in step with the CustomResourceDefinitions in storage, as the
// apiextensions server's naming, establishing and finalizing controllers do: accepted names
// (conflicts with other CRDs or built-in resources in the group → NamesAccepted False),
// Established, the custom resources registered in the catalogue (hence discovery and
// OpenAPI) with a watch cache each, and on deletion every custom resource removed before the
// cleanup finalizer is.
import type { Catalogue } from '../../api/resources/catalogue.js';
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import { customresourcedefinitions as crds } from '../../api/resources/apiextensions-v1.js';
import { CRD_CLEANUP_FINALIZER } from '../../api/defaults/crd-defaults.js';
import { setCustomDefinition } from '../../api/openapi/definitions.js';
import type { CacheSet } from '../cache/cache-set.js';
import type { Registry } from '../registry/registry.js';
import { nowTimestamp } from '../registry/object-meta.js';
import { customResourceDefinitions, customResourceDefs } from './custom-resource-defs.js';

interface Served { version: string; defs: ResourceDef[]; openapi: string[] }

const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastTransitionTime: nowTimestamp(), reason, message });

export class CrdController {
  private readonly served = new Map<string, Served>();
  private queue: Promise<void> = Promise.resolve();
  private stop: (() => void) | undefined;

  constructor(private readonly registry: Registry, private readonly catalogue: Catalogue, private readonly caches: CacheSet,
    private readonly log: (level: number, msg: string) => void) {}

  /** Serves the CRDs already stored, then follows changes. */
  async start(): Promise<void> {
    const cache = await this.registry.cache(crds);
    if (!cache) return;
    const snap = cache.list();
    this.stop = cache.watch(snap.revision, {
      onEvent: (ev) => this.enqueue(ev.obj, ev.type === 'DELETED'),
      onClose: () => { this.stop = undefined; setTimeout(() => { this.start().catch((e) => this.log(0, `crd controller: ${(e as Error).message}`)); }, 500); },
    });
    for (const crd of snap.items) this.enqueue(crd, false);
    await this.queue;
  }

  close(): void { this.stop?.(); }

  private enqueue(crd: KubeObject, deleted: boolean): void {
    this.queue = this.queue.then(() => this.reconcile(crd, deleted)).catch((err) => this.log(0, `crd ${crd.metadata?.name}: ${(err as Error).message}`));
  }

  private async reconcile(crd: KubeObject, deleted: boolean): Promise<void> {
    const name = crd.metadata?.name as string;
    if (deleted) { this.unserve(name); return; }
    if (crd.metadata?.deletionTimestamp) { await this.finalize(crd); return; }
    const conflict = this.nameConflict(crd);
    const names = crd.spec.names;
    const old = crd.status ?? {};
    const accepted = conflict ? (old.acceptedNames ?? { kind: '', plural: '' }) : { ...names };
    const conds = [
      conflict ? condition('NamesAccepted', 'False', conflict.reason, conflict.message) : condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'),
      conflict && !old.acceptedNames?.plural ? condition('Established', 'False', 'NotAccepted', 'not all names are accepted')
        : condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ];
    const keepTimes = conds.map((c) => {
      const prev = (old.conditions ?? []).find((p: any) => p.type === c.type);
      return prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message ? prev : c;
    });
    const changed = JSON.stringify(accepted) !== JSON.stringify(old.acceptedNames ?? {}) || JSON.stringify(keepTimes) !== JSON.stringify(old.conditions ?? []);
    if (changed) {
      await this.registry.update(crds, '', name, (cur) => {
        cur.status = { ...(cur.status ?? {}), acceptedNames: accepted, conditions: keepTimes };
        return cur;
      }, { subresource: 'status', fieldManager: 'kube-apiserver' });
      return; // the status write comes back as an event and is served then
    }
    if (accepted.plural) this.serve({ ...crd, status: { ...old, acceptedNames: accepted } });
  }

  /** A name another CRD in the group already holds, or a built-in resource of the group uses. */
  private nameConflict(crd: KubeObject): { reason: string; message: string } | undefined {
    const group = crd.spec.group;
    const names = crd.spec.names;
    const mine = crd.metadata?.name;
    const others: Array<{ plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[] }> = [];
    for (const [n, s] of this.served) if (n !== mine && s.defs[0]?.group === group) others.push({ plural: s.defs[0].plural, singular: s.defs[0].singular, kind: s.defs[0].kind, shortNames: s.defs[0].shortNames });
    for (const d of this.catalogue.all) if (d.group === group && !d.custom) others.push({ plural: d.plural, singular: d.singular, kind: d.kind, shortNames: d.shortNames });
    for (const o of others) {
      if (o.plural === names.plural || o.singular === names.plural) return { reason: 'PluralConflict', message: `"${names.plural}" is already in use` };
      if (names.singular && (o.plural === names.singular || o.singular === names.singular)) return { reason: 'SingularConflict', message: `"${names.singular}" is already in use` };
      const short = (names.shortNames ?? []).find((s: string) => (o.shortNames ?? []).includes(s) || o.plural === s);
      if (short) return { reason: 'ShortNamesConflict', message: `"${short}" is already in use` };
      if (o.kind === names.kind) return { reason: 'KindConflict', message: `"${names.kind}" is already in use` };
    }
    return undefined;
  }

  private serve(crd: KubeObject): void {
    const name = crd.metadata!.name as string;
    const rv = crd.metadata!.resourceVersion as string;
    if (this.served.get(name)?.version === rv) return;
    this.unserve(name, true);
    const defs = customResourceDefs(crd);
    const openapi: string[] = [];
    for (const [n, schema] of customResourceDefinitions(crd)) { setCustomDefinition(n, schema); openapi.push(n); }
    for (const d of defs) { this.catalogue.add(d); this.caches.for(d); }
    this.served.set(name, { version: rv, defs, openapi });
    this.log(1, `serving ${defs.map((d) => `${d.group}/${d.version}/${d.plural}`).join(', ')}`);
  }

  private unserve(name: string, keepCache = false): void {
    const s = this.served.get(name);
    if (!s) return;
    for (const d of s.defs) this.catalogue.remove(d);
    for (const n of s.openapi) setCustomDefinition(n, undefined);
    if (!keepCache && s.defs[0]) this.caches.drop(s.defs[0]);
    this.served.delete(name);
  }

  /** Deletes every custom resource of a CRD being deleted, then lets the CRD go. */
  private async finalize(crd: KubeObject): Promise<void> {
    const name = crd.metadata!.name as string;
    if (!(crd.metadata?.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
    const defs = customResourceDefs(crd);
    const def = defs[0];
    if (def) {
      const list = await this.registry.list(def, '');
      for (const o of list.items) {
        try { await this.registry.delete(def, o.metadata?.namespace ?? '', o.metadata?.name); } catch (err: any) { if (err?.reason !== 'NotFound') throw err; }
      }
      const left = await this.registry.list(def, '');
      if (left.items.length) { setTimeout(() => this.enqueue(crd, false), 1000); return; }
    }
    this.unserve(name);
    await this.registry.update(crds, '', name, (cur) => {
      cur.metadata!.finalizers = (cur.metadata!.finalizers ?? []).filter((f: string) => f !== CRD_CLEANUP_FINALIZER);
      return cur;
    }, { fieldManager: 'kube-apiserver' }).catch((err) => { if (err?.reason !== 'NotFound') throw err; });
  }
}
