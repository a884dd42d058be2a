// One pass over what the kubelets of this process run: the node's usage from /proc and every
// running container's from its runtime — CRI runtimes in one ListContainerStats (and
// ListPodSandboxStats for pod-level and network figures) per runtime, as upstream's CRI stats
// provider; others container by container. /metrics/resource and /stats/summary render it.
import type { Kubelet } from '../kubelet.js';
import type { ContainerUsageSample, Runtime, SandboxUsageSample } from '../runtime/runtime-service.js';
import { nodeUsage, type Usage } from './proc-usage.js';

export interface ContainerSample { name: string; id: string; startedAt: number; usage: ContainerUsageSample }
export interface PodSample {
  namespace: string; name: string; uid: string; startTime: number;
  containers: ContainerSample[];
  sandbox?: SandboxUsageSample;
}
export interface UsageSnapshot { nodeName: string; node?: Usage; pods: PodSample[]; failed: boolean }

async function perRuntime<T>(runtime: Runtime, cache: Map<Runtime, Promise<Map<string, T> | undefined>>, fn?: () => Promise<Map<string, T>>): Promise<Map<string, T> | undefined> {
  if (!fn) return undefined;
  if (!cache.has(runtime)) cache.set(runtime, fn.call(runtime));
  return cache.get(runtime);
}

export async function collectUsage(kubelets: Kubelet[]): Promise<UsageSnapshot[]> {
  const out: UsageSnapshot[] = [];
  const containerLists = new Map<Runtime, Promise<Map<string, ContainerUsageSample> | undefined>>();
  const sandboxLists = new Map<Runtime, Promise<Map<string, SandboxUsageSample> | undefined>>();
  for (const k of kubelets) {
    // simulated (hollow) nodes report none: their containers use nothing and the host is not theirs
    if (k.o.runtime.traits.simulated) continue;
    const snap: UsageSnapshot = { nodeName: k.o.nodeName, pods: [], failed: false };
    try { snap.node = nodeUsage(); } catch { snap.failed = true; }
    for (const w of k.pods.workers.values()) {
      const r = w.runtime;
      if (w.done || !(r.containerStats || r.listContainerStats)) continue;
      const m = w.pod.metadata!;
      const pod: PodSample = {
        namespace: m.namespace!, name: m.name!, uid: m.uid!, containers: [],
        startTime: w.pod.status?.startTime ? Date.parse(w.pod.status.startTime) : Date.now(),
      };
      let listed: Map<string, ContainerUsageSample> | undefined;
      try { listed = await perRuntime(r, containerLists, r.listContainerStats); } catch { snap.failed = true; }
      for (const c of w.runningContainers()) {
        try {
          const u = listed ? listed.get(c.id) : await r.containerStats!(c.id);
          if (u) pod.containers.push({ ...c, usage: u });
        } catch { snap.failed = true; }
      }
      const sb = w.podSandboxId;
      if (sb && r.listPodSandboxStats) {
        // a runtime without pod sandbox stats (older CRI) leaves pod figures to the containers' sums
        try { pod.sandbox = (await perRuntime(r, sandboxLists, r.listPodSandboxStats))?.get(sb); } catch { /* not supported */ }
      }
      if (pod.containers.length) snap.pods.push(pod);
    }
    out.push(snap);
  }
  return out;
}
