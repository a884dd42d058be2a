// Aggregated ClusterRoles: a role with an aggregationRule gets, as its rules, the union of
// the rules of every ClusterRole its selectors match (the clusterrole-aggregation loop).
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { clusterroles } from '../../../api/resources/rbac-v1.js';
import { specMatchesLabels } from '../../../api/selectors/index.js';
import type { Registry } from '../../registry/registry.js';
import type { ObjectCache } from './object-cache.js';

export function aggregatedRules(role: KubeObject, all: KubeObject[]): unknown[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  const sources = all
    .filter((c) => c.metadata?.name !== role.metadata?.name && selectors.some((s: any) => specMatchesLabels(s, c.metadata?.labels ?? {})))
    .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const src of sources) for (const rule of src.rules ?? []) {
    const k = JSON.stringify(rule);
    if (!seen.has(k)) { seen.add(k); out.push(rule); }
  }
  return out;
}

/** Keeps aggregated roles filled while the cache changes; returns a stop function. */
export function runAggregation(cache: ObjectCache, registry: Registry, log: (msg: string) => void): { sync(): Promise<void>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const sync = async () => {
    // Repeat until stable: an aggregated role may itself feed another (view → edit → admin).
    for (let round = 0; round < 5; round++) {
      let changed = false;
      const all = cache.values();
      for (const role of all) {
        if (!role.aggregationRule) continue;
        const rules = aggregatedRules(role, all);
        if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) continue;
        // No resourceVersion in the proposal: a concurrent writer makes update() re-read and retry, not fail.
        const { obj } = await registry.update(clusterroles, '', role.metadata!.name,
          (cur) => ({ ...cur, metadata: { ...cur.metadata, resourceVersion: undefined }, rules: aggregatedRules(cur, cache.values()) }), { fieldManager: 'clusterrole-aggregation-controller' });
        const k = [...cache.objects.entries()].find(([, v]) => v.metadata?.name === role.metadata?.name)?.[0];
        if (k) cache.objects.set(k, obj);
        changed = true;
      }
      if (!changed) return;
    }
  };
  // One sync at a time: the start-up sync and change-triggered ones queue behind each other.
  const queued = () => (running = running.then(sync, sync));
  cache.onChange(() => {
    clearTimeout(timer);
    timer = setTimeout(() => { queued().catch((err) => log(`aggregation: ${(err as Error).message}`)); }, 50);
  });
  return { sync: queued, stop: () => clearTimeout(timer) };
}
