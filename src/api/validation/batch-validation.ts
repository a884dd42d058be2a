// batch/v1 checks: a Job's pods restart OnFailure or Never; counts are non-negative;
// a CronJob has a five-field schedule.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, invalid, notSupported, required } from '../status/index.js';
import { validatePodSpec } from './pod-validation.js';

export function validateJobSpec(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) {
    const v = spec?.[f];
    if (v !== undefined && v !== null && v < 0) errs.push(invalid(`${path}.${f}`, v, 'must be greater than or equal to 0'));
  }
  const rp = spec?.template?.spec?.restartPolicy;
  if (!rp || rp === 'Always') {
    errs.push(rp ? notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']) : required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  }
  errs.push(...validatePodSpec(spec?.template?.spec, `${path}.template.spec`));
  return errs;
}

export function validateJob(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateJobSpec(obj.spec, 'spec');
  if (!obj.spec?.selector) errs.push(required('spec.selector'));
  if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(obj.spec?.selector)) errs.push(invalid('spec.selector', obj.spec?.selector, 'field is immutable'));
  if (old && JSON.stringify(old.spec?.completions) !== JSON.stringify(obj.spec?.completions) && obj.spec?.completionMode !== 'Indexed') {
    errs.push(invalid('spec.completions', obj.spec?.completions, 'field is immutable'));
  }
  return errs;
}

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

export function validateCronJob(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const sched = String(spec.schedule ?? '').trim();
  if (!sched) errs.push(required('spec.schedule'));
  else if (!CRON_MACROS.includes(sched) && !sched.startsWith('@every ') && sched.replace(/^(CRON_)?TZ=\S+\s+/, '').split(/\s+/).length !== 5) {
    errs.push(invalid('spec.schedule', spec.schedule, `unparseable schedule: expected exactly 5 fields, found ${sched.split(/\s+/).length}: ${sched}`));
  }
  if (spec.concurrencyPolicy && !['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
    errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  }
  if (!spec.jobTemplate) errs.push(required('spec.jobTemplate'));
  else errs.push(...validateJobSpec(spec.jobTemplate.spec, 'spec.jobTemplate.spec'));
  return errs;
}
