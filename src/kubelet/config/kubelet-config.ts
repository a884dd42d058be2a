// KubeletConfiguration (kubelet.config.k8s.io/v1beta1): the fields tskube honours, their
// upstream defaults, the --config file and the flags that override it (flags win, as upstream).
import fs from 'node:fs';
import { parse } from 'yaml';
import { parseQuantity } from '../../api/quantity/index.js';

export interface Taint { key: string; value?: string; effect: string }

export interface KubeletConfig {
  staticPodPath: string;
  syncFrequencyMs: number;
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  nodeLeaseDurationSeconds: number;
  maxPods: number;
  clusterDNS: string[];
  clusterDomain: string;
  podCIDR: string;
  registerNode: boolean;
  registerWithTaints: Taint[];
  nodeLabels: Record<string, string>;
  port: number;
  /** What /logs/ serves (upstream's fixed /var/log; tskube lets tests point it elsewhere). */
  nodeLogDir: string;
  /** Plain-HTTP server without authentication for the read-only endpoints (0 = off). */
  readOnlyPort: number;
  healthzPort: number;
  healthzBindAddress: string;
  address: string;
  containerRuntimeEndpoint: string;
  rootDir: string;
  certDir: string;
  hostnameOverride: string;
  nodeIP: string;
  kubeconfig: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  /** authentication.anonymous.enabled (--anonymous-auth). */
  anonymousAuth: boolean;
  /** authentication.webhook.enabled (--authentication-token-webhook): bearer tokens via TokenReview. */
  authenticationTokenWebhook: boolean;
  authenticationTokenWebhookCacheTTLMs: number;
  /** authentication.x509.clientCAFile (--client-ca-file). */
  clientCAFile: string;
  /** authorization.mode (--authorization-mode): AlwaysAllow or Webhook (SubjectAccessReview). */
  authorizationMode: 'AlwaysAllow' | 'Webhook';
  /** Hollow kubelets hosted by this process (0: one real kubelet). */
  hollowNodes: number;
  verbosity: number;
  /** Where CRI container logs go (upstream /var/log/pods; '' = the default for rootDir). */
  podLogsDir: string;
  /** The node's resolv.conf, for dnsPolicy Default and the search path of ClusterFirst. */
  resolvConf: string;
  /** Parent cgroup of every pod ('' = '/'), and whether pods are placed by QoS under ROOT/kubepods. */
  cgroupRoot: string;
  cgroupsPerQOS: boolean;
  /** cgroupfs or systemd: must be what the runtime uses. */
  cgroupDriver: 'cgroupfs' | 'systemd';
  imageGCHighThresholdPercent: number;
  imageGCLowThresholdPercent: number;
  imageMinimumGCAgeMs: number;
  /** How often image GC looks at the disk (upstream's fixed 5m; tskube lets tests shorten it). */
  imageGCPeriodMs: number;
  /** Hard eviction thresholds, e.g. {'nodefs.available': '10%', 'memory.available': '100Mi'}. */
  evictionHard: Record<string, string>;
  /** Soft thresholds: acted on once crossed for their grace period (evictionSoft, evictionSoftGracePeriod). */
  evictionSoft: Record<string, string>;
  evictionSoftGracePeriodMs: Record<string, number>;
  /** Longest grace period a pod evicted for a soft threshold gets (negative: its own). */
  evictionMaxPodGracePeriodSeconds: number;
  /** evictionMinimumReclaim: how far past its threshold a signal must recover (quantity or %). */
  evictionMinimumReclaim: Record<string, string>;
  /** Runtime for static pods when it is not containerRuntimeEndpoint (tskube up: host-process://). */
  staticPodRuntimeEndpoint: string;
  /** Kept by image GC whatever happens; '' = ask the runtime (containerd's sandbox_image). */
  podInfraContainerImage: string;
  /** A pressure condition stays on this long after its signals clear (5m). */
  evictionPressureTransitionPeriodMs: number;
  /** cgroupDriver was set by flag or file (else the runtime's own setting is used). */
  cgroupDriverSet: boolean;
}

/** Upstream's default hard eviction thresholds (Linux). */
export const DEFAULT_EVICTION_HARD: Record<string, string> = {
  'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%', 'imagefs.inodesFree': '5%',
};

