// Turns a change of the desired table into one `nft -f` transaction. The table's state is
// kept per Service port (the PortRender objects of render.ts): a sync looks only at ports
// whose render object changed, so a one-Service change costs one Service's worth of work
// at any cluster size. A full sync (full-plan.ts) starts from nothing and writes everything. Elements may
// be shared between ports (a ClusterIP's several ports, an endpoint behind two Services),
// so they are reference-counted. Chains no Service needs are flushed here and deleted by a
// later transaction, as upstream does (before Linux 6.2 a chain just unlinked from a map
// element still counts as in use).
import type { ElementSet, PortRender } from './render.js';
import { planFull } from './full-plan.js';
import { BATCH, SETS, T, TableState, type Existing, type NftPlan } from './table-state.js';

export { TableState, type Existing, type NftPlan } from './table-state.js';

/**
 * `state` is what earlier syncs wrote (undefined: write everything after `setup`);
 * `existing` is what the kernel holds that this process did not write (listed on full syncs).
 */
export function planSync(state: TableState | undefined, ports: Map<string, PortRender>, existing: Existing, setup: string[]): NftPlan {
  if (state === undefined) return planFull(ports, existing, setup);
  const st = state;
  const L: string[] = [];

  // the ports whose render changed, as (before, after) pairs
  const pairs: [PortRender | undefined, PortRender | undefined][] = [];
  for (const [k, pr] of ports) {
    const before = st.ports.get(k);
    if (before !== pr) pairs.push([before, pr]);
  }
  for (const [k, before] of st.ports) if (!ports.has(k)) pairs.push([before, undefined]);

  // chains and affinity sets belong to one port each
  const chainsAfter = new Map<string, string[] | undefined>();
  const affinityAfter = new Map<string, number | undefined>();
  for (const [before] of pairs) {
    for (const [c] of before?.chains ?? []) chainsAfter.set(c, undefined);
    for (const [a] of before?.affinity ?? []) affinityAfter.set(a, undefined);
  }
  for (const [, after] of pairs) {
    for (const [c, rules] of after?.chains ?? []) chainsAfter.set(c, rules);
    for (const [a, t] of after?.affinity ?? []) affinityAfter.set(a, t);
  }
  const inKernel = (c: string): boolean => st.chains.has(c) || existing.chains.has(c);

  // affinity sets: kernel sets nobody wants go; a changed timeout means delete and add again
  const hadSet = (a: string): number | undefined => st.affinity.get(a) ?? existing.affinity.get(a);
  const setKnown = (a: string): boolean => st.affinity.has(a) || existing.affinity.has(a);
  const setLines: string[] = [];
  const remade = new Set<string>();
  let deletedSets = 0;
  for (const [a, t] of affinityAfter) {
    const known = setKnown(a);
    const had = hadSet(a);
    if (known && (t === undefined || (had !== undefined && had !== t))) {
      setLines.push(`delete set ${T} ${a}`);
      deletedSets++;
      if (t !== undefined) remade.add(a);
    }
    if (t !== undefined && (!known || remade.has(a))) setLines.push(`add set ${T} ${a} { type ipv4_addr ; flags dynamic,timeout ; timeout ${t}s ; }`);
  }

  // endpoints-N chains are shared: written when a changed port first needs one, left in place
  // when the last user goes (harmless; the next full sync deletes it)
  const picks = new Map<string, string[]>();
  for (const [, after] of pairs) for (const [c, rules] of after?.picks ?? []) if (!st.chains.has(c)) picks.set(c, rules);

  const changed: string[] = [];
  const stale: string[] = [];
  for (const [c, rules] of chainsAfter) {
    if (rules === undefined) {
      if (st.chains.has(c)) stale.push(c);
      continue;
    }
    const before = st.chains.get(c);
    const same = before !== undefined && (before === rules || (before.length === rules.length && before.every((r, i) => r === rules[i])));
    if (!same || (remade.size > 0 && rules.some((r) => [...remade].some((s) => r.includes(`@${s} `))))) changed.push(c);
  }

  // flush first (rules referencing a set must go before the set), then sets, then rules
  for (const c of changed) if (inKernel(c)) L.push(`flush chain ${T} ${c}`);
  for (const c of stale) L.push(`flush chain ${T} ${c}`);
  for (const l of setLines) L.push(l);
  for (const c of changed) {
    if (!inKernel(c)) L.push(`add chain ${T} ${c}`);
    for (const r of chainsAfter.get(c)!) L.push(`add rule ${T} ${c} ${r}`);
  }
  // (one in `existing` awaits deletion, already flushed)
  for (const [c, rules] of picks) {
    if (!inKernel(c)) L.push(`add chain ${T} ${c}`);
    for (const r of rules) L.push(`add rule ${T} ${c} ${r}`);
  }

  // elements: reference deltas over the changed ports, then what that does to each key
  const delta = new Map<ElementSet, Map<string, { refs: number; rest?: string }>>(SETS.map((s) => [s, new Map()]));
  for (const [before, after] of pairs) {
    for (const [set, key] of before?.elements ?? []) {
      const d = delta.get(set)!;
      const e = d.get(key) ?? { refs: 0 };
      e.refs--;
      d.set(key, e);
    }
    for (const [set, key, rest] of after?.elements ?? []) {
      const d = delta.get(set)!;
      const e = d.get(key) ?? { refs: 0 };
      e.refs++;
      e.rest = rest;
      d.set(key, e);
    }
  }
  for (const set of SETS) {
    const cur = st.elements.get(set)!;
    const del: string[] = [];
    const add: string[] = [];
    for (const [key, d] of delta.get(set)!) {
      const was = cur.get(key);
      const refs = (was?.refs ?? 0) + d.refs;
      const rest = d.rest ?? was?.rest ?? '';
      if (was && (refs <= 0 || rest !== was.rest)) del.push(key);
      if (refs > 0 && (!was || rest !== was.rest)) add.push(`${key}${rest}`);
    }
    for (let i = 0; i < del.length; i += BATCH) L.push(`delete element ${T} ${set} { ${del.slice(i, i + BATCH).join(', ')} }`);
    for (let i = 0; i < add.length; i += BATCH) L.push(`add element ${T} ${set} { ${add.slice(i, i + BATCH).join(', ')} }`);
  }

  return {
    text: L.length ? `${L.join('\n')}\n` : '', written: changed.length + picks.size, stale, deletedSets, state: st,
    commit: () => {
      for (const [c, rules] of picks) st.chains.set(c, rules);
      for (const [c, rules] of chainsAfter) {
        if (rules === undefined) st.chains.delete(c);
        else st.chains.set(c, rules);
      }
      for (const [a, t] of affinityAfter) {
        if (t === undefined) st.affinity.delete(a);
        else st.affinity.set(a, t);
      }
      for (const set of SETS) {
        const cur = st.elements.get(set)!;
        for (const [key, d] of delta.get(set)!) {
          const was = cur.get(key);
          const refs = (was?.refs ?? 0) + d.refs;
          if (refs <= 0) cur.delete(key);
          else cur.set(key, { refs, rest: d.rest ?? was?.rest ?? '' });
        }
      }
      st.ports = ports;
    },
  };
}
