// A self-signed serving certificate (ECDSA P-256, one year), as upstream components make
// when no --tls-cert-file is given: the API server and the kubelet keep theirs in --cert-dir,
// the scheduler and controller manager keep theirs in memory unless --cert-dir is set.
import { loadX509, webcrypto } from '../../admin/pki/crypto-provider.js';

export interface ServingCert { cert: string; key: string }

const isIP = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');

export async function selfSignedCert(hosts: string[]): Promise<ServingCert> {
  const x509 = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const names = hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16),
    name: `CN=${hosts.find((h) => !isIP(h)) ?? 'localhost'}@${Math.floor(now.getTime() / 1000)}`,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 365 * 24 * 3600_000),
    keys, signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem') + '\n', key };
}
