// The full-sync transaction (first sync, periodic resync, after a failure): the whole table
// from the rendered ports, in one pass. Written for size: at 10,000 Services it is ~120,000
// lines (19 MB), so each chain becomes one string (no line array, no per-line template
// strings), the element state is built as it is written (no delta maps), and nothing is
// compared — a full sync writes everything anyway.
import { ELEMENT_SETS, type PortRender } from './render.js';
import { BATCH, SETS, T, TableState, type Existing, type NftPlan } from './table-state.js';

export function planFull(ports: Map<string, PortRender>, existing: Existing, setup: string[]): NftPlan {
  const st = new TableState();
  st.ports = ports;
  for (const pr of ports.values()) {
    for (const [c, rules] of pr.chains) st.chains.set(c, rules);
    for (const [c, rules] of pr.picks) st.chains.set(c, rules);
    for (const [a, t] of pr.affinity) st.affinity.set(a, t);
    for (const [set, key, rest] of pr.elements) {
      const cur = st.elements.get(set)!;
      const was = cur.get(key);
      if (was) { was.refs++; was.rest = rest; } else cur.set(key, { rest, refs: 1 });
    }
  }

  // flush first (rules referencing a set must go before the set), then sets, then rules
  const out: string[] = [setup.join('\n')];
  for (const set of SETS) out.push(`flush ${ELEMENT_SETS[set].split(' ')[0]} ${T} ${set}`);
  const stale: string[] = [];
  for (const c of existing.chains) {
    out.push(`flush chain ${T} ${c}`);
    if (!st.chains.has(c)) stale.push(c);
  }

  // affinity sets: kernel sets nobody wants go; a changed timeout means delete and add again
  let deletedSets = 0;
  for (const [a, had] of existing.affinity) {
    const t = st.affinity.get(a);
    if (t === undefined || (had !== undefined && had !== t)) {
      out.push(`delete set ${T} ${a}`);
      deletedSets++;
    }
  }
  for (const [a, t] of st.affinity) {
    const had = existing.affinity.get(a);
    if (!existing.affinity.has(a) || (had !== undefined && had !== t)) {
      out.push(`add set ${T} ${a} { type ipv4_addr ; flags dynamic,timeout ; timeout ${t}s ; }`);
    }
  }

  for (const [c, rules] of st.chains) {
    const head = existing.chains.has(c) ? '' : `add chain ${T} ${c}\n`;
    const prefix = `add rule ${T} ${c} `;
    out.push(rules.length ? `${head}${prefix}${rules.join(`\n${prefix}`)}` : head.slice(0, -1));
  }

  for (const set of SETS) {
    const keys: string[] = [];
    for (const [key, e] of st.elements.get(set)!) {
      keys.push(e.rest ? key + e.rest : key);
      if (keys.length === BATCH) { out.push(`add element ${T} ${set} { ${keys.join(', ')} }`); keys.length = 0; }
    }
    if (keys.length) out.push(`add element ${T} ${set} { ${keys.join(', ')} }`);
  }

  return {
    text: `${out.filter(Boolean).join('\n')}\n`, written: st.chains.size, stale, deletedSets, state: st,
    // the state above is new and only this plan's: it becomes the proxier's once applied
    commit: () => undefined,
  };
}
