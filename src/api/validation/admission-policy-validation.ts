// ValidatingAdmissionPolicy and its binding: the checks upstream makes at create/update —
// every CEL expression must compile, validations must exist, actions and failure policies
// must be known — with upstream's field paths.
import { compileError } from '../cel/cel-environment.js';
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, invalid, notSupported, required } from '../status/index.js';

const cel = (errs: FieldError[], path: string, expr: unknown, want?: 'bool' | 'string') => {
  if (typeof expr !== 'string' || !expr.trim()) { errs.push(required(path, '')); return; }
  const e = compileError(expr, want);
  if (e) errs.push(invalid(path, expr, `compilation failed: ${e}`));
};

export function validateAdmissionPolicy(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (spec.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(spec.failurePolicy)) errs.push(notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']));
  if (!spec.matchConstraints?.resourceRules?.length) errs.push(required('spec.matchConstraints.resourceRules', ''));
  if (!spec.validations?.length && !spec.auditAnnotations?.length) errs.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  (spec.validations ?? []).forEach((v: any, i: number) => {
    cel(errs, `spec.validations[${i}].expression`, v?.expression, 'bool');
    if (v?.messageExpression !== undefined) cel(errs, `spec.validations[${i}].messageExpression`, v.messageExpression, 'string');
  });
  (spec.matchConditions ?? []).forEach((m: any, i: number) => cel(errs, `spec.matchConditions[${i}].expression`, m?.expression, 'bool'));
  (spec.variables ?? []).forEach((v: any, i: number) => cel(errs, `spec.variables[${i}].expression`, v?.expression));
  (spec.auditAnnotations ?? []).forEach((v: any, i: number) => cel(errs, `spec.auditAnnotations[${i}].valueExpression`, v?.valueExpression));
  return errs;
}

export function validateAdmissionPolicyBinding(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!spec.policyName) errs.push(required('spec.policyName', ''));
  const actions: unknown[] = spec.validationActions ?? [];
  if (!actions.length) errs.push(required('spec.validationActions', ''));
  actions.forEach((a, i) => { if (!['Deny', 'Warn', 'Audit'].includes(String(a))) errs.push(notSupported(`spec.validationActions[${i}]`, a, ['Audit', 'Deny', 'Warn'])); });
  if (actions.includes('Deny') && actions.includes('Warn')) errs.push(invalid('spec.validationActions', actions, 'Deny and Warn may not be used together'));
  const pnf = spec.paramRef?.parameterNotFoundAction;
  if (pnf !== undefined && !['Allow', 'Deny'].includes(pnf)) errs.push(notSupported('spec.paramRef.parameterNotFoundAction', pnf, ['Allow', 'Deny']));
  if (spec.paramRef && !!spec.paramRef.name === !!spec.paramRef.selector) errs.push(invalid('spec.paramRef', spec.paramRef, 'one of name or selector must be set'));
  return errs;
}
