// kube-controller-manager's flags, already parsed into numbers and milliseconds.
export interface ManagerOptions {
  controllers: string[];
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  podEvictionTimeoutMs: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
  clusterCIDR?: string;
  allocateNodeCIDRs: boolean;
  nodeCIDRMaskSize: number;
  serviceClusterIPRange?: string;
  rootCAFile?: string;
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  terminatedPodGCThreshold: number;
  /** --concurrent-<name>-syncs, keyed by the short name (deployment, replicaset, …). */
  concurrency: Record<string, number>;
  verbosity: number;
}

export const DEFAULT_CONCURRENCY: Record<string, number> = {
  deployment: 5, replicaset: 5, rc: 5, 'service-endpoint': 5, 'service-endpointslice': 5, namespace: 10,
  'gc': 20, serviceaccount: 5, job: 5, cronjob: 5, 'ttl-after-finished': 5, daemonset: 2, statefulset: 5,
  'resource-quota': 5, 'node-lifecycle': 1, 'horizontal-pod-autoscaler': 5, 'ephemeralvolume': 5,
};

export function defaultOptions(): ManagerOptions {
  return {
    controllers: ['*'], nodeMonitorPeriodMs: 5_000, nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000,
    nodeEvictionRate: 0.1, secondaryNodeEvictionRate: 0.01, largeClusterSizeThreshold: 50, unhealthyZoneThreshold: 0.55,
    allocateNodeCIDRs: false, nodeCIDRMaskSize: 24, terminatedPodGCThreshold: 12500, concurrency: { ...DEFAULT_CONCURRENCY }, verbosity: 0,
  };
}

export const concurrency = (o: ManagerOptions, name: string): number => o.concurrency[name] ?? DEFAULT_CONCURRENCY[name] ?? 5;
