// SchedulingGates: a pod with spec.schedulingGates waits outside the active queue until
// every gate has been removed.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Plugin } from '../../framework/interfaces.js';

export const Name = 'SchedulingGates';

export interface PreEnqueuePlugin extends Plugin {
  /** Undefined when the pod may enter the queue, else why not. */
  preEnqueue(pod: Pod): string | undefined;
}

export function New() {
  return {
    name: Name,
    preEnqueue(pod: Pod): string | undefined {
      const gates = pod.spec?.schedulingGates ?? [];
      return gates.length ? `waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]` : undefined;
    },
  } satisfies PreEnqueuePlugin;
}
