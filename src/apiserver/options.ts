// kube-apiserver's flags this server understands, parsed by src/cli/apiserver.ts.
import type { AuthenticationOptions } from './authn/index.js';
import type { AdmissionOptions } from './admission/index.js';
import type { AuditOptions } from './audit/index.js';
import type { RequestHeaderOptions } from './authn/request-header.js';

export interface ApiServerOptions extends AuthenticationOptions, RequestHeaderOptions, AdmissionOptions, AuditOptions {
  encryptionProviderConfig?: string;
  etcdServers: string[];
  etcdCaFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
  etcdPrefix: string;
  bindAddress: string;
  securePort: number;
  advertiseAddress?: string;
  certDir: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  eventTTLSeconds: number;
  authorizationMode: string[];
  tokenAuthFile?: string;
  clientCAFile?: string;
  /** The front proxy's own client certificate, for requests to aggregated API servers. */
  proxyClientCertFile?: string;
  proxyClientKeyFile?: string;
  /** --enable-aggregator-routing: reach extension API servers at their endpoint IPs, not the Service's ClusterIP. */
  enableAggregatorRouting?: boolean;
  maxRequestsInflight: number;
  /** How the API server reaches kubelets (pods/log, exec, attach, portforward, nodes/proxy). */
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletCertificateAuthority?: string;
  kubeletPreferredAddressTypes?: string[];
  /** --max-mutating-requests-inflight (200; 0: no limit). */
  maxMutatingRequestsInflight?: number;
  /** How often the built-in resource metrics API scrapes kubelets (metrics-server's --metric-resolution, 15s; 0: not served). */
  metricResolutionSeconds?: number;
  /** Events each resource's watch cache keeps (--default-watch-cache-size). */
  watchCacheSize?: number;
  verbosity: number;
}

export const defaultOptions = (): ApiServerOptions => ({
  etcdServers: ['http://127.0.0.1:2379'], etcdPrefix: '/registry', bindAddress: '0.0.0.0', securePort: 6443,
  certDir: '/var/run/kubernetes', serviceClusterIPRange: '10.0.0.0/24', serviceNodePortRange: '30000-32767',
  eventTTLSeconds: 3600, authorizationMode: ['AlwaysAllow'], maxRequestsInflight: 400, maxMutatingRequestsInflight: 200, verbosity: 0,
});
