// Signs a parsed request with the cluster CA: the request's subject, alternative names
// and public key, the CSR's usages, backdated five minutes against clock skew, expiring
// after the shorter of spec.expirationSeconds and --cluster-signing-duration, and never
// after the CA itself.
import crypto from 'node:crypto';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { ParsedRequest } from '../csr-request.js';
import { webcrypto, x509 } from '../x509.js';

export interface ClusterCA { cert: x509.X509Certificate; key: CryptoKey; signAlg: Algorithm }

const BACKDATE_MS = 5 * 60_000;

export async function loadCA(certPem: string, keyPem: string): Promise<ClusterCA> {
  const keyObject = crypto.createPrivateKey(keyPem);
  let importAlg: RsaHashedImportParams | EcKeyImportParams; let signAlg: Algorithm;
  if (keyObject.asymmetricKeyType === 'rsa') {
    importAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }; signAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm;
  } else if (keyObject.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new Error(`unsupported EC curve ${keyObject.asymmetricKeyDetails?.namedCurve}`);
    importAlg = { name: 'ECDSA', namedCurve: curve }; signAlg = { name: 'ECDSA', hash: curve === 'P-256' ? 'SHA-256' : 'SHA-384' } as Algorithm;
  } else {
    throw new Error(`unsupported key type ${keyObject.asymmetricKeyType}`);
  }
  const key = await webcrypto.subtle.importKey('pkcs8', keyObject.export({ type: 'pkcs8', format: 'der' }), importAlg, false, ['sign']);
  return { cert: new x509.X509Certificate(certPem), key, signAlg };
}

const KEY_USAGES: Record<string, number> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature, signing: x509.KeyUsageFlags.digitalSignature, 'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment, 'key agreement': x509.KeyUsageFlags.keyAgreement, 'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign, 'crl sign': x509.KeyUsageFlags.cRLSign, 'encipher only': x509.KeyUsageFlags.encipherOnly, 'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const EXT_USAGES: Record<string, string> = {
  'client auth': x509.ExtendedKeyUsage.clientAuth, 'server auth': x509.ExtendedKeyUsage.serverAuth, 'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection, 's/mime': x509.ExtendedKeyUsage.emailProtection, timestamping: x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning, any: '2.5.29.37.0',
};

export async function issueCertificate(ca: ClusterCA, csr: CertificateSigningRequest, req: ParsedRequest, maxDurationMs: number, now = Date.now()): Promise<string> {
  let durationMs = maxDurationMs;
  if (csr.spec.expirationSeconds) durationMs = Math.min(durationMs, Math.max(600, csr.spec.expirationSeconds) * 1000);
  const notAfter = Math.min(now + durationMs, ca.cert.notAfter.getTime());
  let ku = 0; const eku: string[] = [];
  for (const u of csr.spec.usages ?? []) {
    if (KEY_USAGES[u] !== undefined) ku |= KEY_USAGES[u];
    else if (EXT_USAGES[u]) eku.push(EXT_USAGES[u]);
    else throw new Error(`unsupported key usage: ${u}`);
  }
  const names = [
    ...req.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...req.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ...req.emails.map((value) => ({ type: 'email' as const, value })), ...req.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: crypto.randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
    subject: req.csr.subject, issuer: ca.cert.subject,
    notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(notAfter),
    publicKey: await req.csr.publicKey.export(),
    signingKey: ca.key, signingAlgorithm: ca.signAlg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(ku ? [new x509.KeyUsagesExtension(ku, true)] : []),
      ...(eku.length ? [new x509.ExtendedKeyUsageExtension(eku)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return cert.toString('pem') + '\n';
}
