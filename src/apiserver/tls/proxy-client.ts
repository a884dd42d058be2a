// --proxy-client-cert-file / --proxy-client-key-file: the client certificate this API server
// presents when it proxies a request to an aggregated API server (or a front-proxy-aware
// webhook). Read and checked at start like every other pair; handed to the aggregator.
import { readKeyPair } from './pem-files.js';

export interface ProxyClientCert { cert: string; key: string }

export function loadProxyClientCert(o: { proxyClientCertFile?: string; proxyClientKeyFile?: string }): ProxyClientCert | undefined {
  if (!o.proxyClientCertFile && !o.proxyClientKeyFile) return undefined;
  if (!o.proxyClientCertFile || !o.proxyClientKeyFile) throw new Error('--proxy-client-cert-file and --proxy-client-key-file must be given together');
  return readKeyPair('--proxy-client-cert-file', o.proxyClientCertFile, '--proxy-client-key-file', o.proxyClientKeyFile);
}
