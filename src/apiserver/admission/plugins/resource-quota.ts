// ResourceQuota: a write that would push a namespace past a quota's hard limits is refused
// with upstream's message; usage is charged to the quota's status with a compare-and-swap
// on its resourceVersion, so two concurrent creates cannot both take the last slot.
// - creates charge the object's usage; updates of pods, claims and Services charge the
//   difference (a resize, a claim that grows, a Service turned NodePort/LoadBalancer);
// - quotas with scopes (Terminating, NotTerminating, BestEffort, NotBestEffort,
//   PriorityClass, CrossNamespacePodAffinity) or a scopeSelector see only the pods they select;
// - a pod that quota counts cpu/memory of must name them in every container ("must specify");
// - deletes give usage back once: most objects at their first delete; a pod only when it is
//   removed, since a terminating pod keeps counting through its grace period (upstream; the
//   quota controller stops counting it once deletionTimestamp + grace has passed).
// With no quota controller running, status is computed here on first use. A charge is given
// back when the write does not happen (a later plugin refuses, AlreadyExists, a store error):
// see admission-hook.ts's rollback.
import { Catalogue, builtinResources } from '../../../api/resources/catalogue.js';
import type { KubeObject, ResourceDef } from '../../../api/resources/resource-def.js';
import { resourcequotas } from '../../../api/resources/core-v1.js';
import { Quantity } from '../../../api/quantity/index.js';
import { podCounts, podInScope } from '../../../api/quota/pod-usage.js';
import { newForbidden } from '../../../api/status/index.js';
import type { Attributes, PluginContext, PluginFactory } from '../plugin.js';
import { countName, printResources, usageDelta, usageOf } from './quota-usage.js';

export const NAME = 'ResourceQuota';
const catalogue = new Catalogue(builtinResources());
const zero = Quantity.parse(0);
const isCore = (def: ResourceDef, plural: string) => def.group === '' && def.plural === plural;
/** Kinds whose updates can change their usage (upstream's evaluators that handle UPDATE). */
const UPDATABLE = ['pods', 'services', 'persistentvolumeclaims'];
/** Quota names each container must request or limit explicitly when a quota tracks them. */
const EXPLICIT = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

const scoped = (q: KubeObject) => (q.spec?.scopes?.length ?? 0) > 0 || (q.spec?.scopeSelector?.matchExpressions?.length ?? 0) > 0;

/** Whether the quota tracks this object at all: a scoped quota only the pods in its scope. */
function selects(q: KubeObject, def: ResourceDef, obj: KubeObject | undefined): boolean {
  if (!obj) return false;
  if (!scoped(q)) return true;
  return isCore(def, 'pods') && podInScope(obj, q.spec ?? {});
}

/** The defs a quota's hard names measure (count/X.G, pods, cpu …). */
function defsFor(hard: Record<string, string>): ResourceDef[] {
  const out = new Set<ResourceDef>();
  for (const d of catalogue.all) {
    if (!d.namespaced || d.verbs?.length === 1) continue;
    const names = [countName(d), ...(d.group === '' ? [d.plural] : [])];
    if (names.some((n) => n in hard)) out.add(d);
  }
  const core = (p: string) => catalogue.lookup('', 'v1', p)!;
  const keys = Object.keys(hard);
  if (keys.some((k) => /^(requests\.|limits\.|cpu$|memory$|ephemeral-storage$)/.test(k) && !k.includes('storageclass') && k !== 'requests.storage')) out.add(core('pods'));
  if (keys.some((k) => k === 'requests.storage' || k.includes('storageclass'))) out.add(core('persistentvolumeclaims'));
  if (keys.some((k) => k.startsWith('services.'))) out.add(core('services'));
  return [...out];
}

async function recompute(ctx: PluginContext, q: KubeObject, ns: string): Promise<Record<string, string>> {
  const hard: Record<string, string> = q.spec?.hard ?? {};
  const used = new Map<string, Quantity>(Object.keys(hard).map((k) => [k, zero]));
  for (const def of defsFor(hard)) {
    for (const obj of await ctx.list(def, ns)) {
      if (!selects(q, def, obj) || (isCore(def, 'pods') && !podCounts(obj))) continue;
      for (const [k, v] of usageOf(def, obj)) if (used.has(k)) used.set(k, used.get(k)!.add(v));
    }
  }
  return Object.fromEntries([...used].map(([k, v]) => [k, v.toString()]));
}

