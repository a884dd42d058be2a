// Deployment and ReplicaSet checks: a selector that matches the template, sane replicas.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, invalid, required } from '../status/index.js';
import { validatePodSpec } from './pod-validation.js';

function selectorMatches(sel: any, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const has = e.key in labels;
    const val = labels[e.key];
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(val))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(val)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function validateWorkload(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const sel = spec.selector;
  const empty = !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
  if (empty) errs.push(required('spec.selector'));
  const labels = spec.template?.metadata?.labels ?? {};
  if (!empty && !selectorMatches(sel, labels)) {
    errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (spec.replicas !== undefined && spec.replicas < 0) errs.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  errs.push(...validatePodSpec(spec.template?.spec, 'spec.template.spec'));
  if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(sel)) {
    errs.push(invalid('spec.selector', sel, 'field is immutable'));
  }
  return errs;
}
