// What the kubelet remembers about one container of a pod across restarts: the runtime
// container now standing for it, how often it restarted, its previous termination, the
// waiting reason when there is no live container, and what its probes last said.
import type { ContainerStateTerminated } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../runtime/runtime-service.js';

export interface ContainerRecord {
  name: string;
  init: boolean;
  /** A sidecar: an init container with restartPolicy Always (runs beside the app containers). */
  sidecar: boolean;
  /** The current runtime container, if one was created. */
  id?: string;
  /** Its last known runtime status. */
  status?: ContainerStatus;
  restartCount: number;
  lastTerminated?: ContainerStateTerminated;
  /** Why there is no running container (ContainerCreating, CrashLoopBackOff, …). */
  waiting?: { reason: string; message?: string };
  /** Readiness probe verdict (true when there is no readiness probe and it runs). */
  ready: boolean;
  /** Startup probe verdict (true when there is no startup probe and it runs). */
  started: boolean;
}

/** Upstream's default waiting reason: PodInitializing for every container of a pod that has init containers. */
export const newRecord = (name: string, init: boolean, podHasInit = init, sidecar = false): ContainerRecord => ({
  name, init, sidecar, restartCount: 0, ready: false, started: false, waiting: { reason: podHasInit ? 'PodInitializing' : 'ContainerCreating' },
});
