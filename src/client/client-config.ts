// What a client needs to reach one API server: where it is, how to trust it, who we are.
// Kubeconfig files and in-cluster service-account files both resolve to this.
import tls from 'node:tls';

export interface ClientConfig {
  /** Base URL, e.g. `https://127.0.0.1:6443` (a path prefix is kept). */
  server: string;
  /** PEM CA bundle to verify the server with; system roots when absent. */
  ca?: Buffer;
  insecureSkipTLSVerify?: boolean;
  /** Name to verify the server certificate against instead of the URL's host. */
  tlsServerName?: string;
  token?: string;
  /** Re-read on every request (rotated service-account tokens). */
  tokenFile?: string;
  clientCert?: Buffer;
  clientKey?: Buffer;
  /** Default namespace of the context, `default` when unset. */
  namespace: string;
  /** Client-side rate limit; client-go's defaults are 5 qps with burst 10. */
  qps?: number;
  burst?: number;
  userAgent?: string;
}

/**
 * One TLS context for the config's CA and client credentials, for every connection: given
 * ca/cert/key instead, each new socket builds its own and parses the PEMs again (~1 ms of CPU).
 */
export function clientSecureContext(config: ClientConfig): tls.SecureContext {
  return tls.createSecureContext({ ca: config.ca, cert: config.clientCert, key: config.clientKey });
}
