// A pod (anti-)affinity term with its selectors parsed once: which pods it selects
// (label selector within a set of namespaces or a namespace selector) and the topology key.
import type { PodAffinityTerm, Pod } from 'kubernetes-types/core/v1.js';
import { LabelSelector, labelSelectorFromSpec } from '../../api/selectors/index.js';

export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

export class AffinityTerm {
  readonly namespaces: Set<string>;
  readonly nsSelector: LabelSelector | null;
  readonly selector: LabelSelector;

  constructor(readonly term: PodAffinityTerm, ownerNamespace: string, readonly weight = 0) {
    this.selector = labelSelectorFromSpec(term.labelSelector);
    this.nsSelector = term.namespaceSelector ? labelSelectorFromSpec(term.namespaceSelector) : null;
    // No namespaces and no namespace selector means "the owner's namespace".
    this.namespaces = new Set(term.namespaces?.length || term.namespaceSelector ? term.namespaces ?? [] : [ownerNamespace]);
  }

  get topologyKey(): string { return this.term.topologyKey; }

  matches(pod: Pod, nsLabels: NamespaceLabels): boolean {
    const ns = pod.metadata?.namespace ?? 'default';
    if (!this.namespaces.has(ns) && !(this.nsSelector?.matches(nsLabels(ns)) ?? false)) return false;
    return this.selector.matches(pod.metadata?.labels);
  }
}

/** Parses terms; a term with an invalid selector is dropped (the API server validated them). */
export function parseTerms(terms: PodAffinityTerm[] | undefined, ns: string): AffinityTerm[] {
  const out: AffinityTerm[] = [];
  for (const t of terms ?? []) {
    try { out.push(new AffinityTerm(t, ns)); } catch { /* skip invalid */ }
  }
  return out;
}

export function parseWeightedTerms(terms: Array<{ weight: number; podAffinityTerm: PodAffinityTerm }> | undefined, ns: string): AffinityTerm[] {
  const out: AffinityTerm[] = [];
  for (const t of terms ?? []) {
    try { out.push(new AffinityTerm(t.podAffinityTerm, ns, t.weight)); } catch { /* skip invalid */ }
  }
  return out;
}