export function defaultKubeletConfig(): KubeletConfig {
  return {
    staticPodPath: '', syncFrequencyMs: 60_000, nodeStatusUpdateFrequencyMs: 10_000, nodeStatusReportFrequencyMs: 300_000,
    nodeLeaseDurationSeconds: 40, maxPods: 110, clusterDNS: [], clusterDomain: '', podCIDR: '', registerNode: true,
    registerWithTaints: [], nodeLabels: {}, port: 10250, readOnlyPort: 10255, nodeLogDir: '', healthzPort: 10248, healthzBindAddress: '127.0.0.1', address: '0.0.0.0',
    containerRuntimeEndpoint: 'host-process://', rootDir: '/var/lib/kubelet', certDir: '', hostnameOverride: '', nodeIP: '',
    kubeconfig: '', tlsCertFile: '', tlsPrivateKeyFile: '', hollowNodes: 0, verbosity: 0,
    // the command line's legacy defaults (upstream's applyLegacyDefaults); a --config file
    // starts from KubeletConfiguration's own, safer ones instead (applyConfigFile)
    // (--read-only-port's 10255 is one of them too)
    anonymousAuth: true, authenticationTokenWebhook: false, authenticationTokenWebhookCacheTTLMs: 120_000, clientCAFile: '', authorizationMode: 'AlwaysAllow',
    podLogsDir: '', resolvConf: '/etc/resolv.conf', cgroupRoot: '', cgroupsPerQOS: true, cgroupDriver: 'cgroupfs',
    imageGCHighThresholdPercent: 85, imageGCLowThresholdPercent: 80, imageMinimumGCAgeMs: 120_000, imageGCPeriodMs: 300_000,
    evictionHard: { ...DEFAULT_EVICTION_HARD }, staticPodRuntimeEndpoint: '', podInfraContainerImage: '',
    evictionPressureTransitionPeriodMs: 300_000, cgroupDriverSet: false,
    evictionSoft: {}, evictionSoftGracePeriodMs: {}, evictionMaxPodGracePeriodSeconds: 0, evictionMinimumReclaim: {},
  };
}

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'Webhook'] as const;

export function parseAuthorizationMode(v: string, what: string): 'AlwaysAllow' | 'Webhook' {
  if (!(AUTHORIZATION_MODES as readonly string[]).includes(v)) throw new Error(`${what}: authorization mode ${JSON.stringify(v)} is not one of ${AUTHORIZATION_MODES.join(', ')}`);
  return v as 'AlwaysAllow' | 'Webhook';
}

/** Go durations as KubeletConfiguration writes them: `10s`, `1m30s`, `500ms`. */
export function parseDuration(s: string | number, what: string): number {
  if (typeof s === 'number') return s * 1000;
  let total = 0;
  let rest = s.trim();
  if (rest === '0') return 0;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`${what}: invalid duration ${JSON.stringify(s)}`);
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** `key=value:Effect` or `key:Effect`, comma-separated (--register-with-taints). */
export function parseTaints(s: string): Taint[] {
  return s.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t);
    if (!m) throw new Error(`--register-with-taints: invalid taint ${JSON.stringify(t)} (want key=value:Effect)`);
    return m[2] === undefined ? { key: m[1], effect: m[3] } : { key: m[1], value: m[2], effect: m[3] };
  });
}

export function parseCgroupDriver(v: string, what = '--cgroup-driver'): 'cgroupfs' | 'systemd' {
  if (v !== 'cgroupfs' && v !== 'systemd') throw new Error(`${what}: ${JSON.stringify(v)} is not cgroupfs or systemd`);
  return v;
}

