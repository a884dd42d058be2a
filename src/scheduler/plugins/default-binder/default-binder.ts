// DefaultBinder: binds through the API server's pods/NAME/binding subresource.
import type { BindPlugin, Handle } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SUCCESS, asError, type Status } from '../../framework/status.js';

export const Name = 'DefaultBinder';

export function New(_args: unknown, h: Handle) {
  return {
    name: Name,
    async bind(_s: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
      try {
        await h.client.bind(pod.pod, nodeName);
        return SUCCESS;
      } catch (err) {
        return asError(err);
      }
    },
  } satisfies BindPlugin;
}
