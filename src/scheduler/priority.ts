// A pod's priority from its PriorityClass (what upstream's Priority admission plugin
// writes into spec.priority; tskube's API server does not run that plugin, so the
// scheduler resolves classes itself): the named class, else the global default class.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';

export function withResolvedPriority(pod: Pod, classes: (name: string) => PriorityClass | undefined, all: () => PriorityClass[]): Pod {
  const name = pod.spec?.priorityClassName;
  const pc = name ? classes(name) : all().find((c) => c.globalDefault);
  if (!pc) return pod;
  if (pod.spec?.priority === pc.value && (!pc.preemptionPolicy || pod.spec?.preemptionPolicy === pc.preemptionPolicy)) return pod;
  return { ...pod, spec: { ...pod.spec!, priority: pc.value, preemptionPolicy: pc.preemptionPolicy ?? pod.spec?.preemptionPolicy } };
}
