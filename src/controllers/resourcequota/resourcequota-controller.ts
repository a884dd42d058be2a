// The resource quota controller: keeps every ResourceQuota's status.used true to what its
// namespace holds — on quota creation or spec change, whenever an object it counts comes,
// changes or goes (a pod finishing gives its share back), and in a full pass every
// --resource-quota-sync-period. Admission charges new objects against status.used; this
// loop is what gives usage back and corrects drift.
import type { ConfigMap, PersistentVolumeClaim, Pod, ReplicationController, ResourceQuota, Secret, Service } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../api/quantity/index.js';
import {
  CONFIGMAPS, PERSISTENTVOLUMECLAIMS, PODS, REPLICATIONCONTROLLERS, SECRETS, SERVICES, deletedObject, isConflict, isNotFound, objectKey, type SharedInformer,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { discoverResources, type DiscoveredResource } from '../util/discovery.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { RESOURCEQUOTAS } from '../util/resource-types.js';
import { statusEqual } from '../util/status-equal.js';
import { addUsage, claimUsage, serviceUsage } from '../../api/quota/object-usage.js';
import { podCounts, podInScope, podUsage } from '../../api/quota/pod-usage.js';

export const NAME = 'resourcequota';

/** count/RESOURCE[.GROUP] → resource and group. */
export function parseCountName(name: string): { resource: string; group: string } | undefined {
  const m = /^count\/([a-z0-9-]+)(?:\.(.+))?$/.exec(name);
  return m ? { resource: m[1], group: m[2] ?? '' } : undefined;
}

/** Object counts the informers below already give. */
const INFORMED = new Set(['pods', 'services', 'persistentvolumeclaims', 'secrets', 'configmaps', 'replicationcontrollers', 'resourcequotas']);

export class ResourceQuotaController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly quotas: SharedInformer<ResourceQuota>;
  private readonly pods: SharedInformer<Pod>;
  private readonly services: SharedInformer<Service>;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly secrets: SharedInformer<Secret>;
  private readonly configmaps: SharedInformer<ConfigMap>;
  private readonly rcs: SharedInformer<ReplicationController>;
  private discovered?: Promise<DiscoveredResource[]>;

  constructor(private readonly ctx: ControllerContext) {
    const f = ctx.informers;
    this.quotas = f.forResource(RESOURCEQUOTAS);
    this.pods = f.forResource(PODS);
    this.services = f.forResource(SERVICES);
    this.claims = f.forResource(PERSISTENTVOLUMECLAIMS);
    this.secrets = f.forResource(SECRETS);
    this.configmaps = f.forResource(CONFIGMAPS);
    this.rcs = f.forResource(REPLICATIONCONTROLLERS);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'resource-quota'), (k) => this.sync(k));
    this.quotas.addEventHandler({
      onAdd: (q) => this.loop.add(objectKey(q)),
      onUpdate: (o, q) => { if (JSON.stringify(o.spec) !== JSON.stringify(q.spec) || !statusEqual(q.status?.hard, q.spec?.hard)) this.loop.add(objectKey(q)); },
      onDelete: (q) => this.namespaceChanged(deletedObject(q)),
    });
    const changed = (o: { metadata?: { namespace?: string } }) => this.namespaceChanged(o);
    for (const inf of [this.services, this.claims, this.secrets, this.configmaps, this.rcs] as SharedInformer<any>[]) {
      inf.addEventHandler({ onAdd: changed, onUpdate: (_, o) => changed(o), onDelete: (o) => changed(deletedObject(o)) });
    }
    // Pods: only what changes the charge (coming, going, finishing, resizing) matters.
    this.pods.addEventHandler({
      onAdd: changed, onDelete: (p) => changed(deletedObject(p)),
      onUpdate: (o, p) => { if (podCounts(o) !== podCounts(p) || JSON.stringify(o.spec?.containers?.map((c) => c.resources)) !== JSON.stringify(p.spec?.containers?.map((c) => c.resources))) changed(p); },
    });
  }

  private namespaceChanged(o: { metadata?: { namespace?: string } }): void {
    const ns = o.metadata?.namespace;
    if (ns) for (const q of this.quotas.lister.namespace(ns).list()) this.loop.add(objectKey(q));
  }

  async run(signal: AbortSignal): Promise<void> {
    const period = this.ctx.options.resourceQuotaSyncPeriodMs;
    const timer = setInterval(() => { this.discovered = undefined; for (const q of this.quotas.lister.list()) this.loop.add(objectKey(q)); }, period);
    try {
      await this.loop.run(signal, [this.quotas, this.pods, this.services, this.claims, this.secrets, this.configmaps, this.rcs]);
    } finally {
      clearInterval(timer);
    }
  }

  /** Objects of a count/… resource no informer here watches, listed live. */
  private async countLive(ns: string, resource: string, group: string): Promise<number> {
    this.discovered ??= discoverResources(this.ctx.client).catch((err) => { this.discovered = undefined; throw err; });
    const r = (await this.discovered).find((d) => d.resource === resource && d.group === group && d.namespaced);
    if (!r) return 0;
    const list = await this.ctx.client.list({ group: r.group, version: r.version, resource: r.resource, namespace: ns });
    return list.items.length;
  }

  private async sync(key: string): Promise<SyncResult> {
    const quota = this.quotas.lister.get(key);
    if (!quota) return;
    const ns = quota.metadata!.namespace!;
    const hard = quota.spec?.hard ?? {};
    const scoped = (quota.spec?.scopes?.length ?? 0) > 0 || (quota.spec?.scopeSelector?.matchExpressions?.length ?? 0) > 0;
    const total = new Map<string, Quantity>();
    for (const p of this.pods.lister.namespace(ns).list()) if (podCounts(p) && podInScope(p, quota.spec ?? {})) addUsage(total, podUsage(p));
    // Scopes select pods only: a scoped quota tracks nothing else (as upstream).
    if (!scoped) {
      for (const s of this.services.lister.namespace(ns).list()) addUsage(total, serviceUsage(s));
      for (const c of this.claims.lister.namespace(ns).list()) addUsage(total, claimUsage(c));
      const count = (names: string[], n: number) => { for (const k of names) total.set(k, Quantity.fromValue(n)); };
      count(['secrets', 'count/secrets'], this.secrets.lister.namespace(ns).list().length);
      count(['configmaps', 'count/configmaps'], this.configmaps.lister.namespace(ns).list().length);
      count(['replicationcontrollers', 'count/replicationcontrollers'], this.rcs.lister.namespace(ns).list().length);
      count(['resourcequotas', 'count/resourcequotas'], this.quotas.lister.namespace(ns).list().length);
      for (const name of Object.keys(hard)) {
        const c = parseCountName(name);
        if (c && !(c.group === '' && INFORMED.has(c.resource))) total.set(name, Quantity.fromValue(await this.countLive(ns, c.resource, c.group)));
      }
    }
    const used: Record<string, string> = {};
    for (const name of Object.keys(hard)) used[name] = (total.get(name) ?? Quantity.fromValue(0)).toString();
    const status = { hard: { ...hard }, used };
    if (statusEqual(quota.status, status) && Object.keys(quota.status?.used ?? {}).length === Object.keys(used).length) return;
    try {
      await this.ctx.client.resource(RESOURCEQUOTAS).updateStatus(ns, { ...quota, status });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new Error(`resourcequota ${key} changed meanwhile; retrying`);
      throw err;
    }
  }
}

export const newResourceQuotaController = (ctx: ControllerContext): Controller => new ResourceQuotaController(ctx);
