// The namespace controller: a namespace being deleted is emptied — every namespaced
// resource found by discovery is deleted — and, once nothing is left, its `kubernetes`
// finalizer is removed through /finalize so the API server can delete it.
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/status/index.js';
import { NAMESPACES, isConflict, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { discoverResources } from '../util/discovery.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';

export const NAME = 'namespace';
const FINALIZER = 'kubernetes';

export class NamespaceController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly namespaces: SharedInformer<Namespace>;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.forResource(NAMESPACES);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'namespace'), (k) => this.sync(k));
    const enqueue = (n: Namespace) => { if (n.metadata?.deletionTimestamp) this.loop.add(objectKey(n)); };
    this.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_, n) => enqueue(n) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.namespaces]);
  }

  private async sync(name: string): Promise<SyncResult> {
    const ns = this.namespaces.lister.get(name);
    if (!ns?.metadata?.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(FINALIZER)) return;
    const resources = (await discoverResources(this.ctx.client)).filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
    const remaining: Record<string, number> = {};
    const failures: string[] = [];
    for (const r of resources) {
      const ref = { group: r.group, version: r.version, resource: r.resource, namespace: name };
      try {
        if (r.verbs.includes('deletecollection')) await this.ctx.client.deleteCollection(ref, {}, { propagationPolicy: 'Background' });
        else {
          const items = (await this.ctx.client.list(ref)).items;
          for (const o of items) await this.ctx.client.delete({ ...ref, name: o.metadata!.name }, { propagationPolicy: 'Background' }).catch((e) => { if (!isNotFound(e)) throw e; });
        }
        const left = (await this.ctx.client.list(ref)).items.length;
        if (left) remaining[r.group ? `${r.resource}.${r.group}` : r.resource] = left;
      } catch (err) {
        if (err instanceof ApiError && (err.code === 404 || err.code === 405)) continue;
        failures.push(`${r.resource}: ${(err as Error).message}`);
      }
    }
    if (failures.length || Object.keys(remaining).length) {
      await this.setConditions(ns, remaining, failures);
      if (failures.length) throw new Error(`namespace ${name}: ${failures.join('; ')}`);
      return { requeueAfterMs: 1000 };
    }
    const finalized = { ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER) } };
    try {
      await this.ctx.client.update({ group: '', version: 'v1', resource: 'namespaces', name, subresource: 'finalize' }, finalized);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** NamespaceContentRemaining / NamespaceDeletionContentFailure, as upstream reports them. */
  private async setConditions(ns: Namespace, remaining: Record<string, number>, failures: string[]): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const list = Object.entries(remaining).sort();
    const conds: NamespaceCondition[] = [
      list.length
        ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${list.map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`, lastTransitionTime: now }
        : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed', lastTransitionTime: now },
      failures.length
        ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`, lastTransitionTime: now }
        : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization', lastTransitionTime: now },
    ];
    const old = ns.status?.conditions ?? [];
    const same = conds.every((c) => old.some((o) => o.type === c.type && o.status === c.status && o.message === c.message));
    if (same) return;
    try {
      // An update, as upstream: system:controller:namespace-controller may update, not patch, namespaces/status.
      await this.ctx.client.resource(NAMESPACES).updateStatus('', { ...ns, status: { ...ns.status, conditions: conds } });
    } catch (err) {
      // A newer namespace (conflict) is synced again, and its conditions written then.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

export const newNamespaceController = (ctx: ControllerContext): Controller => new NamespaceController(ctx);
