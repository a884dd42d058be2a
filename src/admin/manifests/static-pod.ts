// A control-plane static pod as kubeadm writes one (kube-system, hostNetwork, tier and
// component labels, system-node-critical), whose container runs a real tskube command
// through the kubelet's host-process runtime. The image is only a label there.
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface StaticPodSpec {
  component: string;
  command: string[];
  /** Extra environment for the process (the data-dir marker lets `tskube up` find strays). */
  env?: Record<string, string>;
  version: string;
}

export function staticPod(s: StaticPodSpec): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.component,
      namespace: 'kube-system',
      labels: { component: s.component, tier: 'control-plane' },
    },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      priority: 2000001000,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: s.component,
        image: `tskube/${s.component}:${s.version}`,
        imagePullPolicy: 'IfNotPresent',
        command: s.command,
        env: Object.entries(s.env ?? {}).map(([name, value]) => ({ name, value })),
        resources: { requests: { cpu: s.component === 'kube-apiserver' ? '250m' : s.component === 'etcd' ? '100m' : '200m' } },
      }],
    },
  };
}
