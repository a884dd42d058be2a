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
  /** --cluster-signing-duration: lifetime of certificates csrsigning issues. */
  clusterSigningDurationMs: number;
  /** --cluster-name: the cluster's name (prefix of cloud resources upstream; reported here). */
  clusterName: string;
  /** --service-account-private-key-file: signs the legacy service account token Secrets. */
  serviceAccountPrivateKeyFile?: string;
  /** --resource-quota-sync-period: full recalculation of every quota. */
  resourceQuotaSyncPeriodMs: number;
  /** --horizontal-pod-autoscaler-sync-period and its tuning flags. */
  hpaSyncPeriodMs: number;
  hpaTolerance: number;
  hpaDownscaleStabilizationMs: number;
  hpaCPUInitializationPeriodMs: number;
  hpaInitialReadinessDelayMs: number;
  /** --legacy-service-account-token-clean-up-period: unused legacy tokens older than this are labelled, then deleted. */
  legacyTokenCleanUpPeriodMs: number;
  /** --concurrent-<name>-syncs, keyed by the short name (deployment, replicaset, …). */
  concurrency: Record<string, number>;
  verbosity: number;
}

export const DEFAULT_CONCURRENCY: Record<string, number> = {
  deployment: 5, replicaset: 5, rc: 5, endpoint: 5, 'service-endpoint': 5, namespace: 10,
  'gc': 20, serviceaccount: 5, 'serviceaccount-token': 5, job: 5, 'cron-job': 5, 'ttl-after-finished': 5, daemonset: 2, statefulset: 5,
  'resource-quota': 5, 'node-lifecycle': 1, 'horizontal-pod-autoscaler': 5, ephemeralvolume: 5, 'mirroring-service-endpoint': 5,
};

export function defaultOptions(): ManagerOptions {
  return {
    controllers: ['*'], nodeMonitorPeriodMs: 5_000, nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000,
    nodeEvictionRate: 0.1, secondaryNodeEvictionRate: 0.01, largeClusterSizeThreshold: 50, unhealthyZoneThreshold: 0.55,
    allocateNodeCIDRs: false, nodeCIDRMaskSize: 24, terminatedPodGCThreshold: 12500,
    clusterSigningDurationMs: 8760 * 3_600_000, clusterName: 'kubernetes', resourceQuotaSyncPeriodMs: 300_000,
    hpaSyncPeriodMs: 15_000, hpaTolerance: 0.1, hpaDownscaleStabilizationMs: 300_000, hpaCPUInitializationPeriodMs: 300_000, hpaInitialReadinessDelayMs: 30_000,
    legacyTokenCleanUpPeriodMs: 365 * 86_400_000, concurrency: { ...DEFAULT_CONCURRENCY }, verbosity: 0,
  };
}

export const concurrency = (o: ManagerOptions, name: string): number => o.concurrency[name] ?? DEFAULT_CONCURRENCY[name] ?? 5;
