// The PodSandboxConfig the kubelet sends for a pod: identity, hostname, log directory,
// labels and annotations, and — for runtimes that run real containers — the CRI extras
// (DNS by dnsPolicy, port mappings for hostPort, the pod's cgroup parent, sysctls and
// security context). Simulated and host-process runtimes get the plain config.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podLogDir } from '../kubelet-paths.js';
import { type PodConfigOptions, sandboxExtras } from '../runtime/cri/pod-cri-config.js';
import type { PodSandboxConfig, RuntimeTraits } from '../runtime/runtime-service.js';

/** Marks which node's kubelet made a sandbox, so kubelets sharing one runtime leave each other's alone. */
export const NODE_LABEL = 'tskube.io/node';

export interface SandboxConfigContext {
  nodeName: string;
  traits: RuntimeTraits;
  podLogsDir: string;
  podCIDR: string;
  podConfig: PodConfigOptions;
}

/** Containers of this runtime are real and isolated: they get DNS, cgroups, /etc/hosts, … */
export const isolated = (t: RuntimeTraits): boolean => !t.simulated && !t.hostNetworkOnly;

export function sandboxConfig(pod: Pod, ctx: SandboxConfigContext, attempt = 0): PodSandboxConfig {
  const m = pod.metadata!;
  const ns = m.namespace ?? 'default';
  const base: PodSandboxConfig = {
    metadata: { name: m.name!, uid: m.uid!, namespace: ns, attempt },
    hostname: (pod.spec?.hostname ?? m.name ?? '').slice(0, 63),
    logDirectory: podLogDir(ctx.podLogsDir, ns, m.name!, m.uid!),
    labels: { ...(m.labels ?? {}), 'io.kubernetes.pod.name': m.name!, 'io.kubernetes.pod.namespace': ns, 'io.kubernetes.pod.uid': m.uid!, [NODE_LABEL]: ctx.nodeName },
    annotations: m.annotations ?? {},
    hostNetwork: !!pod.spec?.hostNetwork || ctx.traits.hostNetworkOnly,
    podCIDR: ctx.podCIDR || undefined,
  };
  return isolated(ctx.traits) ? { ...base, ...sandboxExtras(pod, ctx.podConfig) } : base;
}
