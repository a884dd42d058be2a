// Deployment and ReplicaSet checks: a selector that matches the template, sane replicas.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, forbidden, invalid, notSupported, required } from '../status/index.js';
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

const immutable = (errs: FieldError[], path: string, a: unknown, b: unknown, value: unknown = a) => {
  if (JSON.stringify(a) !== JSON.stringify(b)) errs.push(invalid(path, value, 'field is immutable'));
};

export function validateStatefulSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateWorkload(obj, old);
  const pmp = obj.spec?.podManagementPolicy;
  if (pmp && !['OrderedReady', 'Parallel'].includes(pmp)) errs.push(notSupported('spec.podManagementPolicy', pmp, ['OrderedReady', 'Parallel']));
  const rp = obj.spec?.template?.spec?.restartPolicy;
  if (rp && rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (old) {
    // Only replicas, ordinals, template, updateStrategy, retention policy and minReadySeconds may change.
    const frozen = (s: any) => { const { replicas: _r, ordinals: _o, template: _t, updateStrategy: _u, persistentVolumeClaimRetentionPolicy: _p, minReadySeconds: _m, ...rest } = s ?? {}; return rest; };
    if (JSON.stringify(frozen(obj.spec)) !== JSON.stringify(frozen(old.spec))) {
      errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  return errs;
}

export function validateDaemonSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateWorkload(obj, old);
  const rp = obj.spec?.template?.spec?.restartPolicy;
  if (rp && rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  return errs;
}

/** ReplicationController: a map selector that must match the template's labels. */
export function validateReplicationController(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const sel: Record<string, string> = spec.selector ?? {};
  if (!Object.keys(sel).length) errs.push(required('spec.selector'));
  const labels = spec.template?.metadata?.labels ?? {};
  if (spec.template && Object.keys(sel).length && !Object.entries(sel).every(([k, v]) => labels[k] === v)) {
    errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (spec.replicas !== undefined && spec.replicas < 0) errs.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  if (!spec.template) errs.push(required('spec.template'));
  else errs.push(...validatePodSpec(spec.template.spec, 'spec.template.spec'));
  return errs;
}

export function validateControllerRevision(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.revision === undefined || obj.revision < 0) errs.push(invalid('revision', obj.revision ?? 0, 'must be greater than or equal to 0'));
  if (old) immutable(errs, 'data', obj.data, old.data, '');
  return errs;
}
