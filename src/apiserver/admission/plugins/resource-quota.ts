// ResourceQuota: a create that would push a namespace past a quota's hard limits is refused
// with upstream's message; usage is charged to the quota's status with a compare-and-swap
// on its resourceVersion, so two concurrent creates cannot both take the last slot.
// With no quota controller running, status is computed here on first use, and deletes
// give their usage back (once: at the first delete of an object, not again when a graceful
// or finalized deletion completes). A charge is given back when the write does not happen
// (a later plugin refuses, AlreadyExists, a store error): see admission-hook.ts's rollback.
import { Catalogue, builtinResources } from '../../../api/resources/catalogue.js';
import type { KubeObject, ResourceDef } from '../../../api/resources/resource-def.js';
import { resourcequotas } from '../../../api/resources/core-v1.js';
import { Quantity } from '../../../api/quantity/index.js';
import { newForbidden } from '../../../api/status/index.js';
import type { Attributes, PluginContext, PluginFactory } from '../plugin.js';
import { asServer } from '../request-scope.js';
import { countName, printResources, usageOf } from './quota-usage.js';

export const NAME = 'ResourceQuota';
const catalogue = new Catalogue(builtinResources());

/** The defs a quota's hard names measure (count/X.G, pods, cpu …). */
function defsFor(hard: Record<string, string>): ResourceDef[] {
  const out = new Set<ResourceDef>();
  for (const d of catalogue.all) {
    if (!d.namespaced || d.verbs?.length === 1) continue;
    const names = [countName(d), ...(d.group === '' ? [d.plural] : [])];
    if (names.some((n) => n in hard)) out.add(d);
  }
  const pods = catalogue.lookup('', 'v1', 'pods')!;
  if (Object.keys(hard).some((k) => /^(requests\.|limits\.|cpu$|memory$|ephemeral-storage$)/.test(k) && !k.includes('storageclass') && k !== 'requests.storage')) out.add(pods);
  if ('requests.storage' in hard || Object.keys(hard).some((k) => k.includes('storageclass'))) out.add(catalogue.lookup('', 'v1', 'persistentvolumeclaims')!);
  if ('services.nodeports' in hard || 'services.loadbalancers' in hard) out.add(catalogue.lookup('', 'v1', 'services')!);
  return [...out];
}

async function recompute(ctx: PluginContext, ns: string, hard: Record<string, string>): Promise<Record<string, string>> {
  const used = new Map<string, Quantity>(Object.keys(hard).map((k) => [k, Quantity.parse(0)]));
  for (const def of defsFor(hard)) {
    for (const obj of await ctx.list(def, ns)) {
      for (const [k, v] of usageOf(def, obj)) if (used.has(k)) used.set(k, used.get(k)!.add(v));
    }
  }
  return Object.fromEntries([...used].map(([k, v]) => [k, v.toString()]));
}

async function charge(ctx: PluginContext, a: Attributes, quota: KubeObject, delta: Map<string, Quantity>, sign: 1 | -1, enforce = true): Promise<void> {
  await asServer(() => ctx.registry.update(resourcequotas, a.namespace, quota.metadata!.name, async (cur) => {
    const hard: Record<string, string> = cur.spec?.hard ?? {};
    const before: Record<string, string> = cur.status?.hard ? { ...(cur.status.used ?? {}) } : await recompute(ctx, a.namespace, hard);
    const used = { ...before };
    const exceeded: string[] = [];
    for (const [k, d] of delta) {
      if (!(k in hard)) continue;
      let next = Quantity.parse(used[k] ?? 0).add(sign > 0 ? d : d.neg());
      if (next.cmp(Quantity.parse(0)) < 0) next = Quantity.parse(0);
      if (enforce && sign > 0 && next.cmp(Quantity.parse(hard[k])) > 0) exceeded.push(k);
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
  }, { subresource: 'status', fieldManager: 'resource-quota-admission' }));
}

export const newResourceQuota: PluginFactory = (ctx) => ({
  name: NAME,
  async validate(a) {
    if (!a.def.namespaced || !a.namespace || a.subresource || a.dryRun || a.operation === 'UPDATE' || a.operation === 'CONNECT') return;
    const obj = a.operation === 'CREATE' ? a.object : a.oldObject;
    if (!obj) return;
    // an object already being deleted gave its usage back at its first delete
    if (a.operation === 'DELETE' && obj.metadata?.deletionTimestamp) return;
    const quotas = await ctx.list(resourcequotas, a.namespace);
    if (!quotas.length) return;
    const delta = usageOf(a.def, obj);
    for (const q of quotas) {
      if (![...delta.keys()].some((k) => k in (q.spec?.hard ?? {}))) continue;
      const sign = a.operation === 'CREATE' ? 1 : -1;
      await charge(ctx, a, q, delta, sign);
      a.rollback?.push(() => charge(ctx, a, q, delta, sign > 0 ? -1 : 1, false));
    }
  },
});
