// /configz: the running configuration as upstream's kubelet shows it — {"kubeletconfig": …}
// with KubeletConfiguration v1beta1's field names and Go durations, without kind and
// apiVersion (upstream 1.32 leaves them out), empty optional fields omitted.
import { formatDuration } from '../../api/protobuf/go-time.js';
import type { KubeletConfig } from '../config/kubelet-config.js';

const dur = (ms: number) => formatDuration(BigInt(Math.round(ms)) * 1_000_000n);

function prune(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length) continue;
    out[k] = v;
  }
  return out;
}

export function renderConfigz(c: KubeletConfig): object {
  const softGrace = Object.fromEntries(Object.entries(c.evictionSoftGracePeriodMs).map(([k, v]) => [k, dur(v)]));
  return {
    kubeletconfig: prune({
      enableServer: true,
      staticPodPath: c.staticPodPath,
      podLogsDir: c.podLogsDir,
      syncFrequency: dur(c.syncFrequencyMs),
      fileCheckFrequency: '20s',
      httpCheckFrequency: '20s',
      address: c.address,
      port: c.port,
      readOnlyPort: c.readOnlyPort || undefined,
      tlsCertFile: c.tlsCertFile,
      tlsPrivateKeyFile: c.tlsPrivateKeyFile,
      authentication: {
        x509: prune({ clientCAFile: c.clientCAFile }),
        webhook: { enabled: c.authenticationTokenWebhook, cacheTTL: dur(c.authenticationTokenWebhookCacheTTLMs) },
        anonymous: { enabled: c.anonymousAuth },
      },
      authorization: { mode: c.authorizationMode, webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
      enableDebuggingHandlers: true,
      healthzPort: c.healthzPort,
      healthzBindAddress: c.healthzBindAddress,
      clusterDomain: c.clusterDomain,
      clusterDNS: c.clusterDNS,
      nodeStatusUpdateFrequency: dur(c.nodeStatusUpdateFrequencyMs),
      nodeStatusReportFrequency: dur(c.nodeStatusReportFrequencyMs),
      nodeLeaseDurationSeconds: c.nodeLeaseDurationSeconds,
      imageMinimumGCAge: dur(c.imageMinimumGCAgeMs),
      imageGCHighThresholdPercent: c.imageGCHighThresholdPercent,
      imageGCLowThresholdPercent: c.imageGCLowThresholdPercent,
      cgroupsPerQOS: c.cgroupsPerQOS,
      cgroupRoot: c.cgroupRoot,
      cgroupDriver: c.cgroupDriver,
      podCIDR: c.podCIDR,
      resolvConf: c.resolvConf,
      maxPods: c.maxPods,
      evictionHard: c.evictionHard,
      evictionSoft: c.evictionSoft,
      evictionSoftGracePeriod: softGrace,
      evictionPressureTransitionPeriod: dur(c.evictionPressureTransitionPeriodMs),
      evictionMaxPodGracePeriod: c.evictionMaxPodGracePeriodSeconds,
      evictionMinimumReclaim: c.evictionMinimumReclaim,
      registerNode: c.registerNode,
      registerWithTaints: c.registerWithTaints,
      containerRuntimeEndpoint: c.containerRuntimeEndpoint,
      enableSystemLogHandler: true,
      localStorageCapacityIsolation: true,
    }),
  };
}