/** `k=v,k2=v2` (--node-labels). */
export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--node-labels: invalid label ${JSON.stringify(kv)} (want key=value)`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** `memory.available<100Mi,nodefs.available<10%` (--eviction-hard). */
export function parseEvictionThresholds(s: string, what = '--eviction-hard'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([a-z.]+)<(\d+(?:\.\d+)?%|[0-9.]+[A-Za-z]*)$/.exec(part);
    if (!m || !EVICTION_SIGNALS.has(m[1])) throw new Error(`${what}: invalid threshold ${JSON.stringify(part)} (want SIGNAL<QUANTITY or SIGNAL<PERCENT%, signals ${[...EVICTION_SIGNALS].join(', ')})`);
    out[m[1]] = m[2];
  }
  return out;
}

/** `memory.available=1m30s,…` (--eviction-soft-grace-period). */
export function parseSoftGracePeriods(s: string, what = '--eviction-soft-grace-period'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    const signal = part.slice(0, i);
    if (i < 0 || !EVICTION_SIGNALS.has(signal)) throw new Error(`${what}: invalid grace period ${JSON.stringify(part)} (want SIGNAL=DURATION)`);
    out[signal] = parseDuration(part.slice(i + 1), what);
  }
  return out;
}

/** `memory.available=0Mi,nodefs.available=500Mi` (--eviction-minimum-reclaim): a quantity or a percentage per signal. */
export function parseMinimumReclaim(s: string, what = '--eviction-minimum-reclaim'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    const signal = part.slice(0, i);
    const v = part.slice(i + 1).trim();
    if (i < 0 || !EVICTION_SIGNALS.has(signal)) throw new Error(`${what}: invalid minimum reclaim ${JSON.stringify(part)} (want SIGNAL=QUANTITY or SIGNAL=PERCENT%, signals ${[...EVICTION_SIGNALS].join(', ')})`);
    if (v.endsWith('%')) {
      const n = Number(v.slice(0, -1));
      if (!Number.isFinite(n) || n < 0 || n > 100 || v.length < 2) throw new Error(`${what}: invalid percentage ${JSON.stringify(v)} for ${signal} (want 0% to 100%)`);
    } else {
      let q: number;
      try { q = parseQuantity(v).value(); } catch { throw new Error(`${what}: invalid quantity ${JSON.stringify(v)} for ${signal}`); }
      if (q < 0) throw new Error(`${what}: negative reclaim defined for ${signal}`);
    }
    out[signal] = v;
  }
  return out;
}

/** As upstream's validation: every soft threshold needs its grace period. */
export function checkSoftThresholds(c: Pick<KubeletConfig, 'evictionSoft' | 'evictionSoftGracePeriodMs'>): void {
  for (const signal of Object.keys(c.evictionSoft)) {
    if (c.evictionSoftGracePeriodMs[signal] === undefined) throw new Error(`grace period must be specified for the soft eviction threshold ${signal}`);
  }
}

export const EVICTION_SIGNALS = new Set(['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available']);

/** Checks the image GC thresholds as upstream's validation does. */
export function checkImageGCThresholds(high: number, low: number): void {
  if (!Number.isInteger(high) || high < 0 || high > 100) throw new Error(`imageGCHighThresholdPercent (--image-gc-high-threshold) ${high} must be between 0 and 100`);
  if (!Number.isInteger(low) || low < 0 || low > 100) throw new Error(`imageGCLowThresholdPercent (--image-gc-low-threshold) ${low} must be between 0 and 100`);
  if (low >= high) throw new Error(`imageGCLowThresholdPercent (--image-gc-low-threshold) ${low} must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) ${high}`);
}

/** Applies a KubeletConfiguration file on top of `cfg`. */
export function applyConfigFile(cfg: KubeletConfig, file: string): void {
  let doc: Record<string, any>;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'), { version: '1.1' }) ?? {};
  } catch (err) {
    throw new Error(`--config ${file}: ${(err as Error).message}`);
  }
  if (doc.kind !== undefined && doc.kind !== 'KubeletConfiguration') throw new Error(`--config ${file}: kind is ${doc.kind}, want KubeletConfiguration`);
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'kubelet.config.k8s.io/v1beta1') {
    throw new Error(`--config ${file}: apiVersion ${doc.apiVersion} is not kubelet.config.k8s.io/v1beta1`);
  }
  const dur = (k: string) => parseDuration(doc[k], `--config ${file}: ${k}`);
  if (doc.staticPodPath !== undefined) cfg.staticPodPath = String(doc.staticPodPath);
  if (doc.syncFrequency !== undefined) cfg.syncFrequencyMs = dur('syncFrequency');
  if (doc.nodeStatusUpdateFrequency !== undefined) {
    cfg.nodeStatusUpdateFrequencyMs = dur('nodeStatusUpdateFrequency');
    if (doc.nodeStatusReportFrequency === undefined) cfg.nodeStatusReportFrequencyMs = cfg.nodeStatusUpdateFrequencyMs;
  }
  if (doc.nodeStatusReportFrequency !== undefined) cfg.nodeStatusReportFrequencyMs = dur('nodeStatusReportFrequency');
  if (doc.nodeLeaseDurationSeconds !== undefined) cfg.nodeLeaseDurationSeconds = Number(doc.nodeLeaseDurationSeconds);
  if (doc.maxPods !== undefined) cfg.maxPods = Number(doc.maxPods);
  if (doc.clusterDNS !== undefined) cfg.clusterDNS = (doc.clusterDNS as unknown[]).map(String);
  if (doc.clusterDomain !== undefined) cfg.clusterDomain = String(doc.clusterDomain);
  if (doc.podCIDR !== undefined) cfg.podCIDR = String(doc.podCIDR);
  if (doc.registerNode !== undefined) cfg.registerNode = Boolean(doc.registerNode);
  if (doc.registerWithTaints !== undefined) cfg.registerWithTaints = doc.registerWithTaints as Taint[];
  if (doc.port !== undefined) cfg.port = Number(doc.port);
  // KubeletConfiguration's default is 0 (off); only the bare command line opens 10255
  cfg.readOnlyPort = doc.readOnlyPort === undefined ? 0 : Number(doc.readOnlyPort);
  if (doc.healthzPort !== undefined) cfg.healthzPort = Number(doc.healthzPort);
  if (doc.healthzBindAddress !== undefined) cfg.healthzBindAddress = String(doc.healthzBindAddress);
  if (doc.address !== undefined) cfg.address = String(doc.address);
  if (doc.containerRuntimeEndpoint !== undefined) cfg.containerRuntimeEndpoint = String(doc.containerRuntimeEndpoint);
  if (doc.tlsCertFile !== undefined) cfg.tlsCertFile = String(doc.tlsCertFile);
  if (doc.tlsPrivateKeyFile !== undefined) cfg.tlsPrivateKeyFile = String(doc.tlsPrivateKeyFile);
  // KubeletConfiguration v1beta1's defaults: no anonymous access, token webhook on, Webhook authorization
  const authn = (doc.authentication ?? {}) as Record<string, any>;
  const authz = (doc.authorization ?? {}) as Record<string, any>;
  cfg.anonymousAuth = authn.anonymous?.enabled === undefined ? false : Boolean(authn.anonymous.enabled);
  cfg.authenticationTokenWebhook = authn.webhook?.enabled === undefined ? true : Boolean(authn.webhook.enabled);
  if (authn.webhook?.cacheTTL !== undefined) cfg.authenticationTokenWebhookCacheTTLMs = parseDuration(authn.webhook.cacheTTL, `--config ${file}: authentication.webhook.cacheTTL`);
  if (authn.x509?.clientCAFile !== undefined) cfg.clientCAFile = String(authn.x509.clientCAFile);
  cfg.authorizationMode = authz.mode === undefined ? 'Webhook' : parseAuthorizationMode(String(authz.mode), `--config ${file}: authorization.mode`);
  if (doc.podLogsDir !== undefined) cfg.podLogsDir = String(doc.podLogsDir);
  if (doc.resolvConf !== undefined) cfg.resolvConf = String(doc.resolvConf);
  if (doc.cgroupRoot !== undefined) cfg.cgroupRoot = String(doc.cgroupRoot);
  if (doc.cgroupsPerQOS !== undefined) cfg.cgroupsPerQOS = Boolean(doc.cgroupsPerQOS);
  if (doc.cgroupDriver !== undefined) {
    cfg.cgroupDriver = parseCgroupDriver(String(doc.cgroupDriver), `--config ${file}: cgroupDriver`);
    cfg.cgroupDriverSet = true;
  }
  if (doc.evictionPressureTransitionPeriod !== undefined) cfg.evictionPressureTransitionPeriodMs = dur('evictionPressureTransitionPeriod');
  if (doc.imageGCHighThresholdPercent !== undefined) cfg.imageGCHighThresholdPercent = Number(doc.imageGCHighThresholdPercent);
  if (doc.imageGCLowThresholdPercent !== undefined) cfg.imageGCLowThresholdPercent = Number(doc.imageGCLowThresholdPercent);
  if (doc.imageMinimumGCAge !== undefined) cfg.imageMinimumGCAgeMs = dur('imageMinimumGCAge');
  if (doc.evictionHard !== undefined) {
    const eh = doc.evictionHard as Record<string, unknown>;
    cfg.evictionHard = parseEvictionThresholds(Object.entries(eh).map(([k, v]) => `${k}<${v}`).join(','), `--config ${file}: evictionHard`);
  }
  if (doc.evictionSoft !== undefined) {
    cfg.evictionSoft = parseEvictionThresholds(Object.entries(doc.evictionSoft as object).map(([k, v]) => `${k}<${v}`).join(','), `--config ${file}: evictionSoft`);
  }
  if (doc.evictionSoftGracePeriod !== undefined) {
    cfg.evictionSoftGracePeriodMs = parseSoftGracePeriods(Object.entries(doc.evictionSoftGracePeriod as object).map(([k, v]) => `${k}=${v}`).join(','), `--config ${file}: evictionSoftGracePeriod`);
  }
  if (doc.evictionMinimumReclaim !== undefined) {
    cfg.evictionMinimumReclaim = parseMinimumReclaim(Object.entries(doc.evictionMinimumReclaim as object).map(([k, v]) => `${k}=${v}`).join(','), `--config ${file}: evictionMinimumReclaim`);
  }
  if (doc.evictionMaxPodGracePeriod !== undefined) cfg.evictionMaxPodGracePeriodSeconds = Number(doc.evictionMaxPodGracePeriod);
  try {
    checkImageGCThresholds(cfg.imageGCHighThresholdPercent, cfg.imageGCLowThresholdPercent);
  } catch (err) {
    throw new Error(`--config ${file}: ${(err as Error).message}`);
  }
  for (const [k, v] of [['maxPods', cfg.maxPods], ['port', cfg.port], ['readOnlyPort', cfg.readOnlyPort], ['healthzPort', cfg.healthzPort]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`--config ${file}: ${k} must be a non-negative integer`);
  }
}
