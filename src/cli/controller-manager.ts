// `tskube controller-manager`: kube-controller-manager's flag names, parsed here and nothing else.
import { Command } from 'commander';
import { parseVerbosity } from './verbosity-flag.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { newRegistry } from '../controllers/all-controllers.js';
import { parseDuration } from '../controllers/manager/duration.js';
import { defaultOptions } from '../controllers/manager/options.js';
import { runControllerManager } from '../controllers/manager/run.js';
import { addSecureServingFlags, secureServingFrom } from './secure-serving-flags.js';

const bool = (v: string | boolean | undefined, dflt: boolean): boolean => (v === undefined ? dflt : v === true || v === '' || v === 'true' || v === '1');
// --concurrent-NAME-syncs as upstream spells them: endpoint is the Endpoints controller,
// service-endpoint the EndpointSlice one; mirroring's is --mirroring-concurrent-service-endpoint-syncs.
const CONCURRENT = ['deployment', 'replicaset', 'rc', 'endpoint', 'service-endpoint', 'namespace', 'gc', 'serviceaccount-token', 'job', 'cron-job',
  'ttl-after-finished', 'daemonset', 'statefulset', 'resource-quota', 'horizontal-pod-autoscaler', 'ephemeralvolume'];
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function controllerManagerCommand(): Command {
  const cmd = addSecureServingFlags(new Command('controller-manager'))
    .description('run the control loops that move the cluster towards what its objects ask for')
    .option('--kubeconfig <file>', 'kubeconfig with the API server and credentials')
    .option('--master <url>', 'API server address (overrides the kubeconfig)')
    .option('--controllers <list>', "controllers to enable: '*' all on-by-default, 'foo' one, '-foo' not foo", '*')
    .option('--leader-elect [bool]', 'take the kube-controller-manager Lease before running (default true)')
    .option('--leader-elect-lease-duration <duration>', 'how long a lease holds without renewal', '15s')
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader retries renewing', '10s')
    .option('--leader-elect-retry-period <duration>', 'pause between attempts', '2s')
    .option('--leader-elect-resource-name <name>', 'Lease name', 'kube-controller-manager')
    .option('--leader-elect-resource-namespace <ns>', 'Lease namespace', 'kube-system')
    .option('--node-monitor-period <duration>', 'how often node status is checked', '5s')
    .option('--node-monitor-grace-period <duration>', 'how long a silent node stays Ready', '40s')
    .option('--pod-eviction-timeout <duration>', 'deprecated: taint-based eviction with tolerationSeconds replaced it', '5m0s')
    .option('--node-eviction-rate <rate>', 'nodes per second tainted for eviction per healthy zone', '0.1')
    .option('--secondary-node-eviction-rate <rate>', 'nodes per second for unhealthy zones', '0.01')
    .option('--large-cluster-size-threshold <n>', 'zones smaller than this are not rate-limited in partial disruption', '50')
    .option('--unhealthy-zone-threshold <fraction>', 'fraction of not-ready nodes that makes a zone unhealthy', '0.55')
    .option('--cluster-cidr <cidr>', 'CIDR range for pods')
    .option('--allocate-node-cidrs [bool]', 'give each node a podCIDR from --cluster-cidr')
    .option('--node-cidr-mask-size <n>', 'prefix length of each node CIDR', '24')
    .option('--service-cluster-ip-range <cidr>', 'CIDR range of Services (excluded from pod CIDRs)')
    .option('--root-ca-file <file>', 'CA bundle published as kube-root-ca.crt in every namespace')
    .option('--cluster-signing-cert-file <file>', 'CA certificate that signs approved CSRs')
    .option('--cluster-signing-key-file <file>', 'CA key that signs approved CSRs')
    .option('--cluster-signing-duration <duration>', 'lifetime of signed certificates', '8760h0m0s')
    .option('--cluster-name <name>', 'the instance prefix for the cluster', 'kubernetes')
    .option('--service-account-private-key-file <file>', 'PEM private key that signs legacy service account token Secrets')
    .option('--resource-quota-sync-period <duration>', 'period of the full quota usage recalculation', '5m0s')
    .option('--horizontal-pod-autoscaler-sync-period <duration>', 'period of each HorizontalPodAutoscaler check', '15s')
    .option('--horizontal-pod-autoscaler-tolerance <fraction>', 'minimum change in the metric ratio that makes the autoscaler act', '0.1')
    .option('--horizontal-pod-autoscaler-downscale-stabilization <duration>', 'window whose highest recommendation a scale-down keeps', '5m0s')
    .option('--horizontal-pod-autoscaler-cpu-initialization-period <duration>', 'after a pod starts, CPU samples may be skipped for this long', '5m0s')
    .option('--horizontal-pod-autoscaler-initial-readiness-delay <duration>', 'after a pod starts, readiness changes count as initial for this long', '30s')
    .option('--legacy-service-account-token-clean-up-period <duration>', 'unused legacy service account tokens older than this are cleaned up', '8760h0m0s')
    .option('--mirroring-concurrent-service-endpoint-syncs <n>', 'workers for the endpointslice-mirroring controller', '5')
    .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before podgc deletes the oldest', '12500')
    .option('--use-service-account-credentials [bool]', 'run each controller as its own service account kube-system/NAME (tokens from the TokenRequest API)')
    .option('--kube-api-qps <qps>', 'client QPS toward the API server', '20')
    .option('--kube-api-burst <n>', 'client burst toward the API server', '30')
    .option('--bind-address <ip>', 'address for /healthz and /metrics', '0.0.0.0')
    .option('--secure-port <port>', 'port for /healthz and /metrics (0 picks a free one, -1 disables)', '10257')
    .option('-v, --v <level>', 'log verbosity', parseVerbosity, '0');
  for (const c of CONCURRENT) cmd.option(`--concurrent-${c}-syncs <n>`, `workers for the ${c} controller`);
  return cmd.action(async (o) => {
    const options = defaultOptions();
    const registry = newRegistry();
    let clientConfig, serving;
    try {
      options.controllers = String(o.controllers).split(',').map((s) => s.trim()).filter(Boolean);
      options.nodeMonitorPeriodMs = parseDuration(o.nodeMonitorPeriod);
      options.nodeMonitorGracePeriodMs = parseDuration(o.nodeMonitorGracePeriod);
      options.podEvictionTimeoutMs = parseDuration(o.podEvictionTimeout);
      options.nodeEvictionRate = Number(o.nodeEvictionRate);
      options.secondaryNodeEvictionRate = Number(o.secondaryNodeEvictionRate);
      options.largeClusterSizeThreshold = Number(o.largeClusterSizeThreshold);
      options.unhealthyZoneThreshold = Number(o.unhealthyZoneThreshold);
      options.clusterCIDR = o.clusterCidr;
      options.allocateNodeCIDRs = bool(o.allocateNodeCidrs, false);
      options.nodeCIDRMaskSize = Number(o.nodeCidrMaskSize);
      options.serviceClusterIPRange = o.serviceClusterIpRange;
      options.rootCAFile = o.rootCaFile;
      options.clusterSigningCertFile = o.clusterSigningCertFile;
      options.clusterSigningKeyFile = o.clusterSigningKeyFile;
      options.terminatedPodGCThreshold = Number(o.terminatedPodGcThreshold);
      options.clusterSigningDurationMs = parseDuration(o.clusterSigningDuration);
      options.clusterName = o.clusterName;
      options.serviceAccountPrivateKeyFile = o.serviceAccountPrivateKeyFile;
      options.resourceQuotaSyncPeriodMs = parseDuration(o.resourceQuotaSyncPeriod);
      options.hpaSyncPeriodMs = parseDuration(o.horizontalPodAutoscalerSyncPeriod);
      options.hpaTolerance = Number(o.horizontalPodAutoscalerTolerance);
      options.hpaDownscaleStabilizationMs = parseDuration(o.horizontalPodAutoscalerDownscaleStabilization);
      options.hpaCPUInitializationPeriodMs = parseDuration(o.horizontalPodAutoscalerCpuInitializationPeriod);
      options.hpaInitialReadinessDelayMs = parseDuration(o.horizontalPodAutoscalerInitialReadinessDelay);
      options.legacyTokenCleanUpPeriodMs = parseDuration(o.legacyServiceAccountTokenCleanUpPeriod);
      options.concurrency['mirroring-service-endpoint'] = Number(o.mirroringConcurrentServiceEndpointSyncs);
      for (const [flag, v] of [['--resource-quota-sync-period', options.resourceQuotaSyncPeriodMs], ['--horizontal-pod-autoscaler-sync-period', options.hpaSyncPeriodMs]] as const) {
        if (!(v > 0)) throw new Error(`${flag} must be a positive duration`);
      }
      if (!(options.hpaTolerance >= 0)) throw new Error('--horizontal-pod-autoscaler-tolerance must be a non-negative number');
      const qps = Number(o.kubeApiQps); const burst = Number(o.kubeApiBurst);
      if (!(qps >= 0)) throw new Error('--kube-api-qps must be a non-negative number');
      if (!Number.isInteger(burst) || burst < 1) throw new Error('--kube-api-burst must be a positive integer');
      options.verbosity = Number(o.v);
      for (const c of CONCURRENT) {
        const v = o[camel(`concurrent-${c}-syncs`)];
        if (v !== undefined) {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1) throw new Error(`--concurrent-${c}-syncs must be a positive integer`);
          options.concurrency[c] = n;
        }
      }
      if (options.allocateNodeCIDRs && !options.clusterCIDR) throw new Error('--allocate-node-cidrs requires --cluster-cidr');
      for (const [flag, v] of [['--node-cidr-mask-size', options.nodeCIDRMaskSize], ['--terminated-pod-gc-threshold', options.terminatedPodGCThreshold]] as const) {
        if (!Number.isInteger(v)) throw new Error(`${flag} must be an integer`);
      }
      clientConfig = loadKubeconfig(o.kubeconfig);
      if (o.master) clientConfig.server = o.master;
      serving = secureServingFrom(o, 'kube-controller-manager');
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exit(1);
    }
    let running;
    try {
      running = await runControllerManager({
        clientConfig, options, registry, serving, bindAddress: o.bindAddress, port: Number(o.securePort), qps: Number(o.kubeApiQps), burst: Number(o.kubeApiBurst),
        useServiceAccountCredentials: bool(o.useServiceAccountCredentials, false),
        leaderElection: {
          leaderElect: bool(o.leaderElect, true), leaseDurationMs: parseDuration(o.leaderElectLeaseDuration), renewDeadlineMs: parseDuration(o.leaderElectRenewDeadline),
          retryPeriodMs: parseDuration(o.leaderElectRetryPeriod), resourceName: o.leaderElectResourceName, resourceNamespace: o.leaderElectResourceNamespace,
        },
        onLostLeadership: () => process.exit(1),
      });
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exit(1);
    }
    const stop = () => { running.stop().then(() => process.exit(0), () => process.exit(1)); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
