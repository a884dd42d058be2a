// The secure-serving and delegated-auth flags kube-scheduler and kube-controller-manager
// share (upstream's names and defaults), and the options they turn into.
import type { Command } from 'commander';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { DelegatedAuth } from '../client/serving/delegated-auth.js';
import type { SecureServingOptions } from '../client/serving/secure-server.js';

export function addSecureServingFlags(cmd: Command): Command {
  return cmd
    .option('--tls-cert-file <file>', 'serving certificate (a self-signed one is made when absent)')
    .option('--tls-private-key-file <file>', 'key of --tls-cert-file')
    .option('--cert-dir <dir>', 'where the self-signed certificate is kept (in memory when unset)')
    .option('--client-ca-file <file>', 'CA whose client certificates authenticate callers (CN user, O groups)')
    .option('--authentication-kubeconfig <file>', 'kubeconfig allowed to create tokenreviews; without it bearer tokens are anonymous')
    .option('--authorization-kubeconfig <file>', 'kubeconfig allowed to create subjectaccessreviews; without it only always-allowed paths are served')
    .option('--authorization-always-allow-paths <paths>', 'paths served without authentication or authorization', '/healthz,/readyz,/livez')
    .option('--authentication-skip-lookup', 'do not read the client CA and front-proxy settings from kube-system/extension-apiserver-authentication')
    .option('--authentication-tolerate-lookup-failure [bool]', 'start even when that ConfigMap cannot be read (and keep trying)', 'true')
    .option('--requestheader-client-ca-file <file>', 'CA of front proxies whose X-Remote-* headers name the user (default: from the ConfigMap)')
    .option('--requestheader-allowed-names <list>', 'front-proxy certificate common names allowed (empty: any from the CA)')
    .option('--requestheader-username-headers <list>', 'headers holding the user name', 'x-remote-user')
    .option('--requestheader-group-headers <list>', 'headers holding the groups', 'x-remote-group')
    .option('--requestheader-extra-headers-prefix <list>', 'header prefixes holding extra user information', 'x-remote-extra-');
}

const list = (v: string | undefined) => String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const client = (file: string, userAgent: string) => new RestClient({ ...loadKubeconfig(file), qps: 0, userAgent });

/** Reads the flags; kubeconfig or file errors throw with the flag's name. */
export function secureServingFrom(o: Record<string, string | undefined>, pairName: string): SecureServingOptions {
  const open = (flag: string, file: string | undefined) => {
    if (!file) return undefined;
    try { return client(file, `${pairName}/delegated-auth`); } catch (err) { throw new Error(`${flag}: ${(err as Error).message}`); }
  };
  return {
    certFile: o.tlsCertFile, keyFile: o.tlsPrivateKeyFile, certDir: o.certDir, pairName,
    auth: new DelegatedAuth({
      clientCAFile: o.clientCaFile,
      requestHeader: {
        caFile: o.requestheaderClientCaFile, allowedNames: list(o.requestheaderAllowedNames), usernameHeaders: list(o.requestheaderUsernameHeaders),
        uidHeaders: [], groupHeaders: list(o.requestheaderGroupHeaders), extraHeaderPrefixes: list(o.requestheaderExtraHeadersPrefix),
      },
      skipLookup: o.authenticationSkipLookup !== undefined && String(o.authenticationSkipLookup) !== 'false',
      tolerateLookupFailure: String(o.authenticationTolerateLookupFailure ?? 'true') !== 'false',
      log: (m) => process.stderr.write(`${pairName}: ${m}\n`),
      authentication: open('--authentication-kubeconfig', o.authenticationKubeconfig),
      authorization: open('--authorization-kubeconfig', o.authorizationKubeconfig),
      alwaysAllowPaths: String(o.authorizationAlwaysAllowPaths ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    }),
  };
}
