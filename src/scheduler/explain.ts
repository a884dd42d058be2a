// Why a pod went where it did (or nowhere). Each decision is boiled down at once to a
// compact summary — rejected nodes grouped by plugin and reasons, and the scored nodes'
// per-plugin scores in typed arrays — so the cycle's state can be freed and an LRU of the
// last decisions costs little even at 5,000 nodes. Rendered as JSON for
// /debug/explain?pod=NS/NAME, and as a short note appended to FailedScheduling events.
import type { Decision } from './schedule-one.js';
import { Code, codeName, type Status } from './framework/status.js';

export interface Explanation {
  pod: string;
  profile: string;
  time: string;
  result: 'Scheduled' | 'Unschedulable' | 'Error';
  node?: string;
  message?: string;
  numNodes: number;
  feasibleNodes: number;
  /** Each node's verdict: feasible, rejected by a plugin (with reasons), or not evaluated. */
  filter: Array<{ node: string; verdict: 'feasible' | 'rejected' | 'not evaluated'; plugin?: string; code?: string; reasons?: string[] }>;
  /** Feasible nodes, best first: total and each plugin's normalized score and weight. */
  scores: Array<{ node: string; total: number; plugins: Record<string, { score: number; weight: number }> }>;
}

/** Nodes that one plugin rejected for the same reasons. */
export interface RejectGroup { plugin: string; code: Code; reasons: string[]; nodes: string[] }

/** What is kept of one decision. */
export interface DecisionSummary {
  profile: string;
  time: number;
  result: Explanation['result'];
  node?: string;
  message?: string;
  numNodes: number;
  feasible: number;
  /** Largest group first. */
  rejected: RejectGroup[];
  /** The decision's own arrays, kept as they are (no copy): scored nodes, totals, per-plugin scores. */
  scored?: { nodes: Array<{ name: string }>; totals: Float64Array; plugins: Array<{ plugin: string; weight: number; scores: Float32Array }> };
}

/** Groups a decision's per-node statuses and packs its scores. */
export function summarize(d: Decision, profile: string, result: Explanation['result'], message?: string): DecisionSummary {
  // plugin -> reasons -> group. Plugins often share one Status object across nodes: look it
  // up by identity first; reason strings are mostly interned, so the maps hash them once.
  const byPlugin = new Map<string, Map<string, RejectGroup>>();
  const byStatus = new Map<Status, RejectGroup>();
  const groups: RejectGroup[] = [];
  for (const [node, st] of d.statuses) {
    let g = byStatus.get(st);
    if (!g) {
      let inner = byPlugin.get(st.plugin);
      if (!inner) byPlugin.set(st.plugin, inner = new Map());
      const r = st.reasons.length === 1 ? st.reasons[0] : st.reasons.join('\u0000');
      const k = st.code === Code.Unschedulable ? r : `${r}\u0000${st.code}`;
      g = inner.get(k);
      if (!g) { inner.set(k, g = { plugin: st.plugin, code: st.code, reasons: st.reasons, nodes: [] }); groups.push(g); }
      byStatus.set(st, g);
    }
    g.nodes.push(node);
  }
  const s: DecisionSummary = {
    profile, time: Date.now(), result, node: d.node, message, numNodes: d.numNodes, feasible: d.feasible,
    rejected: groups.sort((a, b) => b.nodes.length - a.nodes.length),
  };
  if (d.scored && d.totals) s.scored = { nodes: d.scored, totals: d.totals, plugins: d.perPlugin ?? [] };
  return s;
}

export class ExplainStore {
  private readonly entries = new Map<string, DecisionSummary>();

  /** `nodeNames` lists the nodes now known, for the ones a decision did not evaluate. */
  constructor(private readonly nodeNames: () => string[] = () => [], readonly capacity = 256) {}

  record(key: string, s: DecisionSummary): void {
    this.entries.delete(key);
    this.entries.set(key, s);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(key: string): void { this.entries.delete(key); }

  forgetAll(): void { this.entries.clear(); }

  get size(): number { return this.entries.size; }

  get(key: string): DecisionSummary | undefined { return this.entries.get(key); }

  explain(key: string): Explanation | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const verdict = new Map<string, Explanation['filter'][number]>();
    for (const g of e.rejected) {
      for (const node of g.nodes) verdict.set(node, { node, verdict: 'rejected', plugin: g.plugin || undefined, code: codeName(g.code), reasons: g.reasons });
    }
    for (const { name: node } of e.scored?.nodes ?? []) verdict.set(node, { node, verdict: 'feasible' });
    if (e.node && !verdict.has(e.node)) verdict.set(e.node, { node: e.node, verdict: 'feasible' });
    const filter: Explanation['filter'] = [];
    for (const node of this.nodeNames()) {
      filter.push(verdict.get(node) ?? { node, verdict: 'not evaluated' });
      verdict.delete(node);
    }
    filter.push(...verdict.values()); // nodes deleted since the decision
    const sc = e.scored;
    const scores: Explanation['scores'] = sc ? sc.nodes.map(({ name: node }, i) => ({
      node, total: sc.totals[i],
      plugins: Object.fromEntries(sc.plugins.map((p) => [p.plugin, { score: p.scores[i], weight: p.weight }])),
    })).sort((a, b) => b.total - a.total) : [];
    return {
      pod: key, profile: e.profile, time: new Date(e.time).toISOString(), result: e.result, node: e.node, message: e.message,
      numNodes: e.numNodes, feasibleNodes: e.feasible, filter, scores,
    };
  }
}

/**
 * A compact per-node explanation for a FailedScheduling event, within `budget` bytes:
 * "Explain: NodeResourcesFit rejected 3 node(s) (node-1, node-2, node-3): Insufficient cpu;
 * TaintToleration rejected 1 node(s) (gpu-1): node(s) had untolerated taint {dedicated: gpu}".
 */
export function explainNote(s: DecisionSummary, budget: number): string {
  if (s.rejected.length === 0 || budget <= 0) return '';
  const head = 'Explain:';
  const part = (g: RejectGroup, names: number) => {
    const shown = g.nodes.slice(0, names).join(', ');
    const more = g.nodes.length > names ? `${names ? ', ' : ''}…` : '';
    const who = g.plugin || 'PreFilter';
    return ` ${who} rejected ${g.nodes.length} node(s) (${shown}${more}): ${g.reasons.join(', ')}`;
  };
  // Fewer node names, then fewer groups, until it fits.
  for (const names of [3, 1, 0]) {
    let out = head;
    let groups = 0;
    for (const g of s.rejected) {
      const p = (groups ? ';' : '') + part(g, names);
      const rest = s.rejected.length - groups - 1;
      const tail = rest > 0 ? `; +${rest} more group(s)` : '';
      if (Buffer.byteLength(out + p + tail) > budget) break;
      out += p;
      groups++;
    }
    if (groups === s.rejected.length || (groups > 0 && names === 0)) {
      const rest = s.rejected.length - groups;
      return rest > 0 ? `${out}; +${rest} more group(s)` : out;
    }
  }
  return '';
}
