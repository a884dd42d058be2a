// Why a pod went where it did (or nowhere): the last decision per pod, kept in a small LRU
// so it can stay on, and rendered as JSON for /debug/explain?pod=NS/NAME.
import type { Decision } from './schedule-one.js';

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

interface Entry { profile: string; time: number; decision: Decision; result: Explanation['result']; message?: string; nodeNames: string[] }

export class ExplainStore {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly capacity = 256) {}

  record(key: string, profile: string, decision: Decision, result: Explanation['result'], nodeNames: string[], message?: string): void {
    this.entries.delete(key);
    this.entries.set(key, { profile, time: Date.now(), decision, result, message, nodeNames });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(key: string): void { this.entries.delete(key); }

  explain(key: string): Explanation | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const d = e.decision;
    const feasible = new Set((d.totals ?? []).map((t) => t.name));
    if (d.node && !d.totals) feasible.add(d.node);
    const filter: Explanation['filter'] = e.nodeNames.map((node) => {
      const st = d.statuses.get(node);
      if (st) return { node, verdict: 'rejected', plugin: st.plugin || undefined, code: codeText(st.code), reasons: st.reasons };
      return { node, verdict: feasible.has(node) ? 'feasible' : 'not evaluated' };
    });
    const scores: Explanation['scores'] = (d.totals ?? []).map((t, i) => ({
      node: t.name, total: t.score,
      plugins: Object.fromEntries((d.perPlugin ?? []).map((p) => [p.plugin, { score: p.scores[i] ?? 0, weight: p.weight }])),
    })).sort((a, b) => b.total - a.total);
    return {
      pod: key, profile: e.profile, time: new Date(e.time).toISOString(), result: e.result, node: d.node, message: e.message,
      numNodes: d.numNodes, feasibleNodes: d.feasible, filter, scores,
    };
  }
}

const codeText = (c: number): string => ['Success', 'Error', 'Unschedulable', 'UnschedulableAndUnresolvable', 'Wait', 'Skip'][c] ?? String(c);
