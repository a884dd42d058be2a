// What the runtime says is running, as upstream's /runningpods/ shows it (the runtime cache's
// pods through Pod.ToAPIPod): per ready sandbox of this node a Pod with only name, namespace
// and uid, and spec.containers of the running containers' names and images — not the desired
// pods the kubelet was given (that is /pods).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/runtime-service.js';

/** `sandboxIds`: the sandboxes the kubelet knows of, for runtimes that cannot list theirs. */
export async function runningPods(runtime: Runtime, nodeName: string, sandboxIds: string[]): Promise<Pod[]> {
  let ids = sandboxIds;
  if (runtime.listPodSandbox) {
    const all = await runtime.listPodSandbox();
    ids = all.filter((s) => s.state === 'SANDBOX_READY' && s.labels['io.kubernetes.pod.uid']
      && (s.labels['tskube.io/node'] === undefined || s.labels['tskube.io/node'] === nodeName)).map((s) => s.id);
  }
  const running = (await runtime.listContainers()).filter((c) => c.state === 'CONTAINER_RUNNING');
  // ListContainers names the image; runtimes that leave it out say it in ContainerStatus
  const image = async (c: (typeof running)[number]) => c.image || (await runtime.containerStatus(c.id).catch(() => undefined))?.image || '';
  const out: Pod[] = [];
  for (const id of new Set(ids)) {
    const st = await runtime.podSandboxStatus(id).catch(() => undefined);
    if (!st || st.state !== 'SANDBOX_READY') continue;
    out.push({
      metadata: { name: st.metadata.name, namespace: st.metadata.namespace, uid: st.metadata.uid, creationTimestamp: null as unknown as string },
      spec: { containers: await Promise.all(running.filter((c) => c.podSandboxId === id).map(async (c) => ({ name: c.metadata.name, image: await image(c), resources: {} }))) },
      status: {},
    });
  }
  return out;
}
