// `tskube apiserver`: kube-apiserver's flag names, parsed here and nothing else.
import { Command } from 'commander';
import { parseVerbosity } from './verbosity-flag.js';
import { defaultOptions } from '../apiserver/options.js';
import { startApiServer } from '../apiserver/server.js';
import { DEFAULT_PREFERRED_ADDRESS_TYPES, parseAddressTypes } from '../apiserver/kubelet/node-address.js';

function duration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let total = 0;
  let consumed = '';
  for (const m of text.matchAll(re)) { total += Number(m[1]) * ({ h: 3600, m: 60, s: 1, ms: 0.001 } as Record<string, number>)[m[2]]; consumed += m[0]; }
  if (!consumed || consumed !== text) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return total;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const list = (v: unknown) => (v === undefined ? undefined : String(v).split(',').map((s) => s.trim()).filter(Boolean));
const num = (v: unknown) => (v === undefined ? undefined : Number(v));

/** A Go bool flag: bare (true), =true or =false; anything else is an error. */
function boolFlag(v: unknown, flag: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (v === true || v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`invalid ${flag} ${JSON.stringify(v)}: want true or false`);
}

/** The authentication, admission, encryption and audit flags (src/apiserver/{authn,admission,encryption,audit}). */
function securityOptions(o: Record<string, any>) {
  const anon = o.anonymousAuth === true || o.anonymousAuth === undefined ? true : String(o.anonymousAuth);
  if (anon !== true && anon !== 'true' && anon !== 'false') throw new Error(`invalid --anonymous-auth ${JSON.stringify(anon)}: want true or false`);
  return {
    anonymousAuth: anon === true || anon === 'true',
    serviceAccountKeyFiles: o.serviceAccountKeyFile, serviceAccountSigningKeyFile: o.serviceAccountSigningKeyFile,
    serviceAccountIssuers: o.serviceAccountIssuer, apiAudiences: list(o.apiAudiences), enableBootstrapTokenAuth: !!o.enableBootstrapTokenAuth,
    requestheaderClientCAFile: o.requestheaderClientCaFile, requestheaderAllowedNames: list(o.requestheaderAllowedNames),
    requestheaderUsernameHeaders: list(o.requestheaderUsernameHeaders), requestheaderUIDHeaders: list(o.requestheaderUidHeaders),
    requestheaderGroupHeaders: list(o.requestheaderGroupHeaders), requestheaderExtraHeadersPrefix: list(o.requestheaderExtraHeadersPrefix),
    proxyClientCertFile: o.proxyClientCertFile, proxyClientKeyFile: o.proxyClientKeyFile,
    enableAggregatorRouting: boolFlag(o.enableAggregatorRouting, '--enable-aggregator-routing', false),
    enableAdmissionPlugins: list(o.enableAdmissionPlugins), disableAdmissionPlugins: list(o.disableAdmissionPlugins),
    admissionControlConfigFile: o.admissionControlConfigFile,
    encryptionProviderConfig: o.encryptionProviderConfig,
    auditPolicyFile: o.auditPolicyFile, auditLogPath: o.auditLogPath,
    auditLogMaxAge: num(o.auditLogMaxage), auditLogMaxBackup: num(o.auditLogMaxbackup), auditLogMaxSize: num(o.auditLogMaxsize),
    auditLogMode: o.auditLogMode, auditLogBatchBufferSize: num(o.auditLogBatchBufferSize), auditLogBatchMaxSize: num(o.auditLogBatchMaxSize),
    auditLogBatchMaxWaitSeconds: o.auditLogBatchMaxWait === undefined ? undefined : duration(o.auditLogBatchMaxWait),
    auditWebhookConfigFile: o.auditWebhookConfigFile, auditWebhookMode: o.auditWebhookMode, auditWebhookVersion: o.auditWebhookVersion,
    auditWebhookInitialBackoffSeconds: o.auditWebhookInitialBackoff === undefined ? undefined : duration(o.auditWebhookInitialBackoff),
    auditWebhookBatchBufferSize: num(o.auditWebhookBatchBufferSize), auditWebhookBatchMaxSize: num(o.auditWebhookBatchMaxSize),
    auditWebhookBatchMaxWaitSeconds: o.auditWebhookBatchMaxWait === undefined ? undefined : duration(o.auditWebhookBatchMaxWait),
  };
}

