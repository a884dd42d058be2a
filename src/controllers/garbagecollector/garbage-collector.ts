// The garbage collector: objects whose owners (ownerReferences) are all gone are deleted;
// owners deleted with propagationPolicy Foreground keep their foregroundDeletion finalizer
// until their blocking dependents are gone; owners deleted with Orphan have their
// dependents' references removed, then their orphan finalizer. It watches every resource
// discovery lists (custom resources included) and re-discovers every 30 seconds.
import type { KubeObject } from '../../api/resources/resource-def.js';
import { SharedInformer, deletedObject, isNotFound, type ResourceType } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { type DiscoveredResource, discoverResources, gvkKey, typeKey } from '../util/discovery.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { DependencyGraph, type Node, ownerRefs } from './dependency-graph.js';

export const NAME = 'garbagecollector';
const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';
/** Upstream's GC ignores these (events are cleaned by TTL). */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata?.finalizers ?? []).includes(f);

export class GarbageCollector implements Controller {
  readonly name = NAME;
  private readonly graph = new DependencyGraph();
  private readonly deleteLoop: KeyedLoop;
  private readonly orphanLoop: KeyedLoop;
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly kinds = new Map<string, DiscoveredResource>();

  constructor(private readonly ctx: ControllerContext) {
    const n = concurrency(ctx.options, 'gc');
    this.deleteLoop = new KeyedLoop(ctx, 'garbage_collector_attempt_to_delete', n, (uid) => this.attemptToDelete(uid));
    this.orphanLoop = new KeyedLoop(ctx, 'garbage_collector_attempt_to_orphan', n, (uid) => this.attemptToOrphan(uid));
  }

