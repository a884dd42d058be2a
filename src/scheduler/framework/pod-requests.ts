// What a pod asks of a node, computed as upstream's resource helpers do: the sum of its
// containers, raised to the largest init container (restartable "sidecar" init containers
// keep running and so add to everything after them), plus the pod overhead.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { Resource } from './resource.js';

/** Requests the scoring plugins assume for a container that sets none (upstream's nonzero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.fromList(c.resources?.requests as Record<string, string> | undefined);
  if (nonZero) {
    const req = c.resources?.requests ?? {};
    if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/** The pod's effective request; with nonZero, unset cpu/memory count as the defaults above. */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const total = new Resource();
  for (const c of pod.spec?.containers ?? []) total.add(containerRequests(c, nonZero));
  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      total.add(r);
      sidecars.add(r);
      initMax.setMax(sidecars);
    } else {
      const during = r.clone();
      during.add(sidecars);
      initMax.setMax(during);
    }
  }
  total.setMax(initMax);
  if (pod.spec?.overhead) total.add(Resource.fromList(pod.spec.overhead as Record<string, string>));
  return total;
}
