// spec.podFailurePolicy: the first rule matching a failed pod decides — FailJob fails the
// Job at once, Ignore leaves the pod out of the backoff count, Count counts it.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

export type Verdict = { action: 'FailJob'; message: string } | { action: 'Ignore' | 'Count' | 'FailIndex' };

export function evaluate(job: Job, pod: Pod): Verdict {
  const rules = job.spec?.podFailurePolicy?.rules ?? [];
  const ns = pod.metadata!.namespace; const name = pod.metadata!.name;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.onExitCodes) {
      const req = r.onExitCodes;
      for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
        if (req.containerName && req.containerName !== cs.name) continue;
        const code = cs.state?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        const inSet = req.values.includes(code);
        if (req.operator === 'In' ? inSet : !inSet) {
          if (r.action === 'FailJob') return { action: 'FailJob', message: `Container ${cs.name} for pod ${ns}/${name} failed with exit code ${code} matching FailJob rule at index ${i}` };
          return { action: r.action as 'Ignore' | 'Count' | 'FailIndex' };
        }
      }
    }
    for (const pc of r.onPodConditions ?? []) {
      if ((pod.status?.conditions ?? []).some((c) => c.type === pc.type && c.status === (pc.status ?? 'True'))) {
        if (r.action === 'FailJob') return { action: 'FailJob', message: `Pod ${ns}/${name} has condition ${pc.type} matching FailJob rule at index ${i}` };
        return { action: r.action as 'Ignore' | 'Count' | 'FailIndex' };
      }
    }
  }
  return { action: 'Count' };
}