  async run(signal: AbortSignal): Promise<void> {
    for (;;) {
      try { await this.syncMonitors(); break; } catch (err) {
        this.ctx.log(`garbagecollector: discovery failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 2000));
        if (signal.aborted) return;
      }
    }
    const timer = setInterval(() => { this.syncMonitors().catch((err) => this.ctx.log(`garbagecollector: discovery failed: ${(err as Error).message}`)); }, 30_000);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    const all = [...this.informers.values()];
    await Promise.all([this.deleteLoop.run(signal, all), this.orphanLoop.run(signal, all)]);
  }

  /** One informer per deletable, listable, watchable resource (shared with the other controllers). */
  private async syncMonitors(): Promise<void> {
    const resources = await discoverResources(this.ctx.client);
    for (const r of resources) {
      if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
      const key = typeKey(r);
      if (IGNORED.has(`${r.group}/${r.resource}`) || this.informers.has(key)) continue;
      this.kinds.set(gvkKey(r.group ? `${r.group}/${r.version}` : r.version, r.kind), r);
      const type: ResourceType = { group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced };
      const inf = this.ctx.informers.forResource(type);
      this.informers.set(key, inf);
      inf.addEventHandler({
        onAdd: (o) => this.observe(type, o),
        onUpdate: (_, o) => this.observe(type, o),
        onDelete: (o) => this.removed(deletedObject(o)),
      });
      inf.start();
    }
  }

  private observe(type: ResourceType, o: KubeObject): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const old = this.graph.set(type, o);
    if (o.metadata?.deletionTimestamp) {
      if (hasFinalizer(o, ORPHAN)) this.orphanLoop.add(uid);
      if (hasFinalizer(o, FOREGROUND)) this.deleteLoop.add(uid);
    }
    // A new object, or one whose references changed, may have owners that are gone.
    const refs = ownerRefs(o);
    if (refs.length && (!old || JSON.stringify(ownerRefs(old.obj)) !== JSON.stringify(refs))) this.deleteLoop.add(uid);
    else if (refs.some((r) => !this.graph.get(r.uid))) this.deleteLoop.add(uid);
  }

  private removed(o: KubeObject): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    this.graph.delete(o);
    for (const d of this.graph.dependentsOf(uid)) this.deleteLoop.add(d.obj.metadata!.uid!);
    // An owner waiting in foreground deletion may be free to go now.
    for (const r of ownerRefs(o)) if (this.graph.get(r.uid)) this.deleteLoop.add(r.uid);
  }

  private resourceFor(apiVersion: string, kind: string): DiscoveredResource | undefined {
    return this.kinds.get(gvkKey(apiVersion, kind));
  }

  private ref(n: Node, name = n.obj.metadata!.name!) {
    const t = n.type;
    return { group: t.group, version: t.version, resource: t.resource, namespace: t.namespaced ? n.obj.metadata!.namespace : undefined, name };
  }

  /** Does the owner still exist? Unknown to the cache → ask the API server (it may just be lagging). */
  private async ownerState(dep: Node, r: { apiVersion: string; kind: string; name: string; uid: string }): Promise<'solid' | 'dangling' | 'waiting'> {
    let owner = this.graph.get(r.uid)?.obj;
    if (!owner) {
      const res = this.resourceFor(r.apiVersion, r.kind);
      if (!res) return 'solid'; // unknown kind: never delete on a guess
      try {
        owner = await this.ctx.client.get({ group: res.group, version: res.version, resource: res.resource, namespace: res.namespaced ? dep.obj.metadata!.namespace : undefined, name: r.name });
      } catch (err) {
        if (isNotFound(err)) return 'dangling';
        throw err;
      }
      if (owner?.metadata?.uid !== r.uid) return 'dangling';
    }
    return owner!.metadata?.deletionTimestamp && hasFinalizer(owner!, FOREGROUND) ? 'waiting' : 'solid';
  }

  private async attemptToDelete(uid: string): Promise<SyncResult> {
    const n = this.graph.get(uid);
    if (!n) return;
    const o = n.obj;
    if (o.metadata?.deletionTimestamp) {
      if (hasFinalizer(o, FOREGROUND)) await this.processDeletingDependents(n);
      return;
    }
    const refs = ownerRefs(o);
    if (!refs.length) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(n, r)));
    const solid = refs.filter((_, i) => states[i] === 'solid');
    const dangling = refs.filter((_, i) => states[i] === 'dangling');
    const waiting = refs.filter((_, i) => states[i] === 'waiting');
    const client = this.ctx.client;
    try {
      if (solid.length) {
        if (!dangling.length && !waiting.length) return;
        // Other owners remain: only drop the references to the ones going away.
        const gone = new Set([...dangling, ...waiting].map((r) => r.uid));
        await client.patch(this.ref(n), 'merge', { metadata: { uid: o.metadata!.uid, ownerReferences: refs.filter((r) => !gone.has(r.uid)) } });
        return;
      }
      if (waiting.length && this.graph.dependentsOf(uid).length) {
        // Our owner waits for us and we have dependents: unblock it, then delete ourselves in the foreground.
        const ws = new Set(waiting.map((r) => r.uid));
        await client.patch(this.ref(n), 'merge', { metadata: { uid: o.metadata!.uid, ownerReferences: refs.map((r) => (ws.has(r.uid) ? { ...r, blockOwnerDeletion: false } : r)) } });
        await client.delete(this.ref(n), { propagationPolicy: 'Foreground', preconditions: { uid } });
        return;
      }
      const policy = hasFinalizer(o, ORPHAN) ? 'Orphan' : hasFinalizer(o, FOREGROUND) || waiting.length ? 'Foreground' : 'Background';
      this.ctx.log(`garbagecollector: deleting ${n.type.kind} ${o.metadata!.namespace ? `${o.metadata!.namespace}/` : ''}${o.metadata!.name} (owners gone), propagationPolicy=${policy}`);
      await client.delete(this.ref(n), { propagationPolicy: policy, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** An owner in foreground deletion: delete its dependents; drop the finalizer when no blocking ones remain. */
  private async processDeletingDependents(owner: Node): Promise<void> {
    const uid = owner.obj.metadata!.uid!;
    const deps = this.graph.dependentsOf(uid);
    const blocking = deps.filter((d) => ownerRefs(d.obj).some((r) => r.uid === uid && r.blockOwnerDeletion));
    for (const d of deps) if (!d.obj.metadata?.deletionTimestamp || hasFinalizer(d.obj, FOREGROUND)) this.deleteLoop.add(d.obj.metadata!.uid!);
    if (blocking.length) return;
    await this.removeFinalizer(owner, FOREGROUND);
  }

  private async attemptToOrphan(uid: string): Promise<SyncResult> {
    const n = this.graph.get(uid);
    if (!n || !hasFinalizer(n.obj, ORPHAN)) return;
    for (const d of this.graph.dependentsOf(uid)) {
      const refs = ownerRefs(d.obj);
      try {
        const rest = refs.filter((r) => r.uid !== uid);
        await this.ctx.client.patch(this.ref(d), 'merge', { metadata: { uid: d.obj.metadata!.uid, ownerReferences: rest.length ? rest : null } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.removeFinalizer(n, ORPHAN);
  }

  private async removeFinalizer(n: Node, f: string): Promise<void> {
    try {
      const cur = await this.ctx.client.get<KubeObject>(this.ref(n));
      if (cur.metadata?.uid !== n.obj.metadata!.uid || !hasFinalizer(cur, f)) return;
      const rest = (cur.metadata!.finalizers as string[]).filter((x) => x !== f);
      await this.ctx.client.patch(this.ref(n), 'merge', { metadata: { resourceVersion: cur.metadata!.resourceVersion, finalizers: rest.length ? rest : null } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

}

export const newGarbageCollector = (ctx: ControllerContext): Controller => new GarbageCollector(ctx);
