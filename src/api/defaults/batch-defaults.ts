// batch/v1 defaults (batch/v1 defaults.go) and the Job strategy's generated selector:
// without manualSelector, a Job selects its pods by its own uid.
import type { KubeObject } from '../resources/resource-def.js';
import { defaultPodSpec } from './pod-defaults.js';

export function defaultJobSpec(spec: any): void {
  if (spec.completions === undefined && spec.parallelism === undefined) { spec.completions = 1; spec.parallelism = 1; }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  if (!spec.podFailurePolicy) spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  else spec.podReplacementPolicy ??= 'Failed';
  defaultPodSpec(spec.template?.spec);
}

export function defaultJob(obj: KubeObject): void {
  defaultJobSpec(obj.spec ??= {});
}

/** Labels the pods of a Job with its uid and name; the selector matches them. */
export function generateJobSelector(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  if (spec.manualSelector) return;
  const uid = obj.metadata?.uid;
  const name = obj.metadata?.name;
  const tplMeta = ((spec.template ??= {}).metadata ??= {});
  tplMeta.labels = { ...(tplMeta.labels ?? {}), 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  if (!spec.selector) spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

export function defaultCronJob(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobSpec = spec.jobTemplate?.spec;
  if (jobSpec) {
    // CronJob's job template gets the pod defaults only; Job fields default when a Job is made.
    defaultPodSpec(jobSpec.template?.spec);
  }
}
