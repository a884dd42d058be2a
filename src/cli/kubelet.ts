// `tskube kubelet`: the kubelet's flag names, parsed here and nothing else.
import { nodeLabelsFlagError } from '../api/labels/kubelet-labels.js';
import { parseVerbosity } from './verbosity-flag.js';
import { Command } from 'commander';
import { loadKubeconfig } from '../client/kubeconfig.js';
import {
  applyConfigFile, checkImageGCThresholds, defaultKubeletConfig, type KubeletConfig, parseAuthorizationMode, parseCgroupDriver, parseDuration,
  parseEvictionThresholds, parseLabels, parseMinimumReclaim, parseSoftGracePeriods, checkSoftThresholds, parseTaints,
} from '../kubelet/config/kubelet-config.js';
import { runKubelet } from '../kubelet/run.js';

const bool = (v: string | boolean | undefined): boolean => v === true || v === undefined || v === '' || v === 'true' || v === '1';
const strictBool = (v: string | boolean, flag: string): boolean => {
  if (v === true || v === 'true' || v === '1' || v === '') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`${flag}: invalid value ${JSON.stringify(v)} (want true or false)`);
};
const int = (v: string, flag: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: invalid value ${JSON.stringify(v)} (want a non-negative integer)`);
  return n;
};

export function kubeletCommand(): Command {
  return new Command('kubelet')
    .description('the node agent: registers the node, runs its pods through a container runtime, reports their status')
    .option('--kubeconfig <file>', 'kubeconfig for the API server (absent: standalone, static pods only)')
    .option('--config <file>', 'KubeletConfiguration (kubelet.config.k8s.io/v1beta1) file; flags override it')
    .option('--hostname-override <name>', 'node name instead of the hostname')
    .option('--node-ip <ip>', 'the node\'s InternalIP (default: first non-loopback IPv4)')
    .option('--register-node [bool]', 'register the Node with the API server (default true)')
    .option('--node-labels <k=v,...>', 'labels to add when registering the node')
    .option('--register-with-taints <key=value:Effect,...>', 'taints to register the node with')
    .option('--pod-manifest-path <path>', 'directory (or file) of static pod manifests')
    .option('--container-runtime-endpoint <url>', 'runtime: host-process:// (default), hollow://, or unix:///… for CRI')
    .option('--max-pods <n>', 'pods this kubelet runs at most (110)')
    .option('--node-status-update-frequency <duration>', 'how often node status is computed (10s)')
    .option('--sync-frequency <duration>', 'max period between pod syncs (1m)')
    .option('--pod-cidr <cidr>', 'pod CIDR when the Node has none (hollow: base range cut into /24s per node)')
    .option('--root-dir <dir>', 'volumes, logs and state (/var/lib/kubelet)')
    .option('--cert-dir <dir>', 'where the self-signed serving cert is kept (ROOT/pki)')
    .option('--tls-cert-file <file>', 'serving certificate')
    .option('--tls-private-key-file <file>', 'serving key')
    .option('--client-ca-file <file>', 'CA whose client certificates authenticate callers of the HTTPS server (CN user, O groups)')
    .option('--anonymous-auth [bool]', 'serve unauthenticated requests as system:anonymous (true without --config)')
    .option('--authentication-token-webhook [bool]', 'check bearer tokens with a TokenReview through the API server')
    .option('--authentication-token-webhook-cache-ttl <duration>', 'how long TokenReview answers are kept (2m)')
    .option('--authorization-mode <mode>', 'AlwaysAllow, or Webhook (a SubjectAccessReview per request) (AlwaysAllow without --config)')
    .option('--address <ip>', 'address of the HTTPS server (0.0.0.0)')
    .option('--port <port>', 'HTTPS port for logs, /pods, /metrics (10250; 0 picks a free one)')
    .option('--read-only-port <port>', 'plain-HTTP port without authentication for /pods, /stats, /metrics, /healthz (10255 without --config; 0 = off)')
    .option('--node-log-dir <dir>', 'what /logs/ serves (/var/log; tskube addition)')
    .option('--healthz-port <port>', 'localhost /healthz port (10248; 0 picks a free one)')
    .option('--healthz-bind-address <ip>', 'address of the healthz server (127.0.0.1)')
    .option('--hollow-nodes <n>', 'host N hollow kubelets (NAME-0…NAME-N-1) on the hollow runtime, for scale tests')
    .option('--cluster-dns <ips>', 'comma-separated DNS server IPs for pods with dnsPolicy ClusterFirst')
    .option('--cluster-domain <domain>', 'cluster domain: pods search NS.svc.DOMAIN, svc.DOMAIN, DOMAIN')
    .option('--resolv-conf <file>', 'the node\'s resolver config, for dnsPolicy Default (/etc/resolv.conf)')
    .option('--cgroup-root <path>', 'parent cgroup of every pod cgroup (default /)')
    .option('--cgroups-per-qos [bool]', 'place pods under ROOT/kubepods/<qos>/pod<uid> (default true)')
    .option('--cgroup-driver <driver>', 'cgroupfs (default) or systemd: must match the runtime\'s')
    .option('--image-gc-high-threshold <percent>', 'disk usage at which image garbage collection starts (85)')
    .option('--image-gc-low-threshold <percent>', 'disk usage image garbage collection frees down to (80)')
    .option('--minimum-image-ttl-duration <duration>', 'unused images younger than this are kept (2m)')
    .option('--image-gc-period <duration>', 'how often image garbage collection checks the disk (5m; tskube addition)')
    .option('--eviction-hard <thresholds>', 'e.g. memory.available<100Mi,nodefs.available<10%,imagefs.available<15%')
    .option('--eviction-soft <thresholds>', 'thresholds acted on once crossed for their grace period, e.g. memory.available<1.5Gi')
    .option('--eviction-soft-grace-period <periods>', 'e.g. memory.available=1m30s (one per soft threshold)')
    .option('--eviction-minimum-reclaim <amounts>', 'how far past its threshold a signal must recover, e.g. memory.available=0Mi,nodefs.available=500Mi')
    .option('--eviction-max-pod-grace-period <seconds>', 'longest grace period a pod evicted for a soft threshold gets (negative: its own)')
    .option('--eviction-pressure-transition-period <duration>', 'how long a pressure condition stays after its signals clear (5m)')
    .option('--pod-infra-container-image <image>', 'the sandbox image, which image GC never removes (default: the runtime\'s)')
    .option('--pod-logs-dir <dir>', 'where container logs go (KubeletConfiguration podLogsDir; /var/log/pods, or ROOT/logs/pods with another --root-dir)')
    .option('--static-pod-runtime-endpoint <url>', 'run static pods on this runtime instead (tskube up: host-process:// beside containerd)')
    .option('-v, --v <level>', 'log verbosity', parseVerbosity, '0')
    .action(async (o) => {
      let config: KubeletConfig;
      try {
        config = defaultKubeletConfig();
        if (o.config) applyConfigFile(config, o.config);
        if (o.hostnameOverride) config.hostnameOverride = o.hostnameOverride;
        if (o.nodeIp) config.nodeIP = o.nodeIp;
        if (o.registerNode !== undefined) config.registerNode = bool(o.registerNode);
        if (o.nodeLabels) config.nodeLabels = { ...config.nodeLabels, ...parseLabels(o.nodeLabels) };
        // as upstream's kubelet: reserved kubernetes.io labels (node-role.kubernetes.io/…) are the admin's to set
        const labelError = nodeLabelsFlagError(config.nodeLabels);
        if (labelError) throw new Error(labelError);
        if (o.registerWithTaints) config.registerWithTaints = parseTaints(o.registerWithTaints);
        if (o.podManifestPath) config.staticPodPath = o.podManifestPath;
        if (o.containerRuntimeEndpoint) config.containerRuntimeEndpoint = o.containerRuntimeEndpoint;
        if (o.maxPods) config.maxPods = int(o.maxPods, '--max-pods');
        if (o.nodeStatusUpdateFrequency) {
          config.nodeStatusUpdateFrequencyMs = parseDuration(o.nodeStatusUpdateFrequency, '--node-status-update-frequency');
          config.nodeStatusReportFrequencyMs = config.nodeStatusUpdateFrequencyMs;
        }
        if (o.syncFrequency) config.syncFrequencyMs = parseDuration(o.syncFrequency, '--sync-frequency');
        if (o.podCidr) config.podCIDR = o.podCidr;
        if (o.rootDir) config.rootDir = o.rootDir;
        if (o.certDir) config.certDir = o.certDir;
        if (o.tlsCertFile) config.tlsCertFile = o.tlsCertFile;
        if (o.tlsPrivateKeyFile) config.tlsPrivateKeyFile = o.tlsPrivateKeyFile;
        if (o.clientCaFile) config.clientCAFile = o.clientCaFile;
        if (o.anonymousAuth !== undefined) config.anonymousAuth = strictBool(o.anonymousAuth, '--anonymous-auth');
        if (o.authenticationTokenWebhook !== undefined) config.authenticationTokenWebhook = strictBool(o.authenticationTokenWebhook, '--authentication-token-webhook');
        if (o.authenticationTokenWebhookCacheTtl) config.authenticationTokenWebhookCacheTTLMs = parseDuration(o.authenticationTokenWebhookCacheTtl, '--authentication-token-webhook-cache-ttl');
        if (o.authorizationMode) config.authorizationMode = parseAuthorizationMode(o.authorizationMode, '--authorization-mode');
        if (o.address) config.address = o.address;
        if (o.port !== undefined) config.port = int(o.port, '--port');
        if (o.readOnlyPort !== undefined) config.readOnlyPort = int(o.readOnlyPort, '--read-only-port');
        if (o.nodeLogDir) config.nodeLogDir = o.nodeLogDir;
        if (o.healthzPort !== undefined) config.healthzPort = int(o.healthzPort, '--healthz-port');
        if (o.healthzBindAddress) config.healthzBindAddress = o.healthzBindAddress;
        if (o.hollowNodes !== undefined) config.hollowNodes = int(o.hollowNodes, '--hollow-nodes');
        if (o.clusterDns) config.clusterDNS = String(o.clusterDns).split(',').map((x) => x.trim()).filter(Boolean);
        if (o.clusterDomain) config.clusterDomain = o.clusterDomain;
        if (o.resolvConf !== undefined) config.resolvConf = o.resolvConf;
        if (o.cgroupRoot !== undefined) config.cgroupRoot = o.cgroupRoot;
        if (o.cgroupsPerQos !== undefined) config.cgroupsPerQOS = bool(o.cgroupsPerQos);
        if (o.cgroupDriver) { config.cgroupDriver = parseCgroupDriver(o.cgroupDriver); config.cgroupDriverSet = true; }
        if (o.evictionPressureTransitionPeriod) config.evictionPressureTransitionPeriodMs = parseDuration(o.evictionPressureTransitionPeriod, '--eviction-pressure-transition-period');
        if (o.podInfraContainerImage) config.podInfraContainerImage = o.podInfraContainerImage;
        if (o.imageGcHighThreshold !== undefined) config.imageGCHighThresholdPercent = int(o.imageGcHighThreshold, '--image-gc-high-threshold');
        if (o.imageGcLowThreshold !== undefined) config.imageGCLowThresholdPercent = int(o.imageGcLowThreshold, '--image-gc-low-threshold');
        checkImageGCThresholds(config.imageGCHighThresholdPercent, config.imageGCLowThresholdPercent);
        if (o.minimumImageTtlDuration) config.imageMinimumGCAgeMs = parseDuration(o.minimumImageTtlDuration, '--minimum-image-ttl-duration');
        if (o.imageGcPeriod) config.imageGCPeriodMs = parseDuration(o.imageGcPeriod, '--image-gc-period');
        if (o.evictionHard !== undefined) config.evictionHard = parseEvictionThresholds(o.evictionHard);
        if (o.evictionSoft !== undefined) config.evictionSoft = parseEvictionThresholds(o.evictionSoft, '--eviction-soft');
        if (o.evictionSoftGracePeriod !== undefined) config.evictionSoftGracePeriodMs = parseSoftGracePeriods(o.evictionSoftGracePeriod);
        if (o.evictionMinimumReclaim !== undefined) config.evictionMinimumReclaim = parseMinimumReclaim(o.evictionMinimumReclaim);
        if (o.evictionMaxPodGracePeriod !== undefined) config.evictionMaxPodGracePeriodSeconds = Number(o.evictionMaxPodGracePeriod);
        checkSoftThresholds(config);
        if (o.podLogsDir) config.podLogsDir = o.podLogsDir;
        if (o.staticPodRuntimeEndpoint) config.staticPodRuntimeEndpoint = o.staticPodRuntimeEndpoint;
        config.verbosity = Number(o.v) || 0;
        if (o.kubeconfig) config.kubeconfig = o.kubeconfig;
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
      let running;
      try {
        const clientConfig = config.kubeconfig ? loadKubeconfig(config.kubeconfig) : undefined;
        if (!clientConfig && config.hollowNodes > 0) throw new Error('--hollow-nodes needs --kubeconfig');
        running = await runKubelet(config, clientConfig);
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        running.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
