// The kubelet's serving certificate: --tls-cert-file/--tls-private-key-file, or a
// self-signed pair kept in --cert-dir as kubelet.crt/kubelet.key (upstream's names).
import fs from 'node:fs';
import path from 'node:path';
import { loadX509, webcrypto } from '../../admin/pki/crypto-provider.js';

export interface CertPair { cert: string; key: string }

async function selfSigned(hostname: string, ips: string[]): Promise<CertPair> {
  const x509 = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16), name: `CN=${hostname}-ca@${Math.floor(now.getTime() / 1000)}`,
    notBefore: new Date(now.getTime() - 3600_000), notAfter: new Date(now.getTime() + 365 * 86400_000), keys, signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }, ...ips.map((ip) => ({ type: 'ip' as const, value: ip }))]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { cert: `${cert.toString('pem')}\n`, key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n` };
}

export async function kubeletServingCert(o: { certFile?: string; keyFile?: string; certDir: string; hostname: string; ips: string[] }): Promise<CertPair> {
  if (o.certFile || o.keyFile) {
    if (!o.certFile || !o.keyFile) throw new Error('--tls-cert-file and --tls-private-key-file must be given together');
    return { cert: fs.readFileSync(o.certFile, 'utf8'), key: fs.readFileSync(o.keyFile, 'utf8') };
  }
  const certPath = path.join(o.certDir, 'kubelet.crt');
  const keyPath = path.join(o.certDir, 'kubelet.key');
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8') };
  const made = await selfSigned(o.hostname, o.ips);
  fs.mkdirSync(o.certDir, { recursive: true });
  fs.writeFileSync(certPath, made.cert);
  fs.writeFileSync(keyPath, made.key, { mode: 0o600 });
  return made;
}
