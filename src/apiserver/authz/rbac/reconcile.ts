// At start: create missing default roles and bindings (cluster-wide and in kube-system /
// kube-public), and add to existing ones what the defaults need (rules, subjects, labels)
// unless their autoupdate annotation is "false" — upstream's rbac/bootstrap-roles hook.
import type { KubeObject, ResourceDef } from '../../../api/resources/resource-def.js';
import { clusterrolebindings, clusterroles, rolebindings, roles } from '../../../api/resources/rbac-v1.js';
import type { Registry } from '../../registry/registry.js';
import { AUTOUPDATE, defaultClusterRoleBindings, defaultClusterRoles } from './bootstrap-policy.js';
import { defaultRoleBindings, defaultRoles } from './namespace-policy.js';

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

function mergeRole(want: KubeObject) {
  return (cur: KubeObject) => {
    if (want.aggregationRule) {
      cur.aggregationRule = { clusterRoleSelectors: union(cur.aggregationRule?.clusterRoleSelectors, want.aggregationRule.clusterRoleSelectors) };
    } else {
      cur.rules = union(cur.rules, want.rules);
    }
  };
}

const mergeBinding = (want: KubeObject) => (cur: KubeObject) => { cur.subjects = union(cur.subjects, want.subjects); };

export async function reconcileDefaultPolicy(registry: Registry, log: (msg: string) => void): Promise<void> {
  const apply = async (def: ResourceDef, want: KubeObject, merge: (cur: KubeObject) => void) => {
    const name = want.metadata!.name as string;
    const ns = (want.metadata?.namespace as string | undefined) ?? '';
    const { created } = await registry.update(def, ns, name, (cur) => {
      if (cur.metadata?.annotations?.[AUTOUPDATE] === 'false') return cur;
      mergeMeta(cur, want);
      merge(cur);
      return cur;
    }, { createIfMissing: () => structuredClone(want), fieldManager: 'kube-apiserver' });
    if (created) log(`created ${def.kind} ${ns ? `${ns}/` : ''}${name}`);
  };
  // Concurrent writes share the store's fsyncs: a first start writes some 140 objects.
  const all = [
    ...defaultClusterRoles().map((o) => () => apply(clusterroles, o, mergeRole(o))),
    ...defaultClusterRoleBindings().map((o) => () => apply(clusterrolebindings, o, mergeBinding(o))),
    ...defaultRoles().map((o) => () => apply(roles, o, mergeRole(o))),
    ...defaultRoleBindings().map((o) => () => apply(rolebindings, o, mergeBinding(o))),
  ];
  let next = 0;
  const worker = async () => { while (next < all.length) await all[next++](); };
  await Promise.all(Array.from({ length: 16 }, worker));
}
