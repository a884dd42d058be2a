// At start: create missing default roles and bindings (cluster-wide and in kube-system /
// kube-public), and add to existing ones what the defaults need (rules, subjects, labels)
// unless their autoupdate annotation is "false" — upstream's rbac/bootstrap-roles hook.
import type { KubeObject, ResourceDef } from '../../../api/resources/resource-def.js';
import { clusterrolebindings, clusterroles, rolebindings, roles } from '../../../api/resources/rbac-v1.js';
import type { Registry } from '../../registry/registry.js';
import { AUTOUPDATE, defaultClusterRoleBindings, defaultClusterRoles } from './bootstrap-policy.js';
import { defaultRoleBindings, defaultRoles } from './namespace-policy.js';

const key = (x: unknown) => JSON.stringify(x);
/** Writes in flight at once while reconciling. */
const RECONCILE_CONCURRENCY = 48;

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

export async function reconcileDefaultPolicy(registry: Registry, log: (msg: string) => void, namespacesReady: Promise<void> = Promise.resolve()): Promise<void> {
  // One list per kind says which defaults exist: a missing one is created straight away (one
  // store write), an existing one goes through the update below (a no-op when it has all the
  // defaults need). A first start so skips ~140 reads that would each find nothing.
  const kinds = [clusterroles, clusterrolebindings, roles, rolebindings];
  const existing = new Set<string>();
  const lists = await Promise.all(kinds.map((def) => registry.list(def, '')));
  lists.forEach((l, i) => { for (const o of l.items) existing.add(`${kinds[i].plural}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`); });
  const apply = async (def: ResourceDef, want: KubeObject, merge: (cur: KubeObject) => void) => {
    const name = want.metadata!.name as string;
    const ns = (want.metadata?.namespace as string | undefined) ?? '';
    if (!existing.has(`${def.plural}/${ns}/${name}`)) {
      try {
        await registry.create(def, ns, structuredClone(want), { fieldManager: 'kube-apiserver', bodyOwned: true });
        log(`created ${def.kind} ${ns ? `${ns}/` : ''}${name}`);
        return;
      } catch (err) {
        if ((err as { reason?: string }).reason !== 'AlreadyExists') throw err;
      }
    }
    const { created } = await registry.update(def, ns, name, (cur) => {
      if (cur.metadata?.annotations?.[AUTOUPDATE] === 'false') return cur;
      mergeMeta(cur, want);
      merge(cur);
      return cur;
    }, { createIfMissing: () => structuredClone(want), fieldManager: 'kube-apiserver' });
    if (created) log(`created ${def.kind} ${ns ? `${ns}/` : ''}${name}`);
  };
  // Concurrent writes share the store's fsyncs: a first start writes some 140 objects, and
  // each waits on the store far longer than on this process's CPU (bench/README.md, up-bench).
  // Roles in kube-system and kube-public wait for their namespaces (NamespaceLifecycle).
  const inNamespace = (f: () => Promise<void>) => async () => { await namespacesReady; await f(); };
  const all = [
    ...defaultClusterRoles().map((o) => () => apply(clusterroles, o, mergeRole(o))),
    ...defaultClusterRoleBindings().map((o) => () => apply(clusterrolebindings, o, mergeBinding(o))),
    ...defaultRoles().map((o) => inNamespace(() => apply(roles, o, mergeRole(o)))),
    ...defaultRoleBindings().map((o) => inNamespace(() => apply(rolebindings, o, mergeBinding(o)))),
  ];
  let next = 0;
  const worker = async () => { while (next < all.length) await all[next++](); };
  await Promise.all([namespacesReady, ...Array.from({ length: RECONCILE_CONCURRENCY }, worker)]);
}
