// Making certificates: a self-signed CA (10 years, like kubeadm) or a leaf signed by a CA
// (1 year), each with a fresh key. Subjects, usages and SANs come from cert-specs.ts.
import crypto from 'node:crypto';
import { KEY_ALGORITHM, loadX509, webcrypto } from './crypto-provider.js';
import { pemBlock } from './pem.js';
import { signatureAlgorithm, type Signer } from './signer.js';
import type { SANs, Usage } from './cert-specs.js';

export const CA_VALIDITY_MS = 10 * 365 * 24 * 3600_000;
export const LEAF_VALIDITY_MS = 365 * 24 * 3600_000;
/** Back-dated a little so a clock a few minutes behind still accepts a fresh certificate. */
const BACKDATE_MS = 5 * 60_000;

export interface IssuedPair { certPem: string; keyPem: string }

export interface LeafRequest {
  cn: string;
  orgs: string[];
  usages: Usage[];
  sans?: SANs;
  validityMs?: number;
  /** For tests: a notAfter in the past. */
  notAfter?: Date;
}

/** "CN=a, O=b, O=c" with RFC 4514 escaping, so names such as system:node:x survive. */
export function distinguishedName(cn: string, orgs: string[] = []): string {
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
  return [`CN=${esc(cn)}`, ...orgs.map((o) => `O=${esc(o)}`)].join(', ');
}

const serial = (): string => {
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f; // positive, as RFC 5280 wants
  return b.toString('hex');
};

async function newKeyPair(): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  return pemBlock('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
}

export async function issueCA(cn: string, validityMs = CA_VALIDITY_MS): Promise<IssuedPair> {
  const x509 = await loadX509();
  const keys = await newKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: distinguishedName(cn),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + validityMs),
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys) };
}

export async function issueLeaf(ca: Signer, req: LeafRequest): Promise<IssuedPair> {
  const x509 = await loadX509();
  const keys = await newKeyPair();
  const now = Date.now();
  const eku = req.usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
  const names = [
    ...(req.sans?.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.sans?.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const caCert = new x509.X509Certificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: distinguishedName(req.cn, req.orgs),
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: req.notAfter ?? new Date(now + (req.validityMs ?? LEAF_VALIDITY_MS)),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: signatureAlgorithm(ca),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(eku),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys) };
}
