// At start: create missing default roles and bindings, and add to existing ones what the
// defaults need (rules, subjects, labels) unless their autoupdate annotation is "false".
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { clusterrolebindings, clusterroles } from '../../../api/resources/rbac-v1.js';
import type { Registry } from '../../registry/registry.js';
import { AUTOUPDATE, defaultClusterRoleBindings, defaultClusterRoles } from './bootstrap-policy.js';

const key = (x: unknown) => JSON.stringify(x);

function union<T>(have: T[] | undefined, want: T[] | undefined): T[] {
  const out = [...(have ?? [])];
  const seen = new Set(out.map(key));
  for (const w of want ?? []) if (!seen.has(key(w))) { out.push(w); seen.add(key(w)); }
  return out;
}

function mergeMeta(cur: KubeObject, want: KubeObject): void {
  const m = (cur.metadata ??= {});
  m.labels = { ...want.metadata?.labels, ...m.labels };
  m.annotations = { ...want.metadata?.annotations, ...m.annotations };
}

export async function reconcileDefaultPolicy(registry: Registry, log: (msg: string) => void): Promise<void> {
  const apply = async (def: typeof clusterroles, want: KubeObject, merge: (cur: KubeObject) => void) => {
    const name = want.metadata!.name as string;
    const { created } = await registry.update(def, '', name, (cur) => {
      if (cur.metadata?.annotations?.[AUTOUPDATE] === 'false') return cur;
      mergeMeta(cur, want);
      merge(cur);
      return cur;
    }, { createIfMissing: () => structuredClone(want), fieldManager: 'kube-apiserver' });
    if (created) log(`created ${def.kind} ${name}`);
  };
  for (const role of defaultClusterRoles()) {
    await apply(clusterroles, role, (cur) => {
      if (role.aggregationRule) {
        cur.aggregationRule = { clusterRoleSelectors: union(cur.aggregationRule?.clusterRoleSelectors, role.aggregationRule.clusterRoleSelectors) };
      } else {
        cur.rules = union(cur.rules, role.rules);
      }
    });
  }
  for (const b of defaultClusterRoleBindings()) {
    await apply(clusterrolebindings, b, (cur) => { cur.subjects = union(cur.subjects, b.subjects); });
  }
}
