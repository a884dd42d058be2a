// Front-proxy (request header) authentication from kube-apiserver's --requestheader-* flags:
// the aggregator (or any authenticating proxy) presents a client certificate from
// --requestheader-client-ca-file with a CN in --requestheader-allowed-names, and the user is
// whatever its X-Remote-User / X-Remote-Group / X-Remote-Extra-* headers say. The rules
// themselves are shared with delegated servers (src/client/serving/request-header.ts).
import type { RequestAuthenticator } from './authenticator.js';
import { readCertificates } from '../tls/pem-files.js';
import { proxyVerdict, type RequestHeaderConfig } from '../../client/serving/request-header.js';

export { clearRequestHeaders, type RequestHeaderConfig } from '../../client/serving/request-header.js';

export interface RequestHeaderOptions {
  requestheaderClientCAFile?: string;
  requestheaderAllowedNames?: string[];
  requestheaderUsernameHeaders?: string[];
  requestheaderGroupHeaders?: string[];
  requestheaderExtraHeadersPrefix?: string[];
  requestheaderUIDHeaders?: string[];
}

export class RequestHeaderError extends Error {}

/** The configuration from the flags (undefined without --requestheader-client-ca-file); unusable files fail the start. */
export function loadRequestHeaderConfig(o: RequestHeaderOptions): RequestHeaderConfig | undefined {
  if (!o.requestheaderClientCAFile) return undefined;
  const usernameHeaders = o.requestheaderUsernameHeaders ?? [];
  // without a user header the proxy could name nobody; upstream refuses the same
  if (!usernameHeaders.length) throw new Error('--requestheader-username-headers must be set when --requestheader-client-ca-file is');
  const { pem, certs } = readCertificates('--requestheader-client-ca-file', o.requestheaderClientCAFile);
  return {
    caPem: pem, cas: certs,
    allowedNames: o.requestheaderAllowedNames ?? [],
    usernameHeaders,
    uidHeaders: o.requestheaderUIDHeaders ?? [],
    groupHeaders: o.requestheaderGroupHeaders ?? [],
    extraHeaderPrefixes: o.requestheaderExtraHeadersPrefix ?? [],
  };
}

/** The authenticator, first in the chain as upstream's union puts it. */
export function requestHeaderAuthenticator(c: RequestHeaderConfig): RequestAuthenticator {
  return {
    name: 'requestheader',
    async authenticate(req) {
      const v = proxyVerdict(req, c);
      // a certificate from the client CA is the x509 authenticator's business, not a proxy's
      if (!v.proxy) return undefined;
      if ('refused' in v) throw new RequestHeaderError(`requestheader: ${v.refused}`);
      return v.user;
    },
  };
}
