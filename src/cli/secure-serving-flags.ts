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
    .option('--authorization-always-allow-paths <paths>', 'paths served without authentication or authorization', '/healthz,/readyz,/livez');
}

const client = (file: string, userAgent: string) => new RestClient({ ...loadKubeconfig(file), qps: 0, userAgent });

/** Reads the flags; kubeconfig or file errors throw with the flag's name. */
export function secureServingFrom(o: Record<string, string | undefined>, pairName: string): SecureServingOptions {
  const open = (flag: string, file: string | undefined) => {
    if (!file) return undefined;
    try { return client(file, `${pairName}/delegated-auth`); } catch (err) { throw new Error(`${flag}: ${(err as Error).message}`); }
  };
  return {
    certFile: o.tlsCertFile, keyFile: o.tlsPrivateKeyFile, certDir: o.certDir, pairName, clientCAFile: o.clientCaFile,
    auth: new DelegatedAuth({
      authentication: open('--authentication-kubeconfig', o.authenticationKubeconfig),
      authorization: open('--authorization-kubeconfig', o.authorizationKubeconfig),
      alwaysAllowPaths: String(o.authorizationAlwaysAllowPaths ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    }),
  };
}
