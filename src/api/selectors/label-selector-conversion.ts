/**
 * metav1.LabelSelector (matchLabels + matchExpressions, as in Deployment.spec.selector)
 * to a LabelSelector, as upstream's LabelSelectorAsSelector does it.
 */
import type { LabelSelector as V1LabelSelector } from 'kubernetes-types/meta/v1.js';
import { goQuote, newBadRequest } from '../status/index.js';
import { LabelSelector, newRequirement, type LabelOperator, type Requirement } from './label-selector.js';

const ops: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * null/undefined selects nothing; an empty selector selects everything. Throws 400
 * BadRequest for an unknown operator or invalid keys/values.
 */
export function labelSelectorFromSpec(spec: V1LabelSelector | null | undefined): LabelSelector {
  if (!spec) return LabelSelector.nothing();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(spec.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of spec.matchExpressions ?? []) {
    const op = Object.hasOwn(ops, e.operator) ? ops[e.operator] : undefined;
    if (!op) throw newBadRequest(`${goQuote(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return reqs.length ? LabelSelector.of(reqs) : LabelSelector.everything();
}

/** True when `labels` are selected by the metav1.LabelSelector `spec`. */
export function specMatchesLabels(spec: V1LabelSelector | null | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  return labelSelectorFromSpec(spec).matches(labels);
}
