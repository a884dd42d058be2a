// nodeSelector and node affinity terms as upstream matches them: terms are ORed, a term's
// expressions are ANDed, an empty term matches nothing; matchFields knows metadata.name.
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0], 10);
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default: return false;
  }
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const e of exprs) if (!requirementMatches(e, labels[e.key])) return false;
  for (const f of fields) {
    if (f.key !== 'metadata.name') return false;
    if (!requirementMatches(f, node.metadata?.name)) return false;
  }
  return true;
}

export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  return sel.nodeSelectorTerms.some((t) => termMatches(t, node));
}

export function nodeSelectorMapMatches(sel: Record<string, string> | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(sel ?? {})) if (labels[k] !== v) return false;
  return true;
}

/** The pod's nodeSelector and required node affinity together (what NodeAffinity's Filter enforces). */
export function podMatchesNodeSelectorAndAffinity(spec: { nodeSelector?: Record<string, string>; affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector } } } | undefined, node: Node): boolean {
  if (!nodeSelectorMapMatches(spec?.nodeSelector, node)) return false;
  const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !req || nodeSelectorMatches(req, node);
}
