// The serving certificate: --tls-cert-file/--tls-private-key-file, or a self-signed pair
// kept in --cert-dir (apiserver.crt/.key) and reused across restarts, as upstream does.
import fs from 'node:fs';
import path from 'node:path';
import { selfSignedCert, type ServingCert } from '../../client/serving/self-signed-cert.js';
import { readKeyPair } from './pem-files.js';

export type { ServingCert };
export { selfSignedCert };

export async function servingCert(opts: { certFile?: string; keyFile?: string; certDir: string; hosts: string[] }): Promise<ServingCert> {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('--tls-cert-file and --tls-private-key-file must be given together');
    return readKeyPair('--tls-cert-file', opts.certFile, '--tls-private-key-file', opts.keyFile);
  }
  const certPath = path.join(opts.certDir, 'apiserver.crt');
  const keyPath = path.join(opts.certDir, 'apiserver.key');
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8') };
  const made = await selfSignedCert(opts.hosts);
  fs.mkdirSync(opts.certDir, { recursive: true });
  fs.writeFileSync(certPath, made.cert);
  fs.writeFileSync(keyPath, made.key, { mode: 0o600 });
  return made;
}