export function apiserverCommand(): Command {
  const d = defaultOptions();
  return new Command('apiserver')
    .description('serve the Kubernetes API over HTTPS, storing objects in etcd')
    .option('--etcd-servers <urls>', 'comma-separated etcd endpoints', d.etcdServers.join(','))
    .option('--etcd-cafile <file>', 'CA bundle for etcd TLS')
    .option('--etcd-certfile <file>', 'client certificate for etcd TLS')
    .option('--etcd-keyfile <file>', 'client key for etcd TLS')
    .option('--etcd-prefix <prefix>', 'key prefix for every object', d.etcdPrefix)
    .option('--bind-address <ip>', 'address to listen on', d.bindAddress)
    .option('--secure-port <port>', 'HTTPS port (0 picks a free one)', String(d.securePort))
    .option('--advertise-address <ip>', 'address published in the kubernetes Endpoints')
    .option('--cert-dir <dir>', 'where the self-signed serving certificate is kept', d.certDir)
    .option('--tls-cert-file <file>', 'serving certificate')
    .option('--tls-private-key-file <file>', 'serving key')
    .option('--service-cluster-ip-range <cidr>', 'ClusterIP range for Services', d.serviceClusterIPRange)
    .option('--service-node-port-range <range>', 'NodePort range', d.serviceNodePortRange)
    .option('--event-ttl <duration>', 'how long events are kept', '1h0m0s')
    .option('--metric-resolution <duration>', 'how often the built-in metrics.k8s.io provider scrapes kubelets\' /metrics/resource (metrics-server\'s flag; 0s: metrics.k8s.io not served)', '15s')
    .option('--authorization-mode <modes>', 'comma-separated authorizers, in order (AlwaysAllow, AlwaysDeny, RBAC, Node)', 'AlwaysAllow')
    .option('--token-auth-file <file>', 'static bearer tokens: token,user,uid,"group1,group2"')
    .option('--client-ca-file <file>', 'CA bundle for x509 client certificates (CN is the user, O the groups)')
    .option('--requestheader-client-ca-file <file>', 'CA of front proxies (the aggregator) whose headers name the user')
    .option('--requestheader-allowed-names <list>', 'client certificate common names allowed to act as a front proxy (empty: any from the CA)')
    .option('--requestheader-username-headers <list>', 'headers holding the user name, first non-empty wins (e.g. X-Remote-User)')
    .option('--requestheader-uid-headers <list>', 'headers holding the user\'s UID (e.g. X-Remote-Uid)')
    .option('--requestheader-group-headers <list>', 'headers holding the groups (e.g. X-Remote-Group)')
    .option('--requestheader-extra-headers-prefix <list>', 'header prefixes holding extra user information (e.g. X-Remote-Extra-)')
    .option('--proxy-client-cert-file <file>', 'client certificate used to reach aggregated API servers (the front proxy)')
    .option('--proxy-client-key-file <file>', 'key of --proxy-client-cert-file')
    .option('--enable-aggregator-routing [bool]', 'send aggregated API requests to the Service\'s endpoint IPs instead of its ClusterIP', 'false')
    .option('--anonymous-auth [bool]', 'serve requests without credentials as system:anonymous', 'true')
    .option('--service-account-key-file <file>', 'PEM keys verifying service account tokens (repeatable)', collect, [])
    .option('--service-account-signing-key-file <file>', 'PEM private key signing service account tokens')
    .option('--service-account-issuer <url>', 'issuer of service account tokens (repeatable; the first signs)', collect, [])
    .option('--api-audiences <list>', 'audiences accepted in service account tokens (default: the issuers)')
    .option('--enable-bootstrap-token-auth', 'accept bootstrap tokens from kube-system/bootstrap-token-* secrets')
    .option('--enable-admission-plugins <list>', 'admission plugins to turn on besides the default ones')
    .option('--disable-admission-plugins <list>', 'admission plugins to turn off, default ones included')
    .option('--admission-control-config-file <file>', 'AdmissionConfiguration with per-plugin configuration (PodSecurity: PodSecurityConfiguration)')
    .option('--encryption-provider-config <file>', 'EncryptionConfiguration for encryption at rest')
    .option('--audit-policy-file <file>', 'audit.k8s.io/v1 Policy')
    .option('--audit-log-path <file>', 'where audit events are written, one JSON line each ("-" = stdout)')
    .option('--audit-log-maxage <days>', 'days to keep rotated audit logs')
    .option('--audit-log-maxbackup <n>', 'rotated audit logs to keep')
    .option('--audit-log-maxsize <MB>', 'size at which the audit log is rotated')
    .option('--audit-log-mode <mode>', 'blocking (write each event before answering), batch (buffer and write asynchronously) or blocking-strict', 'blocking')
    .option('--audit-log-batch-buffer-size <n>', 'events the batch buffer holds before dropping', '10000')
    .option('--audit-log-batch-max-size <n>', 'events per batch write', '1')
    .option('--audit-log-batch-max-wait <duration>', 'longest an event waits in the batch buffer', '0s')
    .option('--audit-webhook-config-file <file>', 'kubeconfig of the server audit events are POSTed to')
    .option('--audit-webhook-mode <mode>', 'batch, blocking or blocking-strict', 'batch')
    .option('--audit-webhook-version <gv>', 'API version of the EventList sent', 'audit.k8s.io/v1')
    .option('--audit-webhook-initial-backoff <duration>', 'wait before retrying a failed webhook request', '10s')
    .option('--audit-webhook-batch-buffer-size <n>', 'events the batch buffer holds before dropping', '10000')
    .option('--audit-webhook-batch-max-size <n>', 'events per webhook request', '400')
    .option('--audit-webhook-batch-max-wait <duration>', 'longest an event waits in the batch buffer', '30s')
    .option('--kubelet-client-certificate <file>', 'client certificate the API server presents to kubelets')
    .option('--kubelet-client-key <file>', 'key of --kubelet-client-certificate')
    .option('--kubelet-certificate-authority <file>', 'CA that kubelets\' serving certificates must chain to (unverified when absent)')
    .option('--kubelet-preferred-address-types <types>', 'node address types to reach kubelets by, in order', DEFAULT_PREFERRED_ADDRESS_TYPES.join(','))
    .option('--max-requests-inflight <n>', 'read-only requests (get, list) served at once; 0: no limit', String(d.maxRequestsInflight))
    .option('--max-mutating-requests-inflight <n>', 'writes served at once; 0: no limit', String(d.maxMutatingRequestsInflight))
    .option('--default-watch-cache-size <n>', 'events kept per resource by the watch cache', '1000')
    .option('-v, --v <level>', 'log verbosity', parseVerbosity, '0')
    .action(async (o) => {
      let server;
      try {
        server = await start(o);
      } catch (err) {
        // A bad flag or file, an unreachable store: one clear line, as upstream's "Error: …".
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
      const running = server;
      const stop = () => { running.close().then(() => process.exit(0), () => process.exit(1)); };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}

function start(o: Record<string, any>) {
  const d = defaultOptions();
  return startApiServer({
    ...d,
    etcdServers: String(o.etcdServers).split(',').map((s: string) => s.trim()).filter(Boolean),
    etcdCaFile: o.etcdCafile, etcdCertFile: o.etcdCertfile, etcdKeyFile: o.etcdKeyfile,
    etcdPrefix: String(o.etcdPrefix).replace(/\/+$/, ''),
    bindAddress: o.bindAddress, securePort: Number(o.securePort), advertiseAddress: o.advertiseAddress,
    certDir: o.certDir, tlsCertFile: o.tlsCertFile, tlsPrivateKeyFile: o.tlsPrivateKeyFile,
    serviceClusterIPRange: o.serviceClusterIpRange, serviceNodePortRange: o.serviceNodePortRange,
    eventTTLSeconds: duration(o.eventTtl), metricResolutionSeconds: duration(o.metricResolution), authorizationMode: String(o.authorizationMode).split(','),
    kubeletClientCertificate: o.kubeletClientCertificate, kubeletClientKey: o.kubeletClientKey,
    kubeletCertificateAuthority: o.kubeletCertificateAuthority, kubeletPreferredAddressTypes: parseAddressTypes(String(o.kubeletPreferredAddressTypes)),
    ...securityOptions(o), tokenAuthFile: o.tokenAuthFile, clientCAFile: o.clientCaFile, maxRequestsInflight: Number(o.maxRequestsInflight), maxMutatingRequestsInflight: Number(o.maxMutatingRequestsInflight), watchCacheSize: Number(o.defaultWatchCacheSize), verbosity: Number(o.v),
  });
}