/** Adds a signed delta to the quota's usage; refuses (when enforcing) a growth past hard. */
async function charge(ctx: PluginContext, a: Attributes, quota: KubeObject, delta: Map<string, Quantity>, enforce: boolean): Promise<void> {
  await ctx.registry.update(resourcequotas, a.namespace, quota.metadata!.name, async (cur) => {
    const hard: Record<string, string> = cur.spec?.hard ?? {};
    const before: Record<string, string> = cur.status?.hard ? { ...(cur.status.used ?? {}) } : await recompute(ctx, cur, a.namespace);
    const used = { ...before };
    const exceeded: string[] = [];
    for (const [k, d] of delta) {
      if (!(k in hard)) continue;
      let next = Quantity.parse(used[k] ?? 0).add(d);
      if (next.cmp(zero) < 0) next = zero;
      if (enforce && d.cmp(zero) > 0 && next.cmp(Quantity.parse(hard[k])) > 0) exceeded.push(k);
      used[k] = next.toString();
    }
    if (exceeded.length) {
      const pick = (m: Record<string, string>) => Object.fromEntries(exceeded.map((k) => [k, m[k] ?? '0']));
      const requested = Object.fromEntries(exceeded.map((k) => [k, delta.get(k)!.toString()]));
      throw newForbidden({ group: a.def.group, resource: a.def.plural }, a.name,
        `exceeded quota: ${cur.metadata?.name}, requested: ${printResources(requested)}, used: ${printResources(pick(before))}, limited: ${printResources(pick(hard))}`);
    }
    const next = structuredClone(cur);
    delete next.metadata!.resourceVersion;
    next.status = { hard: { ...hard }, used };
    return next;
  }, { subresource: 'status', fieldManager: 'resource-quota-admission' });
}

/** Upstream's pod Constraints: with cpu/memory quota'd, every container must state them. */
function missingExplicit(q: KubeObject, pod: KubeObject): string | undefined {
  const required = Object.keys(q.spec?.hard ?? {}).filter((k) => EXPLICIT.includes(k));
  if (!required.length) return undefined;
  const missing = new Map<string, string[]>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const has = new Set<string>();
    for (const k of Object.keys(c.resources?.requests ?? {})) if (k === 'cpu' || k === 'memory') { has.add(k); has.add(`requests.${k}`); }
    for (const k of Object.keys(c.resources?.limits ?? {})) if (k === 'cpu' || k === 'memory') has.add(`limits.${k}`);
    for (const r of required) if (!has.has(r)) missing.set(r, [...(missing.get(r) ?? []), c.name]);
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing.keys()].sort().map((r) => `${r} for: ${[...new Set(missing.get(r))].sort().join(',')}`).join('; ')}`;
}

/** What this write changes in the quota's usage (signed), or undefined for nothing. */
function deltaFor(a: Attributes, q: KubeObject): Map<string, Quantity> | undefined {
  const use = (obj: KubeObject | undefined) => (obj && selects(q, a.def, obj) ? usageOf(a.def, obj) : new Map<string, Quantity>());
  switch (a.operation) {
    case 'CREATE': return use(a.object);
    case 'UPDATE':
      if (!UPDATABLE.some((p) => isCore(a.def, p)) || a.oldObject?.metadata?.deletionTimestamp) return undefined;
      return usageDelta(use(a.object), use(a.oldObject));
    case 'DELETE': {
      const old = a.oldObject;
      if (isCore(a.def, 'pods')) {
        // a terminating pod keeps counting: it gives its usage back when it is removed
        if (a.remains) return undefined;
      } else if (old?.metadata?.deletionTimestamp) {
        return undefined; // gave its usage back at its first delete
      }
      return usageDelta(new Map(), use(old));
    }
    default: return undefined;
  }
}

export const newResourceQuota: PluginFactory = (ctx) => ({
  name: NAME,
  async validate(a) {
    if (!a.def.namespaced || !a.namespace || a.dryRun || a.operation === 'CONNECT') return;
    if (a.subresource && !(isCore(a.def, 'pods') && a.subresource === 'resize')) return;
    const quotas = await ctx.list(resourcequotas, a.namespace);
    if (!quotas.length) return;
    const plan: Array<[KubeObject, Map<string, Quantity>]> = [];
    for (const q of quotas) {
      const delta = deltaFor(a, q);
      if (!delta || ![...delta.keys()].some((k) => k in (q.spec?.hard ?? {}))) continue;
      if (isCore(a.def, 'pods') && a.operation !== 'DELETE' && a.object) {
        const why = missingExplicit(q, a.object);
        if (why) throw newForbidden({ group: '', resource: 'pods' }, a.name, `failed quota: ${q.metadata?.name}: ${why}`);
      }
      plan.push([q, delta]);
    }
    for (const [q, delta] of plan) {
      await charge(ctx, a, q, delta, a.operation !== 'DELETE');
      const undo = new Map([...delta].map(([k, v]) => [k, v.neg()]));
      a.rollback?.push(() => charge(ctx, a, q, undo, false));
    }
  },
});
